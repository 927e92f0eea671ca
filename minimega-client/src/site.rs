//! Where a command runs: a client's connection and the scope its lines get
//! (the client's own namespace, a handle's namespace, or none). [`Site`] is
//! the one internal answer to "where" that running ([`Execute`]), waiting
//! ([`Wait`](crate::Wait), `AsyncWait`) and previews share; this module also
//! runs commands on the blocking sites.

use crate::client::Client;
use crate::error::Error;
use crate::execute::Execute;
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

impl<'a> Execute<'a> for &'a mut Client {
    type Run = Result<Responses, Error>;
    type Stream = Result<ResponseStream<'a>, Error>;

    fn execute(self, line: CommandLine, options: RunOptions) -> Result<Responses, Error> {
        let (client, scope) = self.site();
        client.execute_in(scope, line, options)
    }

    fn execute_stream(
        self,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'a>, Error> {
        let (client, scope) = self.site();
        client.stream_in(scope, line, options)
    }

    fn preview(&self, line: CommandLine) -> Result<String, Error> {
        let (client, scope) = self.view();
        client.preview_in(scope, line)
    }
}

impl<'a, 'c: 'a> Execute<'a> for &'a mut Namespace<'c> {
    type Run = Result<Responses, Error>;
    type Stream = Result<ResponseStream<'a>, Error>;

    fn execute(self, line: CommandLine, options: RunOptions) -> Result<Responses, Error> {
        let (client, scope) = self.site();
        client.execute_in(scope, line, options)
    }

    fn execute_stream(
        self,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'a>, Error> {
        let (client, scope) = self.site();
        client.stream_in(scope, line, options)
    }

    fn preview(&self, line: CommandLine) -> Result<String, Error> {
        let (client, scope) = self.view();
        client.preview_in(scope, line)
    }
}
