//! The runtime of the typed minimega API.
//!
//! Every type is at the crate's root, except the typed rows of
//! [`tables`] and [`cc`], and the wire types of [`protocol`]. Inside, the
//! modules form layers that point one way (no module imports one above
//! it; `tests/it/layers.rs` checks the import graph):
//!
//! 1. **Answers**: what minimega says. `response` (one [`Response`] per
//!    host, gathered in [`Responses`]), `failure` (a host's error and its
//!    [`FailureKind`]), [`tables`] (typed rows), `cells` (reading table
//!    cells), `excerpt` (how errors quote).
//! 2. **Errors**: `error` ([`Error`], [`Refusal`]); then `decode` (reading
//!    answers as Rust values) and `policy` (the failure policy,
//!    [`Failures`]: whether a host's error is an `Err`), [`cc`].
//! 3. **Values**: what a command is. `arg` ([`Arg`], [`Expand`],
//!    [`ArgumentError`]), `line` ([`CommandLine`]), `options`
//!    ([`RunOptions`]), `execute` ([`Target`], [`Execute`]), `command`
//!    ([`Cmd`], [`Builder`], [`Complete`], [`Command`]), `handwritten`
//!    (lines written by hand), `preprocess` and `outgoing` (what a line
//!    becomes on the wire).
//! 4. **Connection**: `connection` (one read path, faults turned into
//!    errors in one place) and `connect` (opening the socket).
//! 5. **Running**: where and how a command runs. `client` ([`Client`]),
//!    `namespace` ([`Namespace`] handles), `site` (the one internal answer
//!    to "where": a client and the scope of its lines), `stream`
//!    ([`ResponseStream`]), `wait` ([`Wait`]), `script` (`.mm` scripts run
//!    line by line), `version`, and `asynchronous` (feature `tokio`: the
//!    async client, on which the same generated builders run, awaited).
//!
//! The embedded mock minimega that the tests and examples run against is its
//! own crate, `minimega-mock`.
//!
//! ```no_run
//! # mod minimega { pub mod runtime { pub use minimega_client::*; } }
//! use minimega::runtime::{Client, CommandLine, Execute, RunOptions};
//!
//! let mut mm = Client::connect()?;
//! let answer = mm.run_line("vm info")?;
//! for row in answer.rows() {
//!     println!("{} {:?} {:?}", row.host(), row.get("name"), row.get("state"));
//! }
//! let mut ns = mm.in_namespace("lab")?;
//! let line = CommandLine::from_tokens(["vm", "launch", "kvm", "3"]);
//! (&mut ns).execute(line, RunOptions::new())?;
//! # Ok::<(), minimega::runtime::Error>(())
//! ```
//!
//! # Sharing a client
//!
//! A [`Client`] is `Send` but every command takes it by `&mut`: one command
//! at a time, as minimega's socket protocol requires. Threads share one
//! client through a `Mutex<Client>`, or each open their own (minimega serves
//! any number of connections).

#![warn(missing_docs)]

pub mod cc;
pub use minimega_protocol as protocol;
pub mod tables;

mod arg;
#[cfg(feature = "tokio")]
mod asynchronous;
mod cells;
mod client;
mod command;
mod connect;
mod connection;
mod decode;
mod error;
mod excerpt;
mod execute;
mod failure;
mod handwritten;
mod line;
mod namespace;
mod options;
mod outgoing;
mod policy;
mod preprocess;
mod response;
mod script;
mod site;
mod stream;
mod version;
mod wait;

pub use arg::{Arg, ArgValue, Args, ArgumentError, Expand, Many, One};
pub use client::{Client, ClientBuilder, DEFAULT_BASE, DEFAULT_SOCKET};
pub use command::{Builder, Cmd, Command, Complete};
pub use error::{Error, Refusal};
pub use execute::{Execute, Target};
pub use failure::{Failure, FailureKind};
pub use line::CommandLine;
pub use namespace::Namespace;
pub use options::{
    RunOptions, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_LINE_BYTES,
};
pub use outgoing::validate_namespace;
pub use policy::Failures;
pub use response::{Response, Responses, Row};
pub use script::{OnError, RunsLines, Script, ScriptError, Step};
pub use stream::{Event, ResponseStream, DRAIN_ON_DROP};
pub use version::VersionCheck;
pub use wait::{Wait, POLL_EVERY};

#[cfg(feature = "tokio")]
pub use asynchronous::{
    AsyncCheck, AsyncClient, AsyncNamespace, AsyncResponseStream, AsyncWait, NamespaceBlock, Pool,
    Pooled, RunFuture, StreamFuture,
};
