//! Matching a line as minicli does and aligning it with the chains of
//! generated methods that write its words.

use super::*;

/// The line matched as minicli would match it, a placeholder standing for
/// any value. A placeholder where the line fails and a `true,false` choice
/// would go on is that choice's `bool`: it is matched as `true` (the
/// method that takes the choice takes either value) and tried again.
pub(super) fn matched_line(spec: &Spec, tokens: &[Spanned]) -> Result<Match, check::Diagnostic> {
    let mut texts: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
    loop {
        if let Some(matched) = spec.compile_tokens(&texts) {
            return Ok(matched);
        }
        let mismatch = spec.diagnose(&texts);
        let takes_bool = mismatch.reason == Reason::Unexpected
            && texts.get(mismatch.at).is_some_and(|t| t == PLACEHOLDER)
            && ["true", "false"].iter().all(|word| {
                mismatch
                    .expected
                    .contains(&Expected::Word((*word).to_owned()))
            });
        if !takes_bool {
            return Err(check::explain(tokens, &mismatch));
        }
        texts[mismatch.at] = "true".to_owned();
    }
}

/// The chain of calls for a matched line: the chain of its form whose
/// words the line wrote. `Err` holds a message, the index of the token it
/// is about, and hints.
pub(super) fn resolve(
    api: &LineApi,
    matched: &Match,
    tokens: &[Spanned],
    values: &[Value],
) -> Result<Vec<Call>, (String, usize, Vec<String>)> {
    let pattern = api.spec.pattern(matched.id);
    let full = match pattern.items.last() {
        Some(item) if item.is_optional() => match item {
            Item::Value { key, .. } => matched.value(key).is_some(),
            Item::List { key, .. } => !matched.list(key).is_empty(),
            Item::Choice { options, .. } => options.iter().any(|o| matched.chose(o)),
            _ => true,
        },
        _ => true,
    };
    let candidates: Vec<&Vec<usize>> = api
        .by_pattern
        .get(&matched.id)
        .into_iter()
        .flatten()
        .map(|&index| &api.table.chains[index])
        .filter(|(form, _)| form.full == full)
        .map(|(_, chain)| chain)
        .collect();
    for exact in [true, false] {
        for chain in &candidates {
            if let Some(calls) = align(api, chain, matched, tokens, values, exact)? {
                return Ok(calls);
            }
        }
    }
    // No chain: the form is one the API leaves out.
    let refusal =
        daemon_wide::refusal(pattern, true).or_else(|| daemon_wide::refusal(pattern, false));
    match refusal {
        Some(why) => Err((
            format!("`{}` {why}, so the typed API leaves it out", pattern.text),
            0,
            vec![why.instead().to_owned()],
        )),
        None => Err((
            format!("`{}` has no typed form a line can take here", pattern.text),
            0,
            vec!["write the command with the builders".to_owned()],
        )),
    }
}

pub(super) type Resolved = Result<Option<Vec<Call>>, (String, usize, Vec<String>)>;

/// The calls of `chain` if the line's tokens follow it; words match in
/// full when `exact`, or as minicli's abbreviations.
pub(super) fn align(
    api: &LineApi,
    chain: &[usize],
    matched: &Match,
    tokens: &[Spanned],
    values: &[Value],
    exact: bool,
) -> Resolved {
    let mut at = 0;
    let mut calls = Vec::new();
    for &method in chain {
        let method = api.method(method);
        let mut args = Vec::new();
        for push in &method.pushes {
            match push {
                TablePush::Word(word) => {
                    let Some(token) = tokens.get(at) else {
                        return Ok(None);
                    };
                    let fits = if exact {
                        token.text == *word
                    } else {
                        token.text != PLACEHOLDER && word.starts_with(token.text.as_str())
                    };
                    if !fits {
                        return Ok(None);
                    }
                    at += 1;
                }
                TablePush::Param(kind) => match kind {
                    ParamKind::Value { .. } => {
                        let Some(value) = values.get(at) else {
                            return Ok(None);
                        };
                        args.push(ArgTokens::One(value.clone()));
                        at += 1;
                    }
                    ParamKind::Flag => {
                        // A placeholder here is the method's `bool` (the
                        // match took it as `true`, see `matched_line`).
                        let flag = match values.get(at) {
                            Some(Value::Placeholder(k)) => Value::Placeholder(*k),
                            Some(Value::Written(word)) => {
                                match ["true", "false"]
                                    .into_iter()
                                    .find(|full| full.starts_with(word.as_str()))
                                {
                                    Some(full) => Value::Written(full.to_owned()),
                                    None => return Ok(None),
                                }
                            }
                            None => return Ok(None),
                        };
                        args.push(ArgTokens::Flag(flag));
                        at += 1;
                    }
                    ParamKind::List { .. } => {
                        args.push(ArgTokens::List(values[at.min(values.len())..].to_vec()));
                        at = tokens.len();
                    }
                    ParamKind::Command => {
                        let Some(sub) = matched.subcommand.as_deref() else {
                            return Ok(None);
                        };
                        let nested = resolve(api, sub, &tokens[at..], &values[at..])
                            .map_err(|(message, i, help)| (message, at + i, help))?;
                        args.push(ArgTokens::Nested(nested));
                        at = tokens.len();
                    }
                },
            }
        }
        calls.push(Call {
            name: method.name.clone(),
            args,
        });
    }
    Ok((at == tokens.len()).then_some(calls))
}

/// `tokens` with every span set to `span`.
pub(super) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
