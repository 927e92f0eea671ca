//! A connection's outbox: what waits to be written to its socket. The
//! reading thread pushes answers (waiting for room) and status messages
//! (dropped when there is none); the writing thread pops them. Closing it
//! wakes both.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use crate::lock;

/// How many bytes may wait in a connection's outbox before answers wait
/// for room and status messages are dropped.
pub(crate) const OUTBOX_BYTES: usize = 1 << 20;

/// Something for a connection's writing thread to do.
pub(crate) enum Item {
    Bytes(Vec<u8>),
    /// Close the socket once what was queued before is written.
    Close,
}

#[derive(Default)]
struct OutState {
    queue: VecDeque<Item>,
    bytes: usize,
    closed: bool,
}

/// What waits to be written to one connection.
#[derive(Default)]
pub(crate) struct Outbox {
    state: Mutex<OutState>,
    changed: Condvar,
}

/// Whether a message went into an outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    Queued,
    /// The outbox was full and the message could be dropped.
    Dropped,
    /// The connection is closed.
    Closed,
}

impl Outbox {
    /// Queues `item`; when the outbox is full, waits for room if `wait`,
    /// else drops it.
    pub(crate) fn push(&self, item: Item, wait: bool) -> Pushed {
        let size = match &item {
            Item::Bytes(bytes) => bytes.len(),
            Item::Close => 0,
        };
        let mut state = lock(&self.state);
        loop {
            if state.closed {
                return Pushed::Closed;
            }
            // One message larger than the outbox still goes, alone.
            if state.bytes == 0 || state.bytes + size <= OUTBOX_BYTES {
                break;
            }
            if !wait {
                return Pushed::Dropped;
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.bytes += size;
        state.queue.push_back(item);
        self.changed.notify_all();
        Pushed::Queued
    }

    /// The next thing to write; `None` once the outbox is closed.
    pub(crate) fn pop(&self) -> Option<Item> {
        let mut state = lock(&self.state);
        loop {
            if state.closed {
                return None;
            }
            if let Some(item) = state.queue.pop_front() {
                if let Item::Bytes(bytes) = &item {
                    state.bytes -= bytes.len();
                }
                self.changed.notify_all();
                return Some(item);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Drops what is queued and refuses more; waiting pushes return.
    pub(crate) fn close(&self) {
        let mut state = lock(&self.state);
        state.closed = true;
        state.queue.clear();
        state.bytes = 0;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_drops_statuses_and_holds_answers() {
        let outbox = Outbox::default();
        assert_eq!(
            outbox.push(Item::Bytes(vec![0; OUTBOX_BYTES]), false),
            Pushed::Queued
        );
        assert_eq!(outbox.push(Item::Bytes(vec![1]), false), Pushed::Dropped);
        outbox.close();
        assert_eq!(outbox.push(Item::Bytes(vec![1]), true), Pushed::Closed);
        assert!(outbox.pop().is_none());
    }
}
