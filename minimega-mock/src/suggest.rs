//! Completions for `Suggest` requests: the last word of the input is
//! completed against the literal words and choice options the spec allows
//! at that position; each suggestion is the whole line with a trailing
//! space, as minimega returns them.

use std::collections::BTreeSet;

use minimega_spec::{input, Item, Spec};

/// How deep `(command)` items are followed.
const MAX_DEPTH: usize = 4;

pub(crate) fn suggest(spec: &Spec, line: &str) -> Vec<String> {
    let split = if line.ends_with(char::is_whitespace) {
        line.len()
    } else {
        line.rfind(char::is_whitespace).map_or(0, |i| i + 1)
    };
    let (head, last) = line.split_at(split);
    let Ok(before) = input::lex(head) else {
        return Vec::new();
    };
    let mut words = BTreeSet::new();
    candidates(spec, &before, &mut words, 0);
    words
        .into_iter()
        .filter(|word| word.starts_with(last))
        .map(|word| format!("{head}{word} "))
        .collect()
}

fn candidates(spec: &Spec, tokens: &[String], out: &mut BTreeSet<String>, depth: usize) {
    for (_, pattern) in spec.patterns() {
        walk(spec, &pattern.items, tokens, out, depth);
    }
}

fn walk(spec: &Spec, items: &[Item], tokens: &[String], out: &mut BTreeSet<String>, depth: usize) {
    let Some((item, rest)) = items.split_first() else {
        return;
    };
    let Some((token, more)) = tokens.split_first() else {
        match item {
            Item::Literal(word) => {
                out.insert(word.clone());
            }
            Item::Choice { options, .. } => out.extend(options.iter().cloned()),
            _ => {}
        }
        return;
    };
    match item {
        Item::Literal(word) if word.starts_with(token.as_str()) => {
            walk(spec, rest, more, out, depth)
        }
        Item::Choice { options, .. } if options.iter().any(|o| o.starts_with(token.as_str())) => {
            walk(spec, rest, more, out, depth)
        }
        Item::Value { .. } => walk(spec, rest, more, out, depth),
        Item::Command { .. } if depth < MAX_DEPTH => candidates(spec, tokens, out, depth + 1),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_the_last_word() {
        let spec = minimega_spec::shipped();
        assert_eq!(suggest(spec, "vm la"), ["vm launch "]);
        let after_launch = suggest(spec, "vm launch ");
        assert!(
            after_launch.contains(&"vm launch kvm ".to_owned()),
            "{after_launch:?}"
        );
        assert!(after_launch.contains(&"vm launch container ".to_owned()));
        assert!(
            suggest(spec, "namespace foo vm la").contains(&"namespace foo vm launch ".to_owned())
        );
        assert!(suggest(spec, "zzz").is_empty());
    }
}
