//! Everything a client call can fail with, in one enum.
//!
//! After [`Error::Timeout`] (once anything was sent), [`Error::Disconnected`],
//! [`Error::Protocol`], [`Error::Unsolicited`], [`Error::TooLarge`] and
//! [`Error::Io`] the client's connection is closed: the answer was cut off
//! and the next line on the socket could belong to anything, so the client
//! refuses to guess. Later calls fail with
//! [`Error::Closed`] until [`Client::reconnect`](crate::Client::reconnect).
//! Every other error leaves the connection usable;
//! [`Error::closes_connection`] tells which.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use minimega_spec::daemon_wide::DaemonWide;
use minimega_spec::harmful::{BadValue, ValueRule};
use minimega_spec::input::ForwardingProblem;
use minimega_spec::CompileError;

use crate::arg::ArgumentError;
use crate::failure::Failure;
use crate::response::Responses;

/// Why the client refused to send a line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The line changes state minimega keeps for every client (see
    /// [`minimega_spec::daemon_wide`]).
    DaemonWide(DaemonWide),
    /// A character minimega cannot write back into a command line, which it
    /// does with some values (VLAN aliases, bridge names, nested commands):
    /// on some of those paths it then exits.
    Unwritable {
        /// The token (cut if long).
        token: String,
        /// The character.
        character: char,
    },
    /// A token inside a nested command that would not survive minimega
    /// passing the command on as text: it would change the command, leave
    /// `mesh send` waiting forever, or make minimega exit.
    Unforwardable {
        /// The token (cut if long).
        token: String,
        /// What would happen to it.
        problem: ForwardingProblem,
    },
    /// A hand-written line with a line break, which minimega would read as
    /// white space, running the lines as one command.
    LineBreak,
    /// A value minimega acts on without checking, that would end the daemon
    /// or reach outside its directories (see [`minimega_spec::harmful`]).
    BadValue {
        /// The argument's key.
        key: &'static str,
        /// The value (cut if long).
        value: String,
        /// What minimega does with the argument.
        rule: ValueRule,
        /// How the value breaks the rule.
        problem: BadValue,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::DaemonWide(why) => write!(f, "it {why}; {}", why.instead()),
            Refusal::Unwritable { token, character } => write!(
                f,
                "`{token}` holds U+{:04X}, a character minimega writes back as an escape it \
                 cannot read when it passes a value on, which can make it exit; leave it out \
                 (tab, line feed and carriage return are fine)",
                u32::from(*character)
            ),
            Refusal::Unforwardable { token, problem } => write!(
                f,
                "`{token}` is part of a nested command (in a namespace, a `mesh send` or an \
                 output modifier), which minimega passes on as text, and {problem}; send it \
                 outside a nested command, or without that character"
            ),
            Refusal::BadValue {
                key,
                value,
                rule,
                problem,
            } => write!(
                f,
                "`{key}` = `{value}`: {rule}, and {problem}; minimega does not check it, and \
                 such a value can end the daemon or reach outside its directories"
            ),
            Refusal::LineBreak => f.write_str(
                "a raw line holds one command, and minimega would run its lines as one; send \
                 each line on its own (a line break inside an argument is written `\\n` in quotes)",
            ),
        }
    }
}

/// Why a client call failed.
///
/// Its `Debug` form is its sentence, followed by the errors it came from,
/// so that `fn main() -> Result<(), Box<dyn std::error::Error>>` prints
/// what went wrong rather than the fields; match on the variant for them.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The socket could not be opened; `hint` says what to do about it.
    #[error("cannot connect to minimega at `{}`: {source}; {hint}", path.display())]
    Connect {
        /// The socket path that was tried.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
        /// What to do about it.
        hint: String,
    },

    /// Reading or writing the socket failed; the connection is closed.
    #[error("I/O error on the minimega socket while running `{command}`: {source}")]
    Io {
        /// The command line being run.
        command: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },

    /// minimega sent a line that is not a message of its protocol; the
    /// connection is closed.
    #[error("minimega sent a malformed line while answering `{command}` ({reason}): {line}")]
    Protocol {
        /// The command line being run (cut if long).
        command: String,
        /// The start of the offending line, as received.
        line: String,
        /// What is wrong with it.
        reason: String,
    },

    /// minimega sent a message while no command was waiting for one, so it
    /// could only have been taken for the next command's answer; that
    /// command was not sent, and the connection is closed.
    #[error("minimega sent a message no command was waiting for (found before sending `{command}`, which was not sent): {line}")]
    Unsolicited {
        /// The command that was about to be sent (cut if long).
        command: String,
        /// The start of the message, as received.
        line: String,
    },

    /// No complete answer within the timeout; the connection is closed,
    /// unless the deadline passed before anything was sent (`sent` is
    /// false: a zero timeout, say): then the connection is as it was.
    #[error("`{command}` got no complete answer within {after:?}{}", if *sent { "; the connection is now closed" } else { " (nothing was sent)" })]
    Timeout {
        /// The command line being run (cut if long).
        command: String,
        /// The timeout that ran out.
        after: Duration,
        /// Whether any of the command was written before the deadline
        /// passed, which closed the connection.
        sent: bool,
    },

    /// minimega closed the socket before the answer was complete.
    #[error("minimega closed the connection while answering `{command}`")]
    Disconnected {
        /// The command line being run (cut if long).
        command: String,
    },

    /// The answer was larger than the client's cap; the connection is
    /// closed.
    #[error("the answer to `{command}` is larger than {limit} bytes (see `ClientBuilder::max_answer_bytes`); the connection is now closed")]
    TooLarge {
        /// The command line being run (cut if long).
        command: String,
        /// The cap, in bytes.
        limit: usize,
    },

    /// An earlier failure closed the connection; nothing was sent.
    #[error("the connection to minimega is closed ({reason}); call `Client::reconnect` to open a new one")]
    Closed {
        /// The failure that closed it.
        reason: String,
    },

    /// An argument could not be put on the command line; nothing was sent.
    #[error(transparent)]
    Argument(#[from] ArgumentError),

    /// A namespace name minimega would not accept; nothing was sent.
    #[error("invalid namespace name `{name}`: {problem} (minimega makes a directory of it)")]
    InvalidNamespace {
        /// The rejected name (cut if long).
        name: String,
        /// How it breaks the rule for names.
        problem: BadValue,
    },

    /// A hand-written line is not a command of the spec; nothing was sent.
    #[error("rejected before sending: {source}")]
    Spec {
        /// The line as written (cut if long).
        line: String,
        /// Why the spec does not accept it.
        #[source]
        source: CompileError,
    },

    /// Sending the line could change or harm minimega for every client of
    /// the daemon; nothing was sent.
    #[error("refused before sending `{line}`: {refusal}")]
    Refused {
        /// The line as it would have been sent (cut if long).
        line: String,
        /// The rule it breaks.
        refusal: Refusal,
    },

    /// One or more hosts answered with an error. `responses` holds the whole
    /// answer, successes included.
    #[error("`{command}` failed: {}", list(failures))]
    Command {
        /// The command line that was run (cut if long).
        command: String,
        /// Every failing response, in answer order.
        failures: Vec<Failure>,
        /// The whole answer.
        responses: Box<Responses>,
    },

    /// Hosts the command was addressed to did not answer: minimega says
    /// nothing of a `mesh send` host it does not know, nor of the node the
    /// command was sent from. `responses` holds the answers that came (none
    /// for a stream, which handed them out already).
    #[error("`{command}`: no answer from {} (a `mesh send` runs only on mesh peers: not on the node it is sent from, nor on a name the mesh does not know)", hosts.join(", "))]
    Unanswered {
        /// The command line that was run (cut if long).
        command: String,
        /// The hosts that did not answer, in the order they were named.
        hosts: Vec<String>,
        /// The answers that came.
        responses: Box<Responses>,
    },

    /// A VM that was waited for failed, or was killed while waiting for it
    /// to reach another state.
    #[error("VM `{vm}` on {host} is {state}: {}", reason.trim_end())]
    VmFailed {
        /// The VM's name.
        vm: String,
        /// The host that runs it.
        host: String,
        /// Its state.
        state: crate::tables::VmState,
        /// minimega's reason (the VM's `error` tag, as written: it may end
        /// with a line break, which the message leaves out), or what
        /// happened.
        reason: String,
    },

    /// A wait ran out of time. The connection stays usable: a poll still
    /// unanswered is finished by the next command, within its own deadline.
    #[error("waited {after:?} for {waiting_for}{}", if last_seen.is_empty() { String::new() } else { format!(": {last_seen}") })]
    WaitTimedOut {
        /// What the wait was for.
        waiting_for: String,
        /// How long it waited.
        after: Duration,
        /// What it saw last: the VMs that were not ready, and how far they
        /// got.
        last_seen: String,
    },

    /// A cc command that was waited for is not among the commands minimega
    /// holds (it was never queued there, or `clear cc commands` removed it).
    #[error(
        "cc command {id} is not in `cc commands`: it was cleared, or queued in another namespace"
    )]
    CcCommandUnknown {
        /// The command's id.
        id: u64,
    },

    /// A response could not be read as the requested type.
    #[error("cannot decode {what} from host `{host}`: {message}")]
    Decode {
        /// The host whose response it was.
        host: String,
        /// What was being decoded (`row 3`, `Data`).
        what: String,
        /// The decoder's message.
        message: String,
    },

    /// Exactly one response was expected.
    #[error("expected exactly one response, got {count}")]
    NotSingle {
        /// How many responses there were.
        count: usize,
    },
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sentence = self.to_string();
        f.write_str(&sentence)?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            // Most sentences quote their cause already.
            let cause_text = cause.to_string();
            if !sentence.contains(&cause_text) {
                write!(f, "\n  caused by: {cause_text}")?;
            }
            source = cause.source();
        }
        Ok(())
    }
}

impl Error {
    /// The failing hosts and their messages, for [`Error::Command`]; empty
    /// for every other error.
    pub fn failures(&self) -> &[Failure] {
        match self {
            Error::Command { failures, .. } => failures,
            _ => &[],
        }
    }

    /// Whether this error closed the client's connection.
    pub fn closes_connection(&self) -> bool {
        match self {
            Error::Io { .. }
            | Error::Protocol { .. }
            | Error::Unsolicited { .. }
            | Error::Disconnected { .. }
            | Error::TooLarge { .. } => true,
            Error::Timeout { sent, .. } => *sent,
            _ => false,
        }
    }
}

fn list(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(Failure::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_error_lists_every_host() {
        let error = Error::Command {
            command: "vm start x".into(),
            failures: vec![
                Failure {
                    host: "h1".into(),
                    message: "vm not found: x".into(),
                },
                Failure {
                    host: "h2".into(),
                    message: "boom".into(),
                },
            ],
            responses: Box::default(),
        };
        assert_eq!(
            error.to_string(),
            "`vm start x` failed: h1: vm not found: x; h2: boom"
        );
        assert_eq!(error.failures().len(), 2);
        assert!(!error.closes_connection());
    }

    #[test]
    fn debug_is_the_sentence_main_prints() {
        let error = Error::Io {
            command: "vm info".into(),
            source: io::Error::new(io::ErrorKind::BrokenPipe, "pipe gone"),
        };
        assert_eq!(
            format!("{error:?}"),
            "I/O error on the minimega socket while running `vm info`: pipe gone"
        );
        let spec = Error::Spec {
            line: "vm lanch".into(),
            source: CompileError::Invalid("vm lanch".into()),
        };
        assert_eq!(
            format!("{spec:?}"),
            "rejected before sending: invalid command: `vm lanch`"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(Error::NotSingle { count: 2 });
        assert_eq!(format!("{boxed:?}"), "expected exactly one response, got 2");
    }

    #[test]
    fn error_stays_small() {
        assert!(std::mem::size_of::<Error>() <= 128);
    }
}
