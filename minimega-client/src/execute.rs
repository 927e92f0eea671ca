//! Where a command is built and whether it can run there: [`Target`] (what
//! a command is built on) and [`Execute`] (a target that runs it).
//!
//! [`Complete::run`](crate::Complete::run) and
//! [`Complete::stream`](crate::Complete::stream) are available exactly when
//! the command's target implements [`Execute`]: a `&mut Client` or a
//! `&mut Namespace`, or (feature `tokio`) a `&mut AsyncClient` or a
//! `&mut AsyncNamespace`. A command built on [`Cmd`](crate::Cmd) has no
//! connection, so running it does not compile.
//!
//! The target decides what running gives ([`Execute::Run`]): the answer
//! itself on a blocking client, a future of it on an async one. So one
//! generated API serves both: `mm.vm().info().run()?` and
//! `mm.vm().info().run().await?` are the same builders.

use crate::error::Error;
use crate::line::CommandLine;
use crate::options::RunOptions;

/// Something a command can be built on: [`Cmd`](crate::Cmd), a client, or
/// a namespace handle. The generated `Commands` trait is implemented for
/// every target.
pub trait Target {}

/// A target that can run command lines; `'a` is how long a stream over its
/// answer may borrow the connection.
#[diagnostic::on_unimplemented(
    message = "a command built on `{Self}` cannot run: it has no connection",
    label = "this command was built on `{Self}`",
    note = "build it on a client or namespace handle (`Client`, `AsyncClient`, `mm.in_namespace(..)`: `mm.vm().info()`), or move it there with `.on(&mut mm)`"
)]
pub trait Execute<'a>: Target + Sized {
    /// What running a command gives: `Result<Responses, Error>` on a
    /// blocking client, a future of it on an async one.
    type Run;

    /// What streaming a command gives: `Result<ResponseStream<'a>, Error>`
    /// on a blocking client, a future of an async stream on an async one.
    type Stream;

    /// Runs `line` and reads its whole answer. A line with an argument
    /// problem fails with [`Error::Argument`] before anything is sent.
    fn execute(self, line: CommandLine, options: RunOptions) -> Self::Run;

    /// Runs `line` and returns a stream over its answer, which holds the
    /// connection until dropped.
    fn execute_stream(self, line: CommandLine, options: RunOptions) -> Self::Stream;

    /// The line as it would be sent, after every check; nothing is sent.
    fn preview(&self, line: CommandLine) -> Result<String, Error>;
}
