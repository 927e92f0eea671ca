//! A host's error in an answer ([`Failure`]) and what kind of error it is
//! ([`FailureKind`]). Whether a failure makes a command an `Err` is the
//! failure policy's business, in `policy.rs`.

use std::fmt;

/// One failing response: the host that answered and its error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The host that reported the error.
    pub host: String,
    /// minimega's error message.
    pub message: String,
}

/// What a host's error says, where minimega's text is the only signal: so
/// that scripts match a variant instead of a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind<'a> {
    /// `vm not found: NAME`: no VM of that name or id on the host.
    VmNotFound(&'a str),
    /// `vm not running: NAME`.
    VmNotRunning(&'a str),
    /// `VM state error: NAME`: the VM cannot go to the state asked for.
    VmState(&'a str),
    /// `vm is already running`.
    AlreadyRunning,
    /// `vm already exists with name `NAME``.
    NameTaken(&'a str),
    /// `invalid command: …`: the host's minimega did not know the line.
    InvalidCommand,
    /// Anything else; read [`Failure::message`].
    Other,
}

impl Failure {
    /// What the error says, for the errors minimega words the same way
    /// every time.
    pub fn kind(&self) -> FailureKind<'_> {
        let message = self.message.as_str();
        let after = |prefix: &str| message.strip_prefix(prefix);
        if let Some(name) = after("vm not found: ") {
            FailureKind::VmNotFound(name)
        } else if let Some(name) = after("vm not running: ") {
            FailureKind::VmNotRunning(name)
        } else if let Some(name) = after("VM state error: ") {
            FailureKind::VmState(name)
        } else if message == "vm is already running" {
            FailureKind::AlreadyRunning
        } else if let Some(name) = after("vm already exists with name `") {
            FailureKind::NameTaken(name.strip_suffix('`').unwrap_or(name))
        } else if message.starts_with("invalid command") {
            FailureKind::InvalidCommand
        } else {
            FailureKind::Other
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.host, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_minimega_words_alike_have_kinds() {
        let kind = |message: &str| {
            let failure = Failure {
                host: "h".into(),
                message: message.into(),
            };
            format!("{:?}", failure.kind())
        };
        assert_eq!(kind("vm not found: web1"), "VmNotFound(\"web1\")");
        assert_eq!(kind("vm not running: web1"), "VmNotRunning(\"web1\")");
        assert_eq!(kind("VM state error: db"), "VmState(\"db\")");
        assert_eq!(kind("vm is already running"), "AlreadyRunning");
        assert_eq!(kind("vm already exists with name `a`"), "NameTaken(\"a\")");
        assert_eq!(kind("invalid command: `vm lanch`"), "InvalidCommand");
        assert_eq!(kind("no such host"), "Other");
    }
}
