//! Scoped namespace handles.
//!
//! A [`Namespace`] runs every command as `namespace <name> <command>`, which
//! minimega runs in that namespace without changing its active namespace:
//! other clients and other handles are unaffected. Handles nest, and the
//! innermost name wins. The client never sends a plain `namespace <name>`.

use crate::client::Client;
use crate::command::Command;
use crate::command::Complete;
use crate::error::Error;
use crate::outgoing::validate_namespace;
use crate::response::Responses;

/// A handle on a client that runs commands in one namespace (or, made by
/// [`Client::unscoped`], in none). `C` is the client: a blocking [`Client`],
/// or (feature `tokio`) an `AsyncClient`, whose handle is
/// `AsyncNamespace`.
///
/// A handle borrows its client, so keep it for a block of commands, or make
/// one per statement to mix namespaced and plain commands:
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// let mut lab = mm.in_namespace("lab")?;
/// lab.raw("vm launch kvm 3")?.run()?; // sent as `namespace lab vm launch kvm 3`
/// let mut inner = lab.in_namespace("lab2")?;
/// inner.run_line("vm info")?; // `namespace lab2 vm info`: the innermost wins
///
/// mm.in_namespace("lab")?.run_line("vm start all")?; // one statement
/// mm.run_line("vm info")?; // and the client is free again
/// # Ok::<(), minimega::runtime::Error>(())
/// ```
#[derive(Debug)]
pub struct Namespace<'c, C = Client> {
    pub(crate) client: &'c mut C,
    /// `None` for an unscoped handle.
    pub(crate) name: Option<String>,
}

impl<'c, C> Namespace<'c, C> {
    pub(crate) fn new(client: &'c mut C, name: &str) -> Result<Namespace<'c, C>, Error> {
        validate_namespace(name)?;
        Ok(Namespace {
            client,
            name: Some(name.to_owned()),
        })
    }

    pub(crate) fn unscoped(client: &'c mut C) -> Namespace<'c, C> {
        Namespace { client, name: None }
    }

    /// The namespace's name; `None` for an unscoped handle.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// A handle for namespace `name`, borrowing this one; its commands run
    /// in `name`, not in this handle's namespace.
    pub fn in_namespace(&mut self, name: &str) -> Result<Namespace<'_, C>, Error> {
        Namespace::new(&mut *self.client, name)
    }
}

impl<'c> Namespace<'c> {
    /// A hand-written line, checked against the spec, to run in this
    /// namespace (see [`Client::raw`]).
    pub fn raw(&mut self, line: &str) -> Result<Command<&mut Namespace<'c>>, Error> {
        let spec = self.client.spec();
        Command::checked(self, spec, line)
    }

    /// A hand-written line, not checked against the spec (see
    /// [`Client::raw_unchecked`]).
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Command<&mut Namespace<'c>>, Error> {
        Command::unchecked(self, line)
    }

    /// Checks and runs a hand-written line in this namespace:
    /// `raw(line)?.run()`.
    pub fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        self.raw(line)?.run()
    }
}

/// Namespace handles on a blocking client (they live here, with the
/// handle, so that the client knows nothing of them).
impl Client {
    /// A handle that runs every command as `namespace name <command>`,
    /// without switching minimega's active namespace. Handles nest; the
    /// innermost name wins. A handle borrows the client for as long as it
    /// lives; to hold handles on several namespaces at once, give each its
    /// own connection with [`Client::connect_in`].
    ///
    /// (The generated `namespace` command stays what it is on a client:
    /// `mm.namespace(name, command)` runs one command there, and
    /// `mm.namespace_current()` lists the namespaces.)
    pub fn in_namespace(&mut self, name: &str) -> Result<Namespace<'_>, Error> {
        Namespace::new(self, name)
    }

    /// Runs `block` with a handle on namespace `name`, as Python's `with`
    /// block would: every command on the handle runs in `name`, and the
    /// client is free again afterwards.
    ///
    /// ```no_run
    /// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
    /// use minimega::runtime::Client;
    ///
    /// let mut mm = Client::connect()?;
    /// let answer = mm.with_namespace("lab", |lab| {
    ///     lab.run_line("vm launch kvm 2")?;
    ///     lab.run_line("vm info")
    /// })?;
    /// # Ok::<(), minimega::runtime::Error>(())
    /// ```
    pub fn with_namespace<R>(
        &mut self,
        name: &str,
        block: impl FnOnce(&mut Namespace<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        block(&mut self.in_namespace(name)?)
    }

    /// A handle whose commands run without any namespace prefix, even when
    /// the client has a default namespace.
    pub fn unscoped(&mut self) -> Namespace<'_> {
        Namespace::unscoped(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_minimegas_rule() {
        for good in ["foo", "a-b_c.d", "X9"] {
            assert!(validate_namespace(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "foo/bar", "é", "a;b", "\"x\"", ".", ".."] {
            let error = validate_namespace(bad).unwrap_err();
            assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
        }
        let longest = minimega_spec::harmful::MAX_FILE_NAME;
        assert!(validate_namespace(&"n".repeat(longest)).is_ok());
        let long = validate_namespace(&"n".repeat(longest + 1)).unwrap_err();
        assert!(long.to_string().contains("255"), "{long}");
    }
}
