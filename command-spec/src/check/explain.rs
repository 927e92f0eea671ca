//! Why a line is not a command, in words: the word at fault, what would
//! have fitted there (the choices, the words that may follow, the closest
//! command name).

use super::*;
use crate::matcher::{Expected, Mismatch, Reason};

/// A token as messages show it: `{}` for a placeholder.
fn shown(token: &str) -> String {
    if token == PLACEHOLDER {
        "{}".to_owned()
    } else {
        input::quote(token)
    }
}

/// The tokens before `at`, as a line.
fn before(tokens: &[Spanned], at: usize) -> String {
    tokens[..at.min(tokens.len())]
        .iter()
        .map(|t| shown(&t.text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message for a line the spec rejected, given the tokens with their
/// place in the text and what [`Spec::diagnose`] found.
pub fn explain(tokens: &[Spanned], mismatch: &Mismatch) -> Diagnostic {
    let end = tokens.last().map_or(0, |t| t.span.end);
    let span = tokens
        .get(mismatch.at)
        .map_or(end.saturating_sub(1)..end, |t| t.span.clone());
    let span = match mismatch.reason {
        Reason::Unfinished => tokens.last().map_or(0..0, |t| t.span.clone()),
        _ => span,
    };
    let token = tokens.get(mismatch.at).map(|t| t.text.as_str());
    let prefix = before(tokens, mismatch.at);
    let words: Vec<&str> = mismatch
        .expected
        .iter()
        .filter_map(|e| match e {
            Expected::Word(word) => Some(word.as_str()),
            _ => None,
        })
        .collect();
    let ways = list(&mismatch.expected);
    let mut help = Vec::new();
    let message = match (&mismatch.reason, token) {
        (Reason::Unexpected, Some(token)) if mismatch.expected.is_empty() => format!(
            "`{}` is one word too many: `{prefix}` is a whole command without it",
            shown(token)
        ),
        (Reason::Unexpected, Some(PLACEHOLDER)) => {
            if prefix.is_empty() || mismatch.command_start {
                help.push(format!("write the command's name: {ways}"));
                "a placeholder cannot be the command's name".to_owned()
            } else {
                help.push(format!("`{prefix}` goes on with {ways}"));
                format!("a placeholder stands for a value, and only a word fits after `{prefix}`")
            }
        }
        (Reason::Unexpected, Some(token)) => {
            if let Some(close) = closest(token, &words) {
                help.push(format!("did you mean `{close}`?"));
            }
            if prefix.is_empty() {
                format!("unknown command `{}`", shown(token))
            } else if mismatch.command_start {
                format!("unknown command `{}`, nested in `{prefix}`", shown(token))
            } else {
                let ends = if mismatch.complete_before {
                    ", or ends there"
                } else {
                    ""
                };
                help.push(format!("`{prefix}` goes on with {ways}{ends}"));
                format!("unknown word `{}` after `{prefix}`", shown(token))
            }
        }
        (Reason::Ambiguous(candidates), Some(token)) if !candidates.is_empty() => {
            let candidates: Vec<Expected> =
                candidates.iter().cloned().map(Expected::Word).collect();
            help.push("write more of the word".to_owned());
            format!(
                "`{}` is ambiguous: it could be {}",
                shown(token),
                list(&candidates).trim_start_matches("one of ")
            )
        }
        (Reason::Ambiguous(_), _) => {
            "the line matches more than one pattern, so minimega takes neither".to_owned()
        }
        (Reason::Unfinished, _) | (Reason::Unexpected, None) => {
            let only_argument = matches!(
                &mismatch.expected[..],
                [Expected::Argument(_) | Expected::Command(_)]
            );
            help.push(if only_argument {
                format!("it needs {ways}")
            } else {
                format!("it goes on with {ways}")
            });
            format!("`{prefix}` is not a whole command")
        }
    };
    Diagnostic {
        severity: Severity::Error,
        span,
        message,
        help,
    }
}

/// `a`, `b` or `c`, at most [`LISTED`] of them, then how many more.
fn list(expected: &[Expected]) -> String {
    let items: Vec<String> = expected.iter().map(Expected::to_string).collect();
    match items.len() {
        0 => "nothing".to_owned(),
        1 => items[0].clone(),
        n if n <= LISTED => format!("one of {}", or_list(&items)),
        n => format!(
            "one of {}, or {} more",
            items[..LISTED].join(", "),
            n - LISTED
        ),
    }
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The word of `candidates` closest to `word`, if one is close enough to
/// be a typo of it.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The edit distance between two words (insertions, deletions,
/// substitutions and swaps of neighbours, each costing one).
pub(super) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}
