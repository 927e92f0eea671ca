//! One guarantee, tested from every side: whatever goes wrong on the
//! socket, an answer is never delivered to the wrong command, deadlines
//! hold, memory stays capped, and the client stays usable or is clearly
//! closed (`reconnect` recovers).
//!
//! - `mock_effects`: faults the embedded mock injects on request (stalls,
//!   disconnects, malformed lines) into otherwise real answers;
//! - `hostile_server`: servers scripted line by line to misbehave (answers
//!   that never end or come unasked, huge lines, servers that never read),
//!   in two files: what is answered (`answers`) and when (`deadlines`);
//! - `async_hostile_server`: the same servers against the async client,
//!   plus the faults only a future has (dropped at any poll), split the
//!   same way.
//!
//! The facade's `answers_stay_in_step` property tests drive random
//! sequences of commands, dropped streams and futures through the
//! generated API over the mock.

mod hostile_server;
mod mock_effects;

#[cfg(feature = "tokio")]
mod async_hostile_server;
