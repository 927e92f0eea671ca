//! What the mock received, in order, each request marked with how it was
//! answered; only the most recent requests are kept.

use std::collections::VecDeque;

/// How the mock answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answered {
    /// By its simulation of minimega.
    Simulated,
    /// By a stub the test set up (for the line, or for a pattern in it).
    Stubbed,
    /// With minimega's error: not a command of the spec, or a request that
    /// is neither a command nor a suggestion.
    Invalid,
    /// A valid command (or a part of one) the mock does not simulate:
    /// answered with an empty success, as if minimega had nothing to say.
    NotSimulated,
}

/// One request the mock received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The command line, or the text to complete, as sent.
    pub line: String,
    /// Whether it asked for completions rather than running a command.
    pub suggest: bool,
    /// How it was answered.
    pub answered: Answered,
}

/// The most recent requests, at most `capacity` of them, and how many older
/// ones were dropped.
#[derive(Debug, Clone)]
pub(crate) struct Log {
    entries: VecDeque<Received>,
    dropped: u64,
    capacity: usize,
}

impl Log {
    pub(crate) fn new(capacity: usize) -> Log {
        Log {
            entries: VecDeque::new(),
            dropped: 0,
            capacity,
        }
    }

    pub(crate) fn push(&mut self, received: Received) {
        if self.capacity == 0 {
            self.dropped += 1;
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(received);
    }

    pub(crate) fn entries(&self) -> Vec<Received> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str) -> Received {
        Received {
            line: line.to_owned(),
            suggest: false,
            answered: Answered::Simulated,
        }
    }

    #[test]
    fn keeps_the_last_requests_and_counts_the_others() {
        let mut log = Log::new(2);
        for line in ["a", "b", "c"] {
            log.push(command(line));
        }
        let lines: Vec<String> = log.entries().into_iter().map(|r| r.line).collect();
        assert_eq!(lines, ["b", "c"]);
        assert_eq!(log.dropped(), 1);
        let mut none = Log::new(0);
        none.push(command("x"));
        assert!(none.entries().is_empty());
        assert_eq!(none.dropped(), 1);
    }
}
