//! The client's integration tests, in one binary (one module per subject,
//! helpers in `common`): the client against the embedded mock and against
//! hostile servers that misbehave on purpose, and the layering of the
//! crate's own modules.

mod common;

mod client;
mod faults;
mod layers;
mod namespaces;
mod streams;

#[cfg(feature = "tokio")]
mod async_client;
