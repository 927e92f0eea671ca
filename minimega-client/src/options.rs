//! Settings that shape how a command runs: how long to wait, and whether a
//! host's error fails the call. A client has defaults
//! ([`ClientBuilder`](crate::ClientBuilder)); [`RunOptions`] overrides them
//! for one command.

use std::time::Duration;

use crate::error::{excerpt, Error};
use crate::response::Responses;

/// What a host's error in the answer does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Failures {
    /// Any failing response makes the call return
    /// [`Error::Command`] with every failing host.
    #[default]
    Error,
    /// Failing responses are returned with the others, for scripts that
    /// tolerate partial failure; check [`Response::error`](crate::Response::error).
    Keep,
}

/// Overrides of the client's settings for one command; the default changes
/// nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) failures: Option<Failures>,
}

impl RunOptions {
    /// No overrides.
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// Waits at most `timeout` for the answer (for a stream: for each
    /// message). When it runs out the call fails with
    /// [`Error::Timeout`] and the connection closes (unless nothing was
    /// sent yet).
    pub fn timeout(mut self, timeout: Duration) -> RunOptions {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Waits as long as it takes, whatever the client's default.
    pub fn no_timeout(mut self) -> RunOptions {
        self.timeout = Some(None);
        self
    }

    /// Sets what a host's error does.
    pub fn failures(mut self, failures: Failures) -> RunOptions {
        self.failures = Some(failures);
        self
    }

    /// Returns failing responses instead of an error
    /// (`failures(Failures::Keep)`).
    pub fn keep_failures(self) -> RunOptions {
        self.failures(Failures::Keep)
    }
}

/// `responses`, or [`Error::Unanswered`] naming `missing`, the hosts that
/// were sent the command and never answered.
pub(crate) fn answered_by_all(
    missing: Vec<String>,
    responses: Responses,
) -> Result<Responses, Error> {
    if missing.is_empty() {
        return Ok(responses);
    }
    Err(Error::Unanswered {
        command: excerpt(responses.command()),
        hosts: missing,
        responses: Box::new(responses),
    })
}

/// Caps on what the client reads, so that a broken or hostile server cannot
/// make it use unbounded memory. Set them with
/// [`ClientBuilder::max_line_bytes`](crate::ClientBuilder::max_line_bytes)
/// and [`ClientBuilder::max_answer_bytes`](crate::ClientBuilder::max_answer_bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The longest message line accepted.
    pub(crate) max_line: usize,
    /// The most bytes of messages one [`run`](crate::Complete::run) gathers,
    /// status messages included; a stream holds one message at a time and
    /// is not capped.
    pub(crate) max_answer: usize,
    /// The most memory decoding one message may take, by
    /// [`decoded_bound`](crate::protocol::decoded_bound).
    pub(crate) max_decoded: usize,
}

/// The default cap on one message line: 64 MiB, far above the few MB of a
/// `vm info` of ten thousand VMs.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

/// The default cap on one whole answer gathered by `run`: 256 MiB.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 256 << 20;

/// The default cap on the memory one message may take once decoded, as
/// [`decoded_bound`](crate::protocol::decoded_bound) reckons it before
/// decoding: 1 GiB, several times what a `vm info` of ten thousand VMs is
/// reckoned at.
pub const DEFAULT_MAX_DECODED_BYTES: usize = 1 << 30;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_line: DEFAULT_MAX_LINE_BYTES,
            max_answer: DEFAULT_MAX_ANSWER_BYTES,
            max_decoded: DEFAULT_MAX_DECODED_BYTES,
        }
    }
}

impl Failures {
    /// Applies this policy to a whole answer: with [`Failures::Error`], a
    /// host's error makes it [`Error::Command`], and a host that was sent the
    /// command but did not answer makes it [`Error::Unanswered`].
    pub(crate) fn judge(self, responses: Responses) -> Result<Responses, Error> {
        if self == Failures::Keep {
            return Ok(responses);
        }
        let responses = responses.into_result()?;
        let missing = responses
            .missing_hosts()
            .into_iter()
            .map(str::to_owned)
            .collect();
        answered_by_all(missing, responses)
    }
}
