//! Settings that shape how a command runs: how long to wait, and whether a
//! host's error fails the call. A client has defaults
//! ([`ClientBuilder`](crate::ClientBuilder)); [`RunOptions`] overrides them
//! for one command.

use std::time::Duration;

/// What a host's error in the answer does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Failures {
    /// Any failing response makes the call return
    /// [`Error::Command`](crate::Error::Command) with every failing host.
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
    /// [`Error::Timeout`](crate::Error::Timeout) and the connection closes.
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
