//! Checking minimega lines and `.mm` scripts without a daemon, with
//! messages for people: the word that went wrong, what would complete it,
//! the closest name.
//!
//! A script is checked as minimega's `read` runs it: line by line (a
//! trailing `\r` dropped), blank lines and `#` comments skipped, every other
//! line matched as minicli matches it. Values are matched as written, so
//! `$VAR` and `file:` stay for the daemon to expand. `read` itself is
//! refused inside a script, as minimega refuses it, and so is a line longer
//! than `read`'s 64 KiB. A command whose help marks it deprecated is
//! warned about ([`deprecation`]).
//!
//! ```
//! use minimega_spec::check::{self, Severity};
//!
//! let spec = minimega_spec::shipped();
//! let found = check::script(spec, "vm config memory 2048\nvm lunch kvm 2\n");
//! assert_eq!(found.len(), 1);
//! assert_eq!((found[0].line, found[0].column), (2, 4));
//! assert_eq!(found[0].diagnostic.severity, Severity::Error);
//! assert_eq!(found[0].diagnostic.message, "unknown word `lunch` after `vm`");
//! assert!(found[0].diagnostic.help[0].contains("did you mean `launch`?"));
//! ```
//!
//! The line macro uses the same messages: a token equal to [`PLACEHOLDER`]
//! stands for a value given later, which the matcher takes as an argument
//! and never as a word.

use std::fmt;
use std::ops::Range;

use crate::input::{self, Spanned};
use crate::matcher::{Expected, Match, Mismatch, Reason};
use crate::pattern::Item;
use crate::spec::Spec;

/// A token that stands for a value given later (the line macro's `{}`):
/// it matches an argument of any pattern and no word, and messages show
/// it as `{}`.
pub const PLACEHOLDER: &str = "\u{0}{}\u{0}";

/// The longest line minimega's `read` takes (its line scanner's buffer).
pub const MAX_SCRIPT_LINE: usize = 64 * 1024;

/// How many choices a hint lists before it says how many more there are.
const LISTED: usize = 8;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// minimega would run the line, but should not be asked to.
    Warning,
    /// minimega would refuse the line.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The bytes of the line it is about.
    pub span: Range<usize>,
    /// What is wrong, in one line.
    pub message: String,
    /// What would put it right: the closest word, what may come there.
    pub help: Vec<String>,
}

impl Diagnostic {
    fn error(span: Range<usize>, message: String) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message,
            help: Vec::new(),
        }
    }
}

/// A finding about one line of a script, placed for people: 1-based line
/// and column (in characters), with the line's text to show it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptDiagnostic {
    /// The line's number, from 1.
    pub line: usize,
    /// The column the finding starts at, in characters, from 1.
    pub column: usize,
    /// The line as written (without its line break).
    pub text: String,
    /// The finding.
    pub diagnostic: Diagnostic,
}

impl ScriptDiagnostic {
    /// The finding as a compiler writes one, starting
    /// `file:line:column: error: message`, then the line with the place
    /// marked and each hint.
    pub fn render(&self, file: &str) -> String {
        let d = &self.diagnostic;
        let mut out = format!(
            "{file}:{}:{}: {}: {}\n",
            self.line, self.column, d.severity, d.message
        );
        out.push_str(&mark(&self.text, &d.span, "    "));
        for help in &d.help {
            out.push_str(&format!("    = help: {help}\n"));
        }
        out
    }
}

/// `text` (tabs and control characters shown as spaces) and a line of `^`
/// under `span`, each line starting with `indent`.
pub fn mark(text: &str, span: &Range<usize>, indent: &str) -> String {
    let shown: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let start = text.get(..span.start).map_or(0, |s| s.chars().count());
    let width = text
        .get(span.clone())
        .map_or(1, |s| s.chars().count())
        .max(1);
    format!(
        "{indent}{shown}\n{indent}{}{}\n",
        " ".repeat(start),
        "^".repeat(width)
    )
}

/// Checks every line of a script as minimega's `read` would run it, and
/// returns every finding, in line order.
pub fn script(spec: &Spec, text: &str) -> Vec<ScriptDiagnostic> {
    let mut found = Vec::new();
    // Aliases the script defines, with their line: `read` does not expand
    // them, which is worth saying when one is used.
    let mut aliases: Vec<(String, usize)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let diagnostics = if line.len() > MAX_SCRIPT_LINE {
            vec![Diagnostic::error(
                0..line.len(),
                format!(
                    "a line of {} bytes: minimega's `read` stops at a line longer than {} bytes",
                    line.len(),
                    MAX_SCRIPT_LINE
                ),
            )]
        } else {
            script_line(spec, line)
        };
        let tokens = input::lex(line).unwrap_or_default();
        if let [first, definition, ..] = &tokens[..] {
            if ".alias".starts_with(first.as_str()) && first.len() > 1 {
                if let Some((name, _)) = definition.split_once('=') {
                    aliases.push((name.to_owned(), index + 1));
                }
            }
        }
        for mut diagnostic in diagnostics {
            let word = line.get(diagnostic.span.clone()).unwrap_or_default();
            if diagnostic.message.starts_with("unknown command") {
                if let Some((_, defined)) = aliases.iter().rev().find(|(name, _)| name == word) {
                    diagnostic.help.push(format!(
                        "`{word}` is the alias defined on line {defined}: minimega's `read` does not expand aliases"
                    ));
                }
            }
            let column = line
                .get(..diagnostic.span.start)
                .map_or(0, |s| s.chars().count())
                + 1;
            found.push(ScriptDiagnostic {
                line: index + 1,
                column,
                text: line.to_owned(),
                diagnostic,
            });
        }
    }
    found
}

/// Checks one line of a script: as [`line()`], and a `read` anywhere in it
/// is an error, as minimega refuses to `read` inside `read`.
pub fn script_line(spec: &Spec, text: &str) -> Vec<Diagnostic> {
    let (tokens, matched) = match checked(spec, text) {
        Checked::Fine => return Vec::new(),
        Checked::Refused(diagnostic) => return vec![diagnostic],
        Checked::Matched(tokens, matched) => (tokens, matched),
    };
    let mut found = warnings(spec, &tokens, &matched);
    if let Some(at) = nested_read(spec, &matched, 0) {
        let span = tokens.get(at).map_or(0..text.len(), |t| t.span.clone());
        let mut error = Diagnostic::error(
            span,
            "minimega's `read` refuses to run `read` from a script".to_owned(),
        );
        error
            .help
            .push("run the other script from your own code, one `read` each".to_owned());
        found.insert(0, error);
    }
    found
}

/// Checks one command line as minimega would match it: an error if it is
/// not a command, warnings for what its help marks deprecated.
pub fn line(spec: &Spec, text: &str) -> Vec<Diagnostic> {
    match checked(spec, text) {
        Checked::Fine => Vec::new(),
        Checked::Refused(diagnostic) => vec![diagnostic],
        Checked::Matched(tokens, matched) => warnings(spec, &tokens, &matched),
    }
}

enum Checked {
    /// Blank or a comment.
    Fine,
    Refused(Diagnostic),
    Matched(Vec<Spanned>, Match),
}

fn checked(spec: &Spec, text: &str) -> Checked {
    let tokens = match input::lex_spanned(text) {
        Ok(tokens) => tokens,
        Err(error) => return Checked::Refused(lex_error(text, &error)),
    };
    if tokens.is_empty() || text.trim_start().starts_with('#') {
        return Checked::Fine;
    }
    let texts: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
    match spec.compile_tokens(&texts) {
        Some(matched) => Checked::Matched(tokens, matched),
        None => Checked::Refused(explain(&tokens, &spec.diagnose(&texts))),
    }
}

fn lex_error(text: &str, error: &input::SpannedLexError) -> Diagnostic {
    let width = text[error.at..].chars().next().map_or(1, char::len_utf8);
    let span = error.at..error.at + width;
    let (message, help) = match error.error {
        input::LexError::Unterminated(q) => (
            format!("this `{q}` is never closed"),
            format!("close the quote with another `{q}`, or escape it as `\\{q}`"),
        ),
        input::LexError::DanglingEscape => (
            "a `\\` at the end of the line escapes nothing".to_owned(),
            "write `\\\\` for a backslash".to_owned(),
        ),
        input::LexError::UnknownEscape(c) => (
            format!("minimega has no escape `\\{c}`"),
            "the escapes are `\\n`, `\\r`, `\\t`, `\\\\`, `\\\"`, `\\'` and `\\#`; write `\\\\` for a backslash".to_owned(),
        ),
    };
    let mut diagnostic = Diagnostic::error(span, message);
    diagnostic.help.push(help);
    diagnostic
}

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
fn distance(a: &str, b: &str) -> usize {
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

/// The warnings for a matched line: what its help marks deprecated, each
/// pointing at the deprecated words.
fn warnings(spec: &Spec, tokens: &[Spanned], matched: &Match) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut at = 0;
    let mut current = Some(matched);
    while let Some(m) = current {
        let own = &tokens[at.min(tokens.len())..];
        if let Some(deprecated) = deprecation(spec, m) {
            let words = spec.handlers()[m.id.handler]
                .shared_prefix
                .split_whitespace()
                .count()
                .max(1);
            let marked: Vec<&Spanned> = match &deprecated.word {
                None => own.iter().take(words).collect(),
                Some(word) => own
                    .iter()
                    .skip(words)
                    .find(|t| !t.text.is_empty() && word.starts_with(t.text.as_str()))
                    .into_iter()
                    .collect(),
            };
            let span = match (marked.first(), marked.last()) {
                (Some(first), Some(last)) => first.span.start..last.span.end,
                _ => own.first().map_or(0..0, |t| t.span.clone()),
            };
            found.push(Diagnostic {
                severity: Severity::Warning,
                span,
                message: deprecated.message,
                help: Vec::new(),
            });
        }
        at += nested_offset(spec, m);
        current = m.subcommand.as_deref();
    }
    found
}

/// How many tokens of a matched line come before its nested command.
fn nested_offset(spec: &Spec, m: &Match) -> usize {
    let items = &spec.pattern(m.id).items;
    items.len().saturating_sub(1)
}

/// The token index of a `read` in a matched line or its nested commands.
fn nested_read(spec: &Spec, m: &Match, at: usize) -> Option<usize> {
    if spec.handlers()[m.id.handler].shared_prefix == "read" {
        return Some(at);
    }
    let sub = m.subcommand.as_deref()?;
    nested_read(spec, sub, at + nested_offset(spec, m))
}

/// What a command's help says is deprecated about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// The deprecated word of the line (`snapshot` of `ns snapshot`), or
    /// `None` when the whole command is.
    pub word: Option<String>,
    /// The message: what is deprecated, and what the help says of it.
    pub message: String,
}

/// Why a matched command is deprecated, if its help says so: the whole
/// handler, when its short or long help starts with "deprecated"
/// (minimega writes `**DEPRECATED**`), or one of the line's words, when a
/// line of the long help names it as deprecated ("snapshot is a deprecated
/// alias", "the migrate spelling is deprecated").
pub fn deprecation(spec: &Spec, m: &Match) -> Option<Deprecation> {
    let handler = spec.handlers().get(m.id.handler)?;
    let short = handler.help_short.trim();
    let long = handler.help_long.trim();
    let whole = if starts_deprecated(short) {
        Some(short)
    } else if starts_deprecated(long) {
        long.lines().next()
    } else {
        None
    };
    if let Some(note) = whole {
        let note = note
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .get("deprecated".len()..)
            .unwrap_or_default()
            .trim_start_matches(|c: char| !c.is_alphanumeric());
        let message = if note.is_empty() {
            format!("`{}` is deprecated", handler.shared_prefix)
        } else {
            format!("`{}` is deprecated: {note}", handler.shared_prefix)
        };
        return Some(Deprecation {
            word: None,
            message,
        });
    }
    let prefix = handler.shared_prefix.split_whitespace().count();
    let words: Vec<&str> = spec
        .pattern(m.id)
        .items
        .iter()
        .skip(prefix)
        .filter_map(|item| match item {
            Item::Literal(word) => Some(word.as_str()),
            Item::Choice { options, .. } => options.iter().find(|o| m.chose(o)).map(String::as_str),
            _ => None,
        })
        .collect();
    long.lines().find_map(|line| {
        let word = deprecated_word(line)?;
        words.contains(&word).then(|| Deprecation {
            word: Some(word.to_owned()),
            message: format!("`{word}` is deprecated: {}", line.trim()),
        })
    })
}

fn starts_deprecated(text: &str) -> bool {
    text.trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
        .starts_with("deprecated")
}

/// The word a line of help names as deprecated: the last word before
/// "deprecated" that is not one of the little words between them.
fn deprecated_word(line: &str) -> Option<&str> {
    const LITTLE: &[&str] = &[
        "is", "a", "an", "the", "spelling", "command", "now", "alias", "form", "are", "was",
    ];
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let at = words
        .iter()
        .position(|w| w.to_lowercase().starts_with("deprecat"))?;
    words[..at]
        .iter()
        .rev()
        .take(4)
        .find(|w| !LITTLE.contains(&w.to_lowercase().as_str()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> &'static Spec {
        crate::shipped()
    }

    fn one(text: &str) -> Diagnostic {
        let mut found = line(spec(), text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found.remove(0)
    }

    fn at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
        &text[d.span.clone()]
    }

    #[test]
    fn good_lines_blank_lines_and_comments_pass() {
        for text in [
            "vm launch kvm 5",
            "vm lau kvm 5",
            "  # a comment with a 'quote",
            "",
            "   ",
            "vm config disk $images/foo.qcow2",
            "vm config kernel file:vmlinuz # fetched by the daemon",
            "mesh send all vm info",
            ".columns name,state vm info",
        ] {
            assert_eq!(line(spec(), text), [], "{text}");
        }
    }

    #[test]
    fn an_unknown_word_names_the_closest_and_what_may_follow() {
        let text = "vm lunch kvm 5";
        let d = one(text);
        assert_eq!(at(text, &d), "lunch");
        assert_eq!(d.message, "unknown word `lunch` after `vm`");
        assert_eq!(d.help[0], "did you mean `launch`?");
        assert!(d.help[1].starts_with("`vm` goes on with one of `"), "{d:?}");
        assert!(d.help[1].contains("more"), "{d:?}");
        let d = one("vmm info");
        assert_eq!(d.message, "unknown command `vmm`");
        assert_eq!(d.help, ["did you mean `vm`?"]);
    }

    #[test]
    fn a_choice_not_offered_lists_the_offer() {
        let text = "log level verbose";
        let d = one(text);
        assert_eq!(at(text, &d), "verbose");
        assert_eq!(
            d.help.last().unwrap(),
            "`log level` goes on with one of `debug`, `info`, `warn`, `error` or `fatal`, or ends there"
        );
    }

    #[test]
    fn an_unfinished_command_says_what_it_needs() {
        let text = "vm launch kvm";
        let d = one(text);
        assert_eq!(at(text, &d), "kvm");
        assert_eq!(d.message, "`vm launch kvm` is not a whole command");
        assert_eq!(d.help, ["it needs `<name or count>`"]);
        let d = one("mesh send all vm");
        assert_eq!(d.message, "`mesh send all vm` is not a whole command");
        assert!(d.help[0].starts_with("it goes on with one of"), "{d:?}");
        let d = one("mesh send all");
        assert_eq!(d.help, ["it needs `(command)`"]);
    }

    #[test]
    fn extra_words_ambiguity_and_quotes() {
        let d = one("vm info summary extra");
        assert!(
            d.message.starts_with("`extra` is one word too many"),
            "{d:?}"
        );
        let text = "vm s all";
        let d = one(text);
        assert_eq!(at(text, &d), "s");
        assert!(
            d.message.starts_with("`s` is ambiguous: it could be"),
            "{d:?}"
        );
        let text = "echo \"unclosed";
        let d = one(text);
        assert_eq!(at(text, &d), "\"");
        assert_eq!(d.message, "this `\"` is never closed");
    }

    #[test]
    fn placeholders_fit_values_only() {
        let tokens = |words: &[&str]| -> Vec<Spanned> {
            let mut at = 0;
            words
                .iter()
                .map(|w| {
                    let span = at..at + w.len();
                    at += w.len() + 1;
                    Spanned {
                        text: (*w).to_owned(),
                        span,
                    }
                })
                .collect()
        };
        let texts = |t: &[Spanned]| t.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
        let good = tokens(&["vm", "launch", "kvm", PLACEHOLDER]);
        assert!(spec().compile_tokens(&texts(&good)).is_some());
        let bad = tokens(&["vm", PLACEHOLDER]);
        let d = explain(&bad, &spec().diagnose(&texts(&bad)));
        assert_eq!(
            d.message,
            "a placeholder stands for a value, and only a word fits after `vm`"
        );
        let bad = tokens(&[PLACEHOLDER]);
        let d = explain(&bad, &spec().diagnose(&texts(&bad)));
        assert_eq!(d.message, "a placeholder cannot be the command's name");
    }

    #[test]
    fn scripts_refuse_read_and_warn_on_deprecated_commands() {
        let found = script(
            spec(),
            "# lab\r\nvm info\r\nread other.mm\nmesh send all read x.mm\nvm snapshot\nns snapshot\nvm config migrate\n",
        );
        let placed: Vec<(usize, usize, Severity)> = found
            .iter()
            .map(|f| (f.line, f.column, f.diagnostic.severity))
            .collect();
        assert_eq!(
            placed,
            [
                (3, 1, Severity::Error),
                (4, 15, Severity::Error),
                (5, 1, Severity::Warning),
                (6, 4, Severity::Warning),
                (7, 11, Severity::Warning),
            ]
        );
        assert!(found[2]
            .diagnostic
            .message
            .starts_with("`vm snapshot` is deprecated"));
        assert!(found[3]
            .diagnostic
            .message
            .starts_with("`snapshot` is deprecated"));
        assert!(found[4]
            .diagnostic
            .message
            .starts_with("`migrate` is deprecated"));
        assert_eq!(line(spec(), "read other.mm"), []);
        let rendered = found[0].render("lab.mm");
        assert_eq!(
            rendered,
            "lab.mm:3:1: error: minimega's `read` refuses to run `read` from a script\n    read other.mm\n    ^^^^\n    = help: run the other script from your own code, one `read` each\n"
        );
    }

    #[test]
    fn an_alias_the_script_defined_is_named() {
        let found = script(spec(), ".alias vmr=vm info\nvmr\nmesh send all vmr\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].diagnostic.help.last().unwrap(),
            "`vmr` is the alias defined on line 1: minimega's `read` does not expand aliases"
        );
        assert_eq!(
            found[1].diagnostic.message,
            "unknown command `vmr`, nested in `mesh send all`"
        );
    }

    #[test]
    fn a_line_longer_than_read_takes_is_an_error() {
        let long = format!("echo {}", "x".repeat(MAX_SCRIPT_LINE));
        let found = script(spec(), &long);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .diagnostic
            .message
            .contains("longer than 65536 bytes"));
    }

    proptest::proptest! {
        #[test]
        fn any_line_is_checked_without_panicking(text in r#"[ a-z.#"'\\\u{0}{}é\t]{0,24}"#) {
            let _ = line(spec(), &text);
            let _ = script(spec(), &text);
        }

        #[test]
        fn words_of_the_spec_in_any_order_are_explained(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "vm", "launch", "kvm", "la", "info", "mesh", "send", "all", "s", "x",
                    ".json", "true", "cc", "exec", "namespace", "clear", PLACEHOLDER,
                ]),
                0..7,
            )
        ) {
            let tokens: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
            if spec().compile_tokens(&tokens).is_none() {
                let spanned: Vec<Spanned> = tokens
                    .iter()
                    .map(|t| Spanned { text: t.clone(), span: 0..0 })
                    .collect();
                let d = explain(&spanned, &spec().diagnose(&tokens));
                proptest::prop_assert!(!d.message.is_empty());
            }
        }
    }

    #[test]
    fn distances() {
        assert_eq!(distance("lunch", "launch"), 1);
        assert_eq!(distance("ifno", "info"), 1);
        assert_eq!(closest("strat", &["start", "stop"]), Some("start"));
        assert_eq!(closest("zzz", &["start", "stop"]), None);
    }
}
