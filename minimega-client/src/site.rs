//! Where a command runs: a client's connection and the scope its lines get
//! (the client's own namespace, a handle's namespace, or none). [`Site`] is
//! the one internal answer to "where" that running ([`Execute`]), waiting
//! ([`Wait`](crate::Wait), `AsyncWait`) and previews share; this module also
//! runs commands on the blocking sites.

use crate::client::Client;
use crate::error::Error;
use crate::execute::{Execute, Target};
use crate::line::CommandLine;
use crate::namespace::Namespace;
use crate::options::RunOptions;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::stream::ResponseStream;

/// A client, or a namespace handle on one: where its commands' lines run.
/// Sealed: it is public only so that [`Wait`](crate::Wait) can require it.
pub trait Site {
    /// The client whose connection carries the lines.
    type Client;

    /// The client and the scope of this site's lines.
    fn site(&mut self) -> (&mut Self::Client, Scope<'_>);

    /// [`Site::site`], shared: for previews, which send nothing.
    fn view(&self) -> (&Self::Client, Scope<'_>);
}

impl Site for Client {
    type Client = Client;

    fn site(&mut self) -> (&mut Client, Scope<'_>) {
        (self, Scope::Client)
    }

    fn view(&self) -> (&Client, Scope<'_>) {
        (self, Scope::Client)
    }
}

impl<C> Site for Namespace<'_, C> {
    type Client = C;

    fn site(&mut self) -> (&mut C, Scope<'_>) {
        (&mut *self.client, scope_of(&self.name))
    }

    fn view(&self) -> (&C, Scope<'_>) {
        (&*self.client, scope_of(&self.name))
    }
}

/// The scope of a namespace handle's lines: its namespace, or none for an
/// unscoped handle.
fn scope_of(name: &Option<String>) -> Scope<'_> {
    match name.as_deref() {
        Some(name) => Scope::Namespace(name),
        None => Scope::Bare,
    }
}

/// A client type, and how it runs a line in a scope: the blocking
/// [`Client`] answers at once, the async client with a future. One
/// [`Execute`] impl serves every site through it.
pub trait Runner {
    /// What running a line gives (see [`Execute::Run`]).
    type Run<'a>
    where
        Self: 'a;
    /// What streaming a line gives (see [`Execute::Stream`]).
    type Stream<'a>
    where
        Self: 'a;

    /// Runs `line` in `scope` and reads its whole answer.
    fn run_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> Self::Run<'a>;

    /// Runs `line` in `scope` and streams its answer.
    fn stream_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> Self::Stream<'a>;

    /// The line as it would be sent in `scope`; nothing is sent.
    fn preview_in(&self, scope: Scope<'_>, line: CommandLine) -> Result<String, Error>;
}

impl Runner for Client {
    type Run<'a> = Result<Responses, Error>;
    type Stream<'a> = Result<ResponseStream<'a>, Error>;

    fn run_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<Responses, Error> {
        self.execute_in(scope, line, options)
    }

    fn stream_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'a>, Error> {
        Client::stream_in(self, scope, line, options)
    }

    fn preview_in(&self, scope: Scope<'_>, line: CommandLine) -> Result<String, Error> {
        Client::preview_in(self, scope, line)
    }
}

impl<S: Site> Target for &mut S {}

impl<'a, S> Execute<'a> for &'a mut S
where
    S: Site,
    S::Client: Runner + 'a,
{
    type Run = <S::Client as Runner>::Run<'a>;
    type Stream = <S::Client as Runner>::Stream<'a>;

    fn execute(self, line: CommandLine, options: RunOptions) -> Self::Run {
        let (client, scope) = self.site();
        client.run_in(scope, line, options)
    }

    fn execute_stream(self, line: CommandLine, options: RunOptions) -> Self::Stream {
        let (client, scope) = self.site();
        client.stream_in(scope, line, options)
    }

    fn preview(&self, line: CommandLine) -> Result<String, Error> {
        let (client, scope) = (**self).view();
        client.preview_in(scope, line)
    }
}
