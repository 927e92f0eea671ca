//! What makes a command runnable: its target must be a connection.
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

use crate::client::Client;
use crate::command::{CommandLine, Target};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::options::RunOptions;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::stream::ResponseStream;

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

impl<'a> Execute<'a> for &'a mut Client {
    type Run = Result<Responses, Error>;
    type Stream = Result<ResponseStream<'a>, Error>;

    fn execute(self, line: CommandLine, options: RunOptions) -> Result<Responses, Error> {
        self.execute_in(Scope::Client, line, options)
    }

    fn execute_stream(
        self,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'a>, Error> {
        self.stream_in(Scope::Client, line, options)
    }

    fn preview(&self, line: CommandLine) -> Result<String, Error> {
        self.preview_in(Scope::Client, line)
    }
}

impl<'a, 'c: 'a> Execute<'a> for &'a mut Namespace<'c> {
    type Run = Result<Responses, Error>;
    type Stream = Result<ResponseStream<'a>, Error>;

    fn execute(self, line: CommandLine, options: RunOptions) -> Result<Responses, Error> {
        let (client, scope) = self.parts();
        client.execute_in(scope, line, options)
    }

    fn execute_stream(
        self,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'a>, Error> {
        let (client, scope) = self.parts();
        client.stream_in(scope, line, options)
    }

    fn preview(&self, line: CommandLine) -> Result<String, Error> {
        let (client, scope) = self.view();
        client.preview_in(scope, line)
    }
}
