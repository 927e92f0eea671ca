//! Settings that shape how a command runs: how long to wait, and whether a
//! host's error fails the call. A client has defaults
//! ([`ClientBuilder`](crate::ClientBuilder)); [`RunOptions`] overrides them
//! for one command.

use std::time::Duration;

use crate::policy::Failures;

/// Overrides of the client's settings for one command; the default changes
/// nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    pub(crate) timeout: TimeoutChoice,
    pub(crate) failures: Option<Failures>,
}

/// How long one command waits: as the client says, or a choice of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum TimeoutChoice {
    /// The client's timeout.
    #[default]
    Client,
    /// At most this long.
    At(Duration),
    /// As long as it takes.
    Never,
}

impl TimeoutChoice {
    /// The timeout to use, given the client's (`None`: no limit).
    pub(crate) fn or_client(self, client: Option<Duration>) -> Option<Duration> {
        match self {
            TimeoutChoice::Client => client,
            TimeoutChoice::At(timeout) => Some(timeout),
            TimeoutChoice::Never => None,
        }
    }
}

impl RunOptions {
    /// No overrides.
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// Waits at most `timeout` for the answer (for a stream: for each
    /// message). When it runs out the call fails with
    /// [`Error::Timeout`](crate::Error::Timeout) and the connection closes
    /// (unless nothing was sent yet).
    pub fn timeout(mut self, timeout: Duration) -> RunOptions {
        self.timeout = TimeoutChoice::At(timeout);
        self
    }

    /// Waits as long as it takes, whatever the client's default.
    pub fn no_timeout(mut self) -> RunOptions {
        self.timeout = TimeoutChoice::Never;
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
