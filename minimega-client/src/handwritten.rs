//! Command lines written by hand, the escape hatch for what the typed API
//! does not cover: split into tokens as minimega's lexer splits them, and
//! (unless unchecked) matched against the client's spec, so that a typo
//! fails before anything is sent.
//!
//! The line then runs as a [`Command`](crate::Command) through the same
//! path as typed commands: namespace prefix, timeout, failure handling, and
//! the refusal to switch minimega's active namespace.

use minimega_spec::{input, CompileError, Spec};

use crate::command::Command;
use crate::error::{Error, Refusal};
use crate::excerpt::excerpt;
use crate::line::CommandLine;

impl<T> Command<T> {
    /// `line` on `target`, once `spec` accepts it.
    pub(crate) fn checked(target: T, spec: &Spec, line: &str) -> Result<Command<T>, Error> {
        checked(spec, line).map(|line| Command::from_line(target, line))
    }

    /// `line` on `target`, once it splits into tokens.
    pub(crate) fn unchecked(target: T, line: &str) -> Result<Command<T>, Error> {
        unchecked(line).map(|line| Command::from_line(target, line))
    }
}

/// Splits `line` into tokens and checks it against `spec`.
pub(crate) fn checked(spec: &Spec, line: &str) -> Result<CommandLine, Error> {
    one_line(line)?;
    spec.compile(line).map_err(|source| Error::Spec {
        line: excerpt(line),
        // minicli's message quotes the whole line: an error quotes a cut.
        source: match source {
            CompileError::Invalid(whole) => CompileError::Invalid(excerpt(&whole)),
            lex => lex,
        },
    })?;
    unchecked(line)
}

/// Splits `line` into tokens.
pub(crate) fn unchecked(line: &str) -> Result<CommandLine, Error> {
    one_line(line)?;
    let tokens = input::lex(line).map_err(|e| Error::Spec {
        line: excerpt(line),
        source: CompileError::Lex(e),
    })?;
    Ok(CommandLine::from_tokens(tokens))
}

/// minimega reads a line break as white space, so two lines would run as
/// one command.
fn one_line(line: &str) -> Result<(), Error> {
    if line.contains(['\n', '\r']) {
        Err(Error::Refused {
            line: excerpt(line),
            refusal: Refusal::LineBreak,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_lines_must_match_the_spec() {
        let spec = minimega_spec::shipped();
        let line = checked(spec, "vm launch kvm \"a b\"").unwrap();
        assert_eq!(line.tokens(), ["vm", "launch", "kvm", "a b"]);
        let error = checked(spec, "vm launch kvm").unwrap_err();
        assert_eq!(
            error.to_string(),
            "rejected before sending: invalid command: `vm launch kvm`"
        );
        assert!(checked(spec, "# just a comment")
            .unwrap()
            .tokens()
            .is_empty());
    }

    #[test]
    fn errors_quote_a_long_line_cut() {
        let spec = minimega_spec::shipped();
        let line = format!("frobnicate {}", "x".repeat(65_536));
        let error = checked(spec, &line).unwrap_err().to_string();
        assert!(error.len() < 600, "{} bytes", error.len());
        assert!(error.contains("(65547 bytes)"), "{error}");
    }

    #[test]
    fn a_raw_line_is_one_line() {
        let spec = minimega_spec::shipped();
        for line in ["echo a\necho b", "echo a\r"] {
            assert!(matches!(
                checked(spec, line),
                Err(Error::Refused {
                    refusal: Refusal::LineBreak,
                    ..
                })
            ));
            assert!(unchecked(line).is_err());
        }
        let escaped = checked(spec, r#"echo "a\nb""#).unwrap();
        assert_eq!(escaped.tokens(), ["echo", "a\nb"]);
    }

    #[test]
    fn unchecked_lines_must_still_lex() {
        assert_eq!(
            unchecked("frobnicate now").unwrap().tokens(),
            ["frobnicate", "now"]
        );
        assert!(matches!(
            unchecked("echo \"open"),
            Err(Error::Spec {
                source: CompileError::Lex(_),
                ..
            })
        ));
    }
}
