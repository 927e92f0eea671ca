//! Scoped namespace handles.
//!
//! A [`Namespace`] runs every command as `namespace <name> <command>`, which
//! minimega runs in that namespace without changing its active namespace:
//! other clients and other handles are unaffected. Handles nest, and the
//! innermost name wins. The client never sends a plain `namespace <name>`.

use minimega_spec::harmful::ValueRule;

use crate::client::Client;
use crate::command::{Complete, Target};
use crate::error::Error;
use crate::outgoing::Scope;
use crate::raw::Raw;
use crate::response::Responses;

/// Checks a namespace name against the rule for names minimega makes
/// directories of ([`ValueRule::FileName`]): minimega's own name rule,
/// `^[a-zA-Z0-9-_.]+$`, not `.` or `..`, and at most
/// [`MAX_FILE_NAME`](minimega_spec::harmful::MAX_FILE_NAME) bytes. The same
/// rule holds a `namespace` or `clear namespace` line on every route.
pub fn validate_namespace(name: &str) -> Result<(), Error> {
    ValueRule::FileName
        .check(name)
        .map_err(|problem| Error::InvalidNamespace {
            name: crate::error::excerpt(name),
            problem,
        })
}

fn scope_of(name: Option<&str>) -> Scope<'_> {
    match name {
        Some(name) => Scope::Namespace(name),
        None => Scope::Bare,
    }
}

/// A handle on a client that runs commands in one namespace (or, made by
/// [`Client::unscoped`], in none). `C` is the client: a blocking [`Client`],
/// or (feature `tokio`) an `AsyncClient`, whose handle is
/// `AsyncNamespace`.
///
/// A handle borrows its client, so keep it for a block of commands, or make
/// one per statement to mix namespaced and plain commands:
///
/// ```no_run
/// use minimega_client::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// let mut lab = mm.in_namespace("lab")?;
/// lab.raw("vm launch kvm 3")?.run()?; // sent as `namespace lab vm launch kvm 3`
/// let mut inner = lab.in_namespace("lab2")?;
/// inner.run_line("vm info")?; // `namespace lab2 vm info`: the innermost wins
///
/// mm.in_namespace("lab")?.run_line("vm start all")?; // one statement
/// mm.run_line("vm info")?; // and the client is free again
/// # Ok::<(), minimega_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Namespace<'c, C = Client> {
    client: &'c mut C,
    /// `None` for an unscoped handle.
    name: Option<String>,
}

impl<C> Target for &mut Namespace<'_, C> {}

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

    pub(crate) fn parts(&mut self) -> (&mut C, Scope<'_>) {
        let scope = scope_of(self.name.as_deref());
        (&mut *self.client, scope)
    }

    pub(crate) fn view(&self) -> (&C, Scope<'_>) {
        (&*self.client, scope_of(self.name.as_deref()))
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
    pub fn raw(&mut self, line: &str) -> Result<Raw<&mut Namespace<'c>>, Error> {
        let spec = self.client.spec();
        Raw::checked(self, spec, line)
    }

    /// A hand-written line, not checked against the spec (see
    /// [`Client::raw_unchecked`]).
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Raw<&mut Namespace<'c>>, Error> {
        Raw::unchecked(self, line)
    }

    /// Checks and runs a hand-written line in this namespace:
    /// `raw(line)?.run()`.
    pub fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        self.raw(line)?.run()
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
