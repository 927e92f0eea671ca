//! The blocking client against servers that misbehave on purpose, one
//! script each. Whatever the server does, an answer is never delivered to
//! the wrong command, deadlines hold, memory stays capped, and the client
//! stays usable or clearly closed. The async client meets the same servers
//! in `async_hostile_server`.
//!
//! - `answers`: answers left unread, unasked for, malformed or cut off, and
//!   lines and paths refused before anything is sent;
//! - `deadlines`: servers that never read, trickle, never end or flood
//!   status messages, against deadlines, waits and the caps on memory.

mod answers;
mod deadlines;
