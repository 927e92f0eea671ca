//! The async client against the servers of `hostile_server`, and against
//! the new fault it meets: a future dropped part-way, while its request is
//! being written or its answer read. Whatever the server does and wherever
//! a future is dropped, an answer is never delivered to the wrong command,
//! deadlines hold, memory stays capped, and the client stays usable or
//! clearly closed.
//!
//! - `answers`: futures and streams dropped part-way, answers unasked for,
//!   malformed or cut off, and what is refused before it is sent;
//! - `deadlines`: the deadline rules of the blocking client, on the shared
//!   connection and waits.

mod answers;
mod deadlines;
