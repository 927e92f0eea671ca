//! Namespaces on the async client: a borrowed handle
//! ([`AsyncClient::in_namespace`]), a block run in one
//! ([`AsyncClient::with_namespace`]), and an owned client on a connection
//! of its own ([`AsyncClient::connect_in`]).

use std::future::Future;
use std::pin::Pin;

use super::AsyncClient;
use crate::command::Command;
use crate::error::Error;
use crate::namespace::Namespace;
use crate::response::Responses;
use crate::site::Site;

/// A namespace handle on an [`AsyncClient`]: every command runs as
/// `namespace <name> <command>` (see [`Namespace`]).
pub type AsyncNamespace<'c> = Namespace<'c, AsyncClient>;

/// The future a block given to [`AsyncClient::with_namespace`] returns,
/// boxed: `|lab| Box::pin(async move { .. })`. Boxed so that it may borrow
/// the handle it is given across its `.await`s, which a closure returning
/// a plain future cannot say on Rust 1.80 (async closures came in 1.85).
pub type NamespaceBlock<'n, R> = Pin<Box<dyn Future<Output = Result<R, Error>> + Send + 'n>>;

impl AsyncClient {
    /// A handle that runs every command as `namespace name <command>` (see
    /// [`Client::in_namespace`](crate::Client::in_namespace)).
    pub fn in_namespace(&mut self, name: &str) -> Result<AsyncNamespace<'_>, Error> {
        Namespace::new(self, name)
    }

    /// Runs `block` with a handle in namespace `name`, and gives what it
    /// gives: the async form of
    /// [`Client::with_namespace`](crate::Client::with_namespace). The
    /// client is free again once the block's future ends; a bad name fails
    /// before the block is called.
    ///
    /// ```no_run
    /// # async fn lab() -> Result<(), minimega_client::Error> {
    /// use minimega_client::AsyncClient;
    ///
    /// let mut mm = AsyncClient::connect().await?;
    /// let answer = mm
    ///     .with_namespace("lab", |lab| {
    ///         Box::pin(async move {
    ///             lab.run_line("vm launch kvm 2").await?; // `namespace lab vm launch kvm 2`
    ///             lab.run_line("vm info").await
    ///         })
    ///     })
    ///     .await?;
    /// mm.run_line("vm info").await?; // and the client is free again
    /// # Ok(()) }
    /// ```
    ///
    /// Dropped part-way, it costs what any dropped command costs (see the
    /// [`AsyncClient`](AsyncClient#what-a-dropped-future-costs)). For a namespace to hold on to, alongside
    /// other work, [`AsyncClient::connect_in`] opens an owned client.
    pub async fn with_namespace<R, F>(&mut self, name: &str, block: F) -> Result<R, Error>
    where
        F: for<'n> FnOnce(&'n mut AsyncNamespace<'_>) -> NamespaceBlock<'n, R>,
    {
        let mut handle = self.in_namespace(name)?;
        block(&mut handle).await
    }

    /// A handle whose commands run without any namespace prefix.
    pub fn unscoped(&mut self) -> AsyncNamespace<'_> {
        Namespace::unscoped(self)
    }

    /// Another connection to the same minimega, with this client's settings
    /// (not its status handler), whose every command runs in namespace
    /// `name`: an owned handle, to run alongside this one.
    pub async fn connect_in(&self, name: &str) -> Result<AsyncClient, Error> {
        let settings = self.settings.in_namespace(name)?;
        let conn = crate::connect::open_async(&settings.path, self.conn.limits()).await?;
        Ok(AsyncClient { settings, conn })
    }
}

impl<'c> AsyncNamespace<'c> {
    /// A hand-written line, checked against the spec, to run in this
    /// namespace.
    pub fn raw(&mut self, line: &str) -> Result<Command<&mut AsyncNamespace<'c>>, Error> {
        let spec = self.view().0.spec();
        Command::checked(self, spec, line)
    }

    /// A hand-written line, not checked against the spec.
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Command<&mut AsyncNamespace<'c>>, Error> {
        Command::unchecked(self, line)
    }

    /// Checks and runs a hand-written line in this namespace.
    pub async fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        use crate::command::Complete;
        self.raw(line)?.run().await
    }
}
