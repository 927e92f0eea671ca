//! minimega's name lists as the mock needs them: expanded (with minimega's
//! own error texts, and the caps of [`minimega_spec::ranges`]) and
//! condensed back into ranges, as `ns hosts` and compressed answers show
//! them (`node[2-3]`).

use std::collections::BTreeMap;

use minimega_spec::ranges::{self, RangeError};

/// Expands `list` (`a,b`, `vm[1-3]`) into names, or says why not as
/// minimega does.
pub(crate) fn split(list: &str) -> Result<Vec<String>, String> {
    ranges::expand(list).map_err(|error| match error {
        RangeError::Brackets { .. } => bracket_error(list),
        RangeError::Range { .. } => "invalid range specification".to_owned(),
        too_large @ RangeError::TooLarge { .. } => too_large.to_string(),
    })
}

/// minimega's text for brackets that do not pair up, which names the byte
/// where it noticed.
fn bracket_error(list: &str) -> String {
    let mut inside = false;
    for (at, byte) in list.bytes().enumerate() {
        match byte {
            b'[' if inside => return format!("nested '[' at char {at}"),
            b'[' => inside = true,
            b']' if !inside => return format!("unmatched ']' at char {at}"),
            b']' => inside = false,
            _ => {}
        }
    }
    "unterminated '['".to_owned()
}

/// Condenses names into minimega's ranges: names that differ only in one
/// run of digits share a bracket (`node2,node3` → `node[2-3]`); the parts
/// are sorted, plain names before numbered ones at each step.
pub(crate) fn unsplit(names: &[String]) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    condense(&names).join(",")
}

fn condense(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if names.iter().any(|name| name.is_empty()) {
        out.push(String::new());
    }
    // Names by their first character, and numbered names by their leading
    // number: what follows is condensed the same way, one level down.
    let mut words: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    let mut numbers: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for name in names {
        let Some(first) = name.chars().next() else {
            continue;
        };
        if first.is_ascii_digit() {
            let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let number = name[..digits].parse().unwrap_or(u64::MAX);
            numbers.entry(number).or_default().push(&name[digits..]);
        } else {
            words
                .entry(first)
                .or_default()
                .push(&name[first.len_utf8()..]);
        }
    }
    for (first, rests) in words {
        out.extend(
            condense(&rests)
                .into_iter()
                .map(|rest| format!("{first}{rest}")),
        );
    }
    let mut by_suffix: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (number, rests) in numbers {
        for suffix in condense(&rests) {
            by_suffix.entry(suffix).or_default().push(number);
        }
    }
    for (suffix, numbers) in by_suffix {
        out.push(format!("{}{suffix}", span(&numbers)));
    }
    out
}

/// `5`, or `[1-3,5]` for several numbers (sorted, consecutive runs joined).
fn span(numbers: &[u64]) -> String {
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    if let [only] = numbers.as_slice() {
        return only.to_string();
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..=numbers.len() {
        if i == numbers.len() || numbers[i] != numbers[i - 1] + 1 {
            parts.push(if start == i - 1 {
                numbers[start].to_string()
            } else {
                format!("{}-{}", numbers[start], numbers[i - 1])
            });
            start = i;
        }
    }
    format!("[{}]", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn errors_read_like_minimega() {
        assert_eq!(split("bad[1-").unwrap_err(), "unterminated '['");
        assert_eq!(split("a[1[2]]").unwrap_err(), "nested '[' at char 3");
        assert_eq!(split("a]").unwrap_err(), "unmatched ']' at char 1");
        assert_eq!(split("a[x]").unwrap_err(), "invalid range specification");
        assert_eq!(split("web[1-2],db").unwrap(), ["web1", "web2", "db"]);
        let huge = format!("a[{}-99999]", "0".repeat(20_000));
        assert!(split(&huge).is_ok() || split(&huge).unwrap_err().contains("expands to more"));
    }

    #[test]
    fn condenses_like_minimega() {
        assert_eq!(unsplit(&names(&["node3", "node2"])), "node[2-3]");
        assert_eq!(unsplit(&names(&["vm"])), "vm");
        assert_eq!(unsplit(&names(&["h1", "h2", "h3", "h5"])), "h[1-3,5]");
        assert_eq!(unsplit(&names(&["node2"])), "node2");
        assert_eq!(unsplit(&names(&["b", "a1", "a2"])), "a[1-2],b");
        assert_eq!(unsplit(&names(&["n1.x", "n2.x", "n1.y"])), "n[1-2].x,n1.y");
        assert_eq!(unsplit(&[]), "");
    }
}
