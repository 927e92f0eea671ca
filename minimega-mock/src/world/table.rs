//! The dispatch table: every command the mock simulates, registered under
//! its exact pattern text, with how minimega runs it.
//!
//! The table is checked against the mock's spec when the mock starts
//! ([`check`]): a key that is not a pattern of the spec is a mistake in the
//! mock, or a spec of a minimega version that lacks the command, and the
//! mock refuses to start unless told those commands may go unsimulated.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use minimega_protocol::WireResponse;
use minimega_spec::{PatternId, Spec};

use super::{Batch, Ctx, MatchedCommand, ReadScript, World};

/// Why a handler failed on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The VM the command names is not on this host: for a command that
    /// went to every host ([`Dispatch::Target`]), another host may have it.
    VmNotFound(String),
    /// Any other error, as minimega words it.
    Error(String),
}

impl Failure {
    /// minimega's text for the failure.
    pub(crate) fn into_message(self) -> String {
        match self {
            Failure::VmNotFound(name) => format!("vm not found: {name}"),
            Failure::Error(message) => message,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Error(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Error(message.to_owned())
    }
}

/// A handler that fills in one host's response, or fails.
pub(crate) type Local =
    fn(&mut World, &Ctx, &MatchedCommand, &mut WireResponse) -> Result<(), Failure>;

/// A handler that answers for itself, in batches.
pub(crate) type Whole = fn(&mut World, &Ctx, &MatchedCommand, Option<&ReadScript>) -> Vec<Batch>;

/// How minimega runs a command.
#[derive(Clone, Copy)]
pub(crate) enum Dispatch {
    /// On the node it was given to: one response.
    Simple(Local),
    /// On every host of the namespace: one response per host, in one
    /// message.
    Broadcast(Local),
    /// As [`Dispatch::Broadcast`], for commands that name VMs: hosts that
    /// found none of them stay silent, and if no host found any, one
    /// "vm not found" answers.
    Target(Local),
    /// The handler answers for itself.
    Whole(Whole),
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dispatch::Simple(_) => "Simple",
            Dispatch::Broadcast(_) => "Broadcast",
            Dispatch::Target(_) => "Target",
            Dispatch::Whole(_) => "Whole",
        })
    }
}

impl Dispatch {
    pub(crate) fn run(
        self,
        world: &mut World,
        ctx: &Ctx,
        cmd: &MatchedCommand,
        script: Option<&ReadScript>,
    ) -> Vec<Batch> {
        match self {
            Dispatch::Simple(local) => vec![Batch::of(vec![one(world, ctx, cmd, local)])],
            Dispatch::Broadcast(local) => vec![Batch::of(fan_out(world, ctx, cmd, local))],
            Dispatch::Target(local) => {
                let answers = fan_out_answers(world, ctx, cmd, local);
                if ctx.local {
                    return vec![Batch::of(answers.into_iter().map(|(r, _)| r).collect())];
                }
                let found = answers.iter().any(|(r, _)| r.error.is_empty());
                let mut not_found = None;
                let kept: Vec<WireResponse> = answers
                    .into_iter()
                    .filter_map(|(r, missing)| match missing {
                        Some(name) => {
                            not_found = Some(Failure::VmNotFound(name).into_message());
                            None
                        }
                        None => Some(r),
                    })
                    .collect();
                match not_found {
                    Some(error) if !found && kept.is_empty() => world.fail(ctx, error),
                    _ => vec![Batch::of(kept)],
                }
            }
            Dispatch::Whole(whole) => whole(world, ctx, cmd, script),
        }
    }
}

/// One host's response: `local` run on the command's node.
fn one(world: &mut World, ctx: &Ctx, cmd: &MatchedCommand, local: Local) -> WireResponse {
    answer(world, ctx, cmd, local).0
}

/// One host's response, and the VM it did not find if that is why it
/// failed.
fn answer(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    local: Local,
) -> (WireResponse, Option<String>) {
    let mut response = WireResponse {
        host: world.node(ctx.node).name.clone(),
        ..WireResponse::default()
    };
    let mut missing = None;
    if let Err(failure) = local(world, ctx, cmd, &mut response) {
        if let Failure::VmNotFound(name) = &failure {
            missing = Some(name.clone());
        }
        response.error = failure.into_message();
    }
    (response, missing)
}

/// `local` run on every host of the command's namespace (or only here, when
/// the fan-out already happened).
fn fan_out(world: &mut World, ctx: &Ctx, cmd: &MatchedCommand, local: Local) -> Vec<WireResponse> {
    fan_out_answers(world, ctx, cmd, local)
        .into_iter()
        .map(|(response, _)| response)
        .collect()
}

/// As [`fan_out`], with the VM each host did not find (see [`answer`]).
fn fan_out_answers(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    local: Local,
) -> Vec<(WireResponse, Option<String>)> {
    if ctx.local {
        return vec![answer(world, ctx, cmd, local)];
    }
    let ns = world.ns_name(ctx);
    let hosts = world.ns(ctx).hosts.clone();
    let nodes: Vec<usize> = hosts
        .iter()
        .filter_map(|host| world.node_index(host))
        .collect();
    nodes
        .into_iter()
        .map(|node| {
            let here = Ctx {
                request: Rc::clone(&ctx.request),
                node,
                ns: Some(ns.clone()),
                local: true,
                via_mesh: ctx.via_mesh || node != ctx.node,
                preprocess: ctx.preprocess,
            };
            let (response, missing) = answer(world, &here, cmd, local);
            if node == ctx.node {
                (response, missing)
            } else {
                (super::through_mesh(response), missing)
            }
        })
        .collect()
}

/// Every command the mock simulates, by its pattern in minimega 3.1.0.
pub(crate) fn entries() -> Vec<(String, Dispatch)> {
    super::commands::entries()
}

/// The table resolved against `spec`: the patterns the mock simulates, by
/// id. With `allow_missing`, keys the spec lacks are left out; without, they
/// are the error.
pub(crate) fn check(
    spec: &Spec,
    allow_missing: bool,
) -> Result<BTreeMap<PatternId, Dispatch>, Vec<String>> {
    let ids: HashMap<&str, PatternId> = spec
        .patterns()
        .map(|(id, pattern)| (pattern.text.as_str(), id))
        .collect();
    let mut table = BTreeMap::new();
    let mut missing = Vec::new();
    for (key, handler) in entries() {
        match ids.get(key.as_str()) {
            Some(id) => {
                table.insert(*id, handler);
            }
            None => missing.push(key),
        }
    }
    if missing.is_empty() || allow_missing {
        Ok(table)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_a_pattern_of_the_shipped_spec() {
        let spec = minimega_spec::shipped();
        let table = check(spec, false).unwrap_or_else(|missing| {
            panic!("keys that are not patterns of the shipped spec: {missing:?}")
        });
        let keys = entries();
        assert_eq!(table.len(), keys.len(), "every key is registered once");
        let mut texts: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), keys.len(), "no key is registered twice");
    }

    #[test]
    fn a_spec_without_some_keys_is_refused_unless_allowed() {
        let spec = Spec::from_json(
            r#"[{"help_short":"","help_long":"","shared_prefix":"echo",
                 "patterns":["echo [args]..."],"parsed_patterns":[]}]"#,
        )
        .unwrap();
        let missing = check(&spec, false).unwrap_err();
        assert!(missing.contains(&"version".to_owned()));
        assert!(!missing.contains(&"echo [args]...".to_owned()));
        assert_eq!(check(&spec, true).unwrap().len(), 1);
    }
}
