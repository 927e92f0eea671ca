//! Namespaces: `namespace` (list, switch, run a command in one), `clear
//! namespace` and `ns hosts`.
use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{
    valid_name, Batch, Ctx, MatchedCommand, ReadScript, World, DEFAULT_NAMESPACE, INVALID_NAME,
};
use super::fixed;
use crate::names;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("ns <hosts,>", Simple(ns_hosts)),
        ("namespace [name]", Whole(namespace)),
        ("namespace <name> (command)", Whole(namespace_command)),
        ("clear namespace [name]", Whole(clear_namespace)),
    ])
}

pub(crate) fn ns_hosts(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    r.response = names::unsplit(&world.ns(ctx).hosts);
    Ok(())
}

/// `namespace`: the namespaces this node holds; `namespace <name>`:
/// switches the node's active namespace.
pub(crate) fn namespace(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: Option<&ReadScript>,
) -> Vec<Batch> {
    if let Some(name) = cmd.m.value("name") {
        if !valid_name(name) {
            return world.fail(ctx, INVALID_NAME.to_owned());
        }
        world.set_active(ctx.node, name);
        return world.ok(ctx);
    }
    world.namespace(ctx.node, DEFAULT_NAMESPACE);
    let node = world.node(ctx.node);
    let rows = node
        .namespaces
        .keys()
        .map(|name| {
            // The default namespace shows the default VLAN range.
            let key = if name == DEFAULT_NAMESPACE { "" } else { name };
            let vlans = world
                .vlans
                .range(key)
                .map(|r| format!("{}-{}", r.min, r.max))
                .unwrap_or_default();
            vec![name.clone(), vlans, (*name == node.active).to_string()]
        })
        .collect();
    vec![Batch::of(vec![WireResponse {
        host: node.name.clone(),
        header: Some(vec!["namespace".into(), "vlans".into(), "active".into()]),
        tabular: Some(rows),
        ..WireResponse::default()
    }])]
}

/// `namespace <name> (command)`: the command, run in that namespace.
pub(crate) fn namespace_command(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    script: Option<&ReadScript>,
) -> Vec<Batch> {
    let name = cmd.m.value("name").unwrap_or_default().to_owned();
    if !valid_name(&name) {
        return world.fail(ctx, INVALID_NAME.to_owned());
    }
    world.namespace(ctx.node, &name);
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let inner = Ctx {
        ns: Some(name),
        ..ctx.clone()
    };
    world.dispatch(&inner, sub, script)
}

/// `clear namespace <name>`: gone here and, for a client's command, on
/// every other node of the mesh too; without a name, back to the default.
pub(crate) fn clear_namespace(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: Option<&ReadScript>,
) -> Vec<Batch> {
    let Some(name) = cmd.m.value("name") else {
        world.set_active(ctx.node, DEFAULT_NAMESPACE);
        return world.ok(ctx);
    };
    world.destroy_namespace(ctx.node, name);
    if ctx.local || ctx.via_mesh {
        return world.ok(ctx);
    }
    let mut responses = world.ok(ctx).remove(0).responses;
    for node in (0..world.nodes().len()).filter(|n| *n != ctx.node) {
        world.destroy_namespace(node, name);
        responses.push(WireResponse {
            host: world.node(node).name.clone(),
            ..WireResponse::default()
        });
    }
    vec![Batch::of(responses)]
}
