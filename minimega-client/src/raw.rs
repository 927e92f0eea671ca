//! Command lines written by hand: the escape hatch for what the typed API
//! does not cover.
//!
//! A checked line must be a command of the client's spec (by default the
//! shipped minimega 3.1.0 spec), matched as minimega itself would, so a typo
//! fails before anything is sent. An unchecked line skips that match but
//! must still split into tokens. Either way the line runs through the same
//! path as typed commands: namespace prefix, timeout, failure handling, and
//! the refusal to switch minimega's active namespace.

use minimega_spec::{input, CompileError, Spec};

use crate::command::{Builder, CommandLine, Complete};
use crate::error::Error;

/// A whole command on a target that did not come from the typed builders:
/// a line written by hand, or a command moved from `Cmd` with
/// [`Complete::on`]. Run it through [`Complete`].
///
/// ```no_run
/// use minimega_client::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// mm.raw("vm launch kvm 2")?.run()?;
/// for response in mm.raw("vm info")?.stream()? {
///     println!("{}", response?.host());
/// }
/// # Ok::<(), minimega_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Raw<T> {
    builder: Builder<T>,
}

impl<T> Raw<T> {
    pub(crate) fn from_line(target: T, line: CommandLine) -> Raw<T> {
        Raw {
            builder: Builder::from_line(target, line),
        }
    }

    /// `line` on `target`, once `spec` accepts it.
    pub(crate) fn checked(target: T, spec: &Spec, line: &str) -> Result<Raw<T>, Error> {
        checked(spec, line).map(|line| Raw::from_line(target, line))
    }

    /// `line` on `target`, once it splits into tokens.
    pub(crate) fn unchecked(target: T, line: &str) -> Result<Raw<T>, Error> {
        unchecked(line).map(|line| Raw::from_line(target, line))
    }
}

impl<T> Complete for Raw<T> {
    type Target = T;

    fn into_builder(self) -> Builder<T> {
        self.builder
    }

    fn as_builder(&self) -> &Builder<T> {
        &self.builder
    }
}

/// Splits `line` into tokens and checks it against `spec`.
pub(crate) fn checked(spec: &Spec, line: &str) -> Result<CommandLine, Error> {
    one_line(line)?;
    spec.compile(line).map_err(|source| Error::Spec {
        line: crate::error::excerpt(line),
        // minicli's message quotes the whole line: an error quotes a cut.
        source: match source {
            CompileError::Invalid(whole) => CompileError::Invalid(crate::error::excerpt(&whole)),
            lex => lex,
        },
    })?;
    unchecked(line)
}

/// Splits `line` into tokens.
pub(crate) fn unchecked(line: &str) -> Result<CommandLine, Error> {
    one_line(line)?;
    let tokens = input::lex(line).map_err(|e| Error::Spec {
        line: crate::error::excerpt(line),
        source: CompileError::Lex(e),
    })?;
    Ok(CommandLine::from_tokens(tokens))
}

/// minimega reads a line break as white space, so two lines would run as
/// one command.
fn one_line(line: &str) -> Result<(), Error> {
    if line.contains(['\n', '\r']) {
        Err(Error::Refused {
            line: crate::error::excerpt(line),
            refusal: crate::error::Refusal::LineBreak,
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
                    refusal: crate::error::Refusal::LineBreak,
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

    #[test]
    fn raw_commands_keep_their_tokens() {
        let raw = Raw::from_line(crate::Cmd, CommandLine::from_tokens(["echo", "a b"]));
        assert_eq!(raw.render().unwrap(), "echo \"a b\"");
    }
}
