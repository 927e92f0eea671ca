//! What one request carries through the world: the command it matched
//! (with its nested commands), where each command runs, and the report of
//! how the request was answered.

use std::cell::Cell;
use std::rc::Rc;

use minimega_spec::{input, Item, Match, Spec};

use crate::received::Answered;

/// A command line and its nested commands, each with its own text.
#[derive(Debug, Clone)]
pub(crate) struct MatchedCommand {
    pub(crate) m: Match,
    /// The command as minimega passes it on (its tokens, quoted).
    pub(crate) text: String,
    pub(crate) sub: Option<Box<MatchedCommand>>,
}

impl MatchedCommand {
    /// The command `m` matched from `tokens`, with its nested commands.
    pub(super) fn new(spec: &Spec, mut m: Match, tokens: &[String]) -> MatchedCommand {
        let sub = m.subcommand.take().map(|sub| {
            // Every item before a `(command)` takes exactly one token.
            let at = spec
                .pattern(m.id)
                .items
                .iter()
                .position(|item| matches!(item, Item::Command { .. }))
                .unwrap_or(tokens.len())
                .min(tokens.len());
            Box::new(MatchedCommand::new(spec, *sub, &tokens[at..]))
        });
        MatchedCommand {
            m,
            text: input::join(tokens),
            sub,
        }
    }
}

/// Where a command runs, and the request it is part of.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// What the request has come to so far, shared by every command it
    /// runs (nested, fanned out, or read from a script).
    pub(crate) request: Rc<RequestReport>,
    /// The node (index into the hosts, the head first).
    pub(crate) node: usize,
    /// The namespace it was told to run in; else the node's active one.
    pub(crate) ns: Option<String>,
    /// Run here only: minimega's fan-out already happened.
    pub(crate) local: bool,
    /// Sent by another node's `mesh send`.
    pub(crate) via_mesh: bool,
    /// Whether arguments are preprocessed.
    pub(crate) preprocess: bool,
}

impl Ctx {
    /// Marks the request as not simulated (wholly or in part).
    pub(crate) fn unsimulated(&self) {
        self.request.how.set(Answered::NotSimulated);
    }

    /// Notes a `mesh send` to `hosts` hosts in the request.
    pub(crate) fn count_mesh_hosts(&self, hosts: usize) {
        let most = self.request.mesh_hosts.get().max(hosts);
        self.request.mesh_hosts.set(most);
    }

    /// Marks the request as answered by a stub, unless part of it was not
    /// simulated.
    pub(super) fn stubbed(&self) {
        if self.request.how.get() != Answered::NotSimulated {
            self.request.how.set(Answered::Stubbed);
        }
    }
}

/// How one request was answered, filled in while its commands run (cells:
/// the handlers see the request through a shared `&Ctx`).
#[derive(Debug)]
pub(crate) struct RequestReport {
    pub(super) how: Cell<Answered>,
    /// How many hosts a `mesh send` in the request went to (0: none).
    pub(super) mesh_hosts: Cell<usize>,
}

impl Default for RequestReport {
    fn default() -> RequestReport {
        RequestReport {
            how: Cell::new(Answered::Simulated),
            mesh_hosts: Cell::new(0),
        }
    }
}

/// A script `read` runs, read by the caller before the command ran.
#[derive(Debug, Clone)]
pub(crate) struct ReadScript {
    /// The path as the command gives it (after preprocessing).
    pub(crate) path: String,
    /// Its text, or minimega's error for it.
    pub(crate) text: Result<String, String>,
}
