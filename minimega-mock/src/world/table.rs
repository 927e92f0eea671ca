//! The dispatch table: every command the mock simulates, registered under
//! its exact pattern text, with how minimega runs it.
//!
//! The table is checked against the mock's spec when the mock starts
//! ([`check`]): a key that is not a pattern of the spec is a mistake in the
//! mock, or a spec of a minimega version that lacks the command, and the
//! mock refuses to start unless told those commands may go unsimulated.

use std::collections::{BTreeMap, HashMap};

use minimega_client::protocol::WireResponse;
use minimega_spec::{PatternId, Spec};

use super::config::{Kind, FIELDS};
use super::handlers as h;
use super::{Batch, Cmd, Ctx, Script, World};

/// A handler that fills in one host's response, or fails with an error.
pub(crate) type Local = fn(&mut World, &Ctx, &Cmd, &mut WireResponse) -> Result<(), String>;

/// A handler that answers for itself, in batches.
pub(crate) type Whole = fn(&mut World, &Ctx, &Cmd, Option<&Script>) -> Vec<Batch>;

/// How minimega runs a command.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// On the node it was given to: one response.
    Simple(Local),
    /// On every host of the namespace: one response per host, in one
    /// message.
    Broadcast(Local),
    /// As [`Handler::Broadcast`], for commands that name VMs: hosts that
    /// found none of them stay silent, and if no host found any, one
    /// "vm not found" answers.
    Target(Local),
    /// The handler answers for itself.
    Whole(Whole),
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handler::Simple(_) => "Simple",
            Handler::Broadcast(_) => "Broadcast",
            Handler::Target(_) => "Target",
            Handler::Whole(_) => "Whole",
        })
    }
}

impl Handler {
    pub(crate) fn run(
        self,
        world: &mut World,
        ctx: &Ctx,
        cmd: &Cmd,
        script: Option<&Script>,
    ) -> Vec<Batch> {
        match self {
            Handler::Simple(local) => vec![Batch::of(vec![one(world, ctx, cmd, local)])],
            Handler::Broadcast(local) => vec![Batch::of(fan_out(world, ctx, cmd, local))],
            Handler::Target(local) => {
                let responses = fan_out(world, ctx, cmd, local);
                if ctx.local {
                    return vec![Batch::of(responses)];
                }
                let found = responses.iter().any(|r| r.error.is_empty());
                let mut not_found = None;
                let kept: Vec<WireResponse> = responses
                    .into_iter()
                    .filter_map(|r| {
                        if r.error.starts_with("vm not found: ") {
                            not_found = Some(r.error);
                            None
                        } else {
                            Some(r)
                        }
                    })
                    .collect();
                match not_found {
                    Some(error) if !found && kept.is_empty() => world.fail(ctx, error),
                    _ => vec![Batch::of(kept)],
                }
            }
            Handler::Whole(whole) => whole(world, ctx, cmd, script),
        }
    }
}

/// One host's response: `local` run on the command's node.
fn one(world: &mut World, ctx: &Ctx, cmd: &Cmd, local: Local) -> WireResponse {
    let mut response = WireResponse {
        host: world.node(ctx.node).name.clone(),
        ..WireResponse::default()
    };
    if let Err(error) = local(world, ctx, cmd, &mut response) {
        response.error = error;
    }
    response
}

/// `local` run on every host of the command's namespace (or only here, when
/// the fan-out already happened).
fn fan_out(world: &mut World, ctx: &Ctx, cmd: &Cmd, local: Local) -> Vec<WireResponse> {
    if ctx.local {
        return vec![one(world, ctx, cmd, local)];
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
                node,
                ns: Some(ns.clone()),
                local: true,
                via_mesh: ctx.via_mesh || node != ctx.node,
                preprocess: ctx.preprocess,
            };
            let response = one(world, &here, cmd, local);
            if node == ctx.node {
                response
            } else {
                super::through_mesh(response)
            }
        })
        .collect()
}

/// The fields of `host <field>`.
const HOST_FIELDS: [&str; 14] = [
    "cpucommit",
    "cpus",
    "load",
    "memcommit",
    "memtotal",
    "memused",
    "name",
    "netcommit",
    "rx",
    "tx",
    "uptime",
    "vms",
    "vmlimit",
    "androidvms",
];

/// Every command the mock simulates, by its pattern in minimega 3.1.0.
pub(crate) fn entries() -> Vec<(String, Handler)> {
    use Handler::*;
    let fixed: [(&str, Handler); 42] = [
        ("echo [args]...", Simple(h::echo)),
        ("version", Simple(h::version)),
        ("host", Broadcast(h::host)),
        ("ns <hosts,>", Simple(h::ns_hosts)),
        ("namespace [name]", Whole(h::namespace)),
        ("namespace <name> (command)", Whole(h::namespace_command)),
        ("clear namespace [name]", Whole(h::clear_namespace)),
        ("vm info [summary,]", Broadcast(h::vm_info)),
        ("vm launch", Simple(h::launch_queued)),
        (
            "vm launch <kvm,> <name or count> [config]",
            Simple(h::launch),
        ),
        (
            "vm launch <container,> <name or count> [config]",
            Simple(h::launch),
        ),
        (
            "vm launch <android,> <name or count> [config]",
            Simple(h::launch),
        ),
        ("vm <start,> <vm target>", Target(h::start)),
        ("vm <stop,> <vm target>", Target(h::stop)),
        ("vm <kill,> <vm target>", Target(h::kill)),
        ("vm tag <vm target> <key> <value>", Target(h::tag_set)),
        ("vm tag <vm target> [key or all]", Target(h::tag_read)),
        ("clear vm tag", Target(h::tag_clear)),
        ("clear vm tag <vm target> [tag]", Target(h::tag_clear)),
        ("vlans <add,> <alias> <vlan>", Simple(h::vlans_add)),
        ("vm <flush,>", Broadcast(h::flush_all)),
        ("vm <flush,> <vm target>", Broadcast(h::flush)),
        ("vm config", Simple(h::config_display)),
        ("vm config <save,> <name>", Simple(h::config_save)),
        ("vm config <restore,> [name]", Simple(h::config_restore)),
        (
            "vm config networks [netspec]...",
            Simple(h::config_networks),
        ),
        ("vm config disks [diskspec]...", Simple(h::config_unkept)),
        ("vm config bonds [bondspec]...", Simple(h::config_unkept)),
        ("vm config tags", Simple(h::config_map)),
        ("vm config tags <key> [value]", Simple(h::config_map)),
        ("vm config volume", Simple(h::config_map)),
        ("vm config volume <key> [value]", Simple(h::config_map)),
        ("vm config migrate [value]", Simple(h::config_field)),
        ("clear vm config", Simple(h::clear_config)),
        ("clear vm config <disks,>", Simple(h::clear_unkept)),
        ("clear vm config <bonds,>", Simple(h::clear_unkept)),
        ("clear vm config <qemu-override,>", Simple(h::clear_unkept)),
        ("clear vm config <migrate,>", Simple(h::clear_field)),
        (
            "mesh send <hostname or range or all> (command)",
            Whole(h::mesh_send),
        ),
        ("read <file> [check,]", Whole(h::read)),
        (".columns <columns as csv> (command)", Whole(h::columns)),
        (".filter <filter> (command)", Whole(h::filter)),
    ];
    let mut entries: Vec<(String, Handler)> = fixed
        .into_iter()
        .map(|(key, handler)| (key.to_owned(), handler))
        .collect();
    entries.push(("vlans".to_owned(), Simple(h::vlans)));
    for field in HOST_FIELDS {
        entries.push((format!("host <{field},>"), Broadcast(h::host)));
    }
    for flag in minimega_spec::daemon_wide::FLAG_BUILTINS {
        entries.push((format!("{flag} [true,false]"), Whole(h::flag)));
        entries.push((
            format!("{flag} <true,false> (command)"),
            Whole(h::flag_command),
        ));
    }
    for field in FIELDS {
        let read_or_set = match field.kind {
            Kind::Bool => format!("vm config {} [true,false]", field.name),
            Kind::List => format!("vm config {} [value]...", field.name),
            // Kept in the fixed entries above: their patterns differ.
            Kind::Map | Kind::Networks => String::new(),
            Kind::Str | Kind::Path | Kind::UInt | Kind::Int => {
                format!("vm config {} [value]", field.name)
            }
        };
        if !read_or_set.is_empty() {
            entries.push((read_or_set, Simple(h::config_field)));
        }
        entries.push((
            format!("clear vm config <{},>", field.name),
            Simple(h::clear_field),
        ));
    }
    entries
}

/// The table resolved against `spec`: the patterns the mock simulates, by
/// id. With `allow_missing`, keys the spec lacks are left out; without, they
/// are the error.
pub(crate) fn check(
    spec: &Spec,
    allow_missing: bool,
) -> Result<BTreeMap<PatternId, Handler>, Vec<String>> {
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
