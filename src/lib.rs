//! A compile-time checked, typed Rust API for [minimega].
//!
//! Every minimega command is a chain of methods that follows its words, built
//! from minimega's own command spec when this crate compiles:
//!
//! ```
//! use minimega::prelude::*;
//!
//! let launch = Cmd.vm().launch().kvm(10).config("web");
//! assert_eq!(launch.render().unwrap(), "vm launch kvm 10 web");
//!
//! // A `(command)` slot takes another typed command.
//! let everywhere = Cmd.mesh().send("all", Cmd.vm().info());
//! assert_eq!(everywhere.render().unwrap(), "mesh send all vm info");
//! ```
//!
//! Commands built on `Cmd` are plain values; `on` moves one onto a
//! connection or namespace handle to run it there:
//!
//! ```no_run
//! use minimega::prelude::*;
//! use minimega::runtime::Client;
//!
//! let mut mm = Client::connect()?;
//! mm.vm().launch().kvm(2).run()?; // built and run on the connection
//! let info = Cmd.vm().info(); // built alone...
//! for vm in info.on(&mut mm).run()?.rows() {
//!     // ...run later, one row per VM and host
//!     println!("{}: {:?}", vm.host(), vm.get("name"));
//! }
//! # Ok::<(), minimega::runtime::Error>(())
//! ```
//!
//! A command that reads a setting and one that changes it differ by their
//! arguments, and the read has its own name, so forgetting the value fails
//! to compile rather than reading:
//!
//! ```
//! use minimega::prelude::*;
//!
//! assert_eq!(Cmd.vm().config().memory(2048).render().unwrap(), "vm config memory 2048");
//! assert_eq!(Cmd.vm().config().memory_current().render().unwrap(), "vm config memory");
//! // A list takes one value, split into words as at minimega's prompt, or
//! // any iterator of values, each one item.
//! assert_eq!(Cmd.cc().exec("uname -a").render().unwrap(), "cc exec uname -a");
//! assert_eq!(
//!     Cmd.cc().exec(["sh", "-c", "echo a b"]).render().unwrap(),
//!     r#"cc exec sh -c "echo a b""#
//! );
//! ```
//!
//! An unknown command, an option that is not one of a choice's, a missing
//! argument, or running a command that is not whole yet, fails to compile:
//!
//! ```compile_fail
//! use minimega::prelude::*;
//! Cmd.vm().render(); // `vm` alone is not a command: it wants `info`, `launch`, …
//! ```
//!
//! ```compile_fail
//! use minimega::prelude::*;
//! Cmd.vm().config().memory().render(); // the read is `memory_current()`
//! ```
//!
//! # minimega lines
//!
//! [`cmd!`] takes a minimega line, checks it against the spec while
//! compiling, and makes the same typed command; `{expr}` and `{}` stand for
//! one argument value each:
//!
//! ```
//! use minimega::cmd;
//! use minimega::prelude::*;
//!
//! let count = 10;
//! assert_eq!(
//!     cmd!("vm launch kvm {count}").render().unwrap(),
//!     Cmd.vm().launch().kvm(count).render().unwrap()
//! );
//! assert_eq!(cmd!("vm config memory {}", 2048).render().unwrap(), "vm config memory 2048");
//! ```
//!
//! ```compile_fail
//! let _ = minimega::cmd!("vm lunch kvm 5"); // unknown word `lunch` after `vm`: did you mean `launch`?
//! ```
//!
//! [`script!`] checks a `.mm` file the same way while compiling and runs
//! its lines in order ([`runtime::Script`]); the `minimega-check` program
//! checks script files without Rust. A command the spec's help marks
//! deprecated is a warning, reported by rustc's `deprecated` lint with
//! the line's place (`deprecated.mm:4:4: warning: …`), so
//! `#![deny(warnings)]` makes it an error:
//!
//! ```
//! let warned = minimega::script!("tests/scripts/deprecated.mm"); // compiles, with a warning
//! # let _ = warned;
//! ```
//!
//! ```compile_fail
//! #![deny(deprecated)]
//! let warned = minimega::script!("tests/scripts/deprecated.mm");
//! # let _ = warned;
//! ```
//!
//! # Values arrive as written
//!
//! minimega rewrites `$VAR`, `${VAR}` and `file:`/`http:`/`tar:` prefixes in
//! every argument before a command runs. A typed argument reaches the
//! command as written: the client turns minimega's preprocessor off for a
//! command whose values it would touch. Ask for the expansion with
//! [`runtime::Expand`]; hand-written lines (`raw`) keep minimega's own
//! behaviour.
//!
//! ```
//! use minimega::prelude::*;
//! use minimega::runtime::Expand;
//!
//! let fetched = Cmd.vm().config().kernel(Expand("file:vmlinuz")); // minimega fetches it
//! let kept = Cmd.vm().config().hostname("db-$1"); // arrives as `db-$1`
//! # let _ = (fetched, kept);
//! ```
//!
//! # What is where
//!
//! - [`api`]: the generated API of minimega 3.1.0, and [`api_map`]: every
//!   pattern with its Rust call;
//! - [`runtime`]: the connection ([`runtime::Client`]), namespace handles,
//!   answers ([`runtime::Responses`]), typed rows ([`runtime::tables`]),
//!   waiting on VMs ([`runtime::Wait`]) and errors ([`runtime::Error`]);
//! - [`generate_api!`]: the same API for another minimega version's spec;
//! - [`spec`]: the spec, its grammar and minimega's input language;
//! - `mock` (feature `mock`): an embedded mock minimega for tests and
//!   examples (the `minimega-mock` crate), and its clients
//!   (`mock::MockClient`, in the prelude).
//!
//! # Async
//!
//! With the `tokio` feature, the same API runs on
//! `runtime::AsyncClient`, awaited; waits come from
//! `runtime::AsyncWait`, in the prelude:
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # async fn lab() -> Result<(), minimega::runtime::Error> {
//! use std::time::Duration;
//! use minimega::prelude::*;
//! use minimega::runtime::{tables::VmState, AsyncClient};
//!
//! let mut mm = AsyncClient::connect().await?;
//! mm.vm().launch().kvm("web[1-3]").run().await?;
//! mm.vm().start("all").run().await?;
//! mm.wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(60)).await?;
//! # Ok(()) }
//! ```
//!
//! Every command is traced with [`tracing`](https://docs.rs/tracing) at
//! debug level, under the target `minimega`: its line, namespace, time,
//! hosts and errors.
//!
//! [minimega]: https://github.com/sandia-minimega/minimega

#![warn(missing_docs)]

extern crate self as minimega;

#[doc(inline)]
pub use minimega_client as runtime;
#[doc(hidden)]
pub use minimega_macros::__cmd_in;
#[doc(hidden)]
pub use minimega_macros::__script_in;
#[doc(inline)]
pub use minimega_macros::cmd;
#[doc(inline)]
pub use minimega_macros::generate_api;
#[doc(inline)]
pub use minimega_macros::script;
#[doc(inline)]
pub use minimega_spec as spec;

#[cfg(feature = "mock")]
pub mod mock;

/// Emits its items when this crate's `mock` feature is on: a generated API
/// defines `mock()` through it, so a user crate without the mock still
/// compiles.
#[cfg(feature = "mock")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_mock {
    ($($item:item)*) => { $($item)* };
}

#[cfg(not(feature = "mock"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_mock {
    ($($item:item)*) => {};
}

/// The typed API of minimega 3.1.0, from the spec shipped with
/// `minimega-spec` (its `spec()` is [`spec::shipped()`]).
pub mod api {
    // Compiler notes about a generated method ("defined here") show this
    // line, so it says where the methods are described.
    minimega_macros::generate_api!(/* every method and its pattern: docs/api-map.md */);
}

#[doc = include_str!("../docs/api-map.md")]
pub mod api_map {}

/// The traits and types nearly every script uses.
pub mod prelude {
    pub use crate::api::Commands;
    pub use crate::runtime::{Cmd, Complete, Wait};

    #[cfg(feature = "tokio")]
    pub use crate::runtime::AsyncWait;

    #[cfg(feature = "mock")]
    pub use crate::mock::MockClient;
}
