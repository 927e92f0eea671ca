//! The runtime of the typed minimega API.
//!
//! - [`command`]: commands as values, and the builder that generated code
//!   drives;
//! - [`client`]: the connection to minimega's command socket;
//! - [`namespace`]: scoped handles that run commands in a namespace;
//! - [`execute`]: what makes a target runnable;
//! - [`options`]: per-client and per-command settings;
//! - [`response`]: the typed answer, with helpers for tables and `Data`;
//! - [`stream`]: answers read as they arrive;
//! - [`tables`]: ready row types for `vm info`, `host` and `namespace`;
//! - [`raw`]: command lines written by hand;
//! - [`script`]: `.mm` scripts checked while compiling, run line by line;
//! - [`version`]: comparing the spec's minimega version with the server's;
//! - [`wait`]: waiting for VMs to reach a state, get addresses, check in;
//! - [`protocol`]: the JSON exchanged on the socket;
//! - [`error`]: everything that can go wrong;
//! - `asynchronous` (feature `tokio`): the async client, on which the
//!   same generated builders run, awaited.
//!
//! The embedded mock minimega that the tests and examples run against is its
//! own crate, `minimega-mock`.
//!
//! ```no_run
//! use minimega_client::{Client, CommandLine, Execute, RunOptions};
//!
//! let mut mm = Client::connect()?;
//! let answer = mm.run_line("vm info")?;
//! for row in answer.rows() {
//!     println!("{} {:?} {:?}", row.host(), row.get("name"), row.get("state"));
//! }
//! let mut ns = mm.in_namespace("lab")?;
//! let line = CommandLine::from_tokens(["vm", "launch", "kvm", "3"]);
//! (&mut ns).execute(line, RunOptions::new())?;
//! # Ok::<(), minimega_client::Error>(())
//! ```
//!
//! # Sharing a client
//!
//! A [`Client`] is `Send` but every command takes it by `&mut`: one command
//! at a time, as minimega's socket protocol requires. Threads share one
//! client through a `Mutex<Client>`, or each open their own (minimega serves
//! any number of connections).

#![warn(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
pub mod cc;
pub mod client;
pub mod command;
pub mod error;
pub mod execute;
pub mod namespace;
pub mod options;
pub use minimega_protocol as protocol;
pub mod raw;
pub mod response;
pub mod script;
pub mod stream;
pub mod tables;
pub mod version;
pub mod wait;

mod cells;
mod connect;
mod connection;
mod outgoing;
mod preprocess;

pub use client::{Client, ClientBuilder, DEFAULT_BASE, DEFAULT_SOCKET};
pub use command::{
    Arg, ArgValue, Args, ArgumentError, Builder, Cmd, CommandLine, Complete, Expand, Many, One,
    Target,
};
pub use error::{Error, Failure, FailureKind, Refusal};
pub use execute::Execute;
pub use namespace::{validate_namespace, Namespace};
pub use options::{Failures, RunOptions};
pub use raw::Raw;
pub use response::{Response, Responses, Row};
pub use script::{OnError, RunsLines, Script, ScriptError, Step};
pub use stream::{Event, ResponseStream, DRAIN_ON_DROP};
pub use version::VersionCheck;
pub use wait::Wait;

#[cfg(feature = "tokio")]
pub use asynchronous::{
    AsyncClient, AsyncNamespace, AsyncResponseStream, AsyncWait, NamespaceBlock, Pool, Pooled,
    RunFuture, StreamFuture,
};
