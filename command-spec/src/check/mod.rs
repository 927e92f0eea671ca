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
use crate::matcher::Match;
use crate::pattern::Item;
use crate::spec::Spec;

mod explain;

pub use explain::{closest, explain};

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
mod tests;
