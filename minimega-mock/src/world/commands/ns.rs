//! `ns`: a namespace's hosts (`add-hosts`, `del-hosts`), queued launches
//! (`queueing`, `flush`, `schedule`, its `dry-run`, `dump` and `mv`) and
//! `ns run`. (`ns hosts` is with the
//! namespaces.) `ns queue`, `ns load` and `ns bridge` are not simulated;
//! `ns save` is with `vm save`.

use std::rc::Rc;

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Batch, Ctx, MatchedCommand, ReadScript, World, WILDCARD};
use super::fixed;
use super::vm::{dry_run, run_queued};
use crate::names;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        (
            "ns <add-hosts,> <hostname or range or all>",
            Simple(add_hosts),
        ),
        (
            "ns <del-hosts,> <hostname or range or all>",
            Simple(del_hosts),
        ),
        ("ns <queueing,> [true,false]", Simple(queueing)),
        ("ns <flush,>", Simple(flush)),
        ("ns <schedule,>", Simple(schedule)),
        ("ns <schedule,> <dry-run,>", Simple(schedule)),
        ("ns <schedule,> <dump,>", Simple(schedule)),
        ("ns <schedule,> <mv,> <vm target> <dst>", Simple(schedule)),
        ("ns <run,> (command)", Whole(run)),
    ])
}

/// The hosts a command names: `localhost` is this node.
fn hosts(world: &World, ctx: &Ctx, cmd: &MatchedCommand) -> Result<Vec<String>, String> {
    let list = cmd.m.value("hostname").unwrap_or_default();
    let me = &world.node(ctx.node).name;
    Ok(names::split(list)
        .map_err(|e| format!("invalid hosts -- {e}"))?
        .into_iter()
        .map(|h| if h == "localhost" { me.clone() } else { h })
        .collect())
}

fn add_hosts(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let me = world.node(ctx.node).name.clone();
    let peers: Vec<String> = world
        .nodes()
        .iter()
        .map(|n| n.name.clone())
        .filter(|n| *n != me)
        .collect();
    let wanted = hosts(world, ctx, cmd)?;
    let mut adding = Vec::new();
    for host in wanted {
        if host == WILDCARD {
            adding = peers.clone();
            break;
        }
        if host != me && !peers.contains(&host) {
            return Err(format!("unknown host: `{host}`").into());
        }
        adding.push(host);
    }
    let ns = world.ns(ctx);
    for host in adding {
        if !ns.hosts.contains(&host) {
            ns.hosts.push(host);
        }
    }
    ns.hosts.sort();
    Ok(())
}

fn del_hosts(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let gone = hosts(world, ctx, cmd)?;
    let ns = world.ns(ctx);
    if gone.iter().any(|h| h == WILDCARD) {
        ns.hosts.clear();
    } else {
        ns.hosts.retain(|h| !gone.contains(h));
    }
    Ok(())
}

fn queueing(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns(ctx);
    if cmd.m.choices.contains("true") || cmd.m.choices.contains("false") {
        ns.queueing = cmd.m.chose("true");
    } else {
        r.response = ns.queueing.to_string();
    }
    Ok(())
}

fn flush(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world.ns(ctx).queue.clear();
    Ok(())
}

/// `ns schedule`: launches the queue; `dry-run` (or `dump`, after one)
/// shows where each queued VM goes.
fn schedule(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    if m.chose("dry-run") {
        let assignment = dry_run(world, ctx)?;
        world.ns(ctx).assignment = Some(assignment);
    }
    if m.chose("dry-run") || m.chose("dump") {
        let Some(assignment) = world.ns(ctx).assignment.clone() else {
            return Err("must run dry-run first".into());
        };
        r.header = Some(vec!["vm".to_owned(), "dst".to_owned()]);
        let rows: Vec<Vec<String>> = assignment
            .into_iter()
            .map(|(vm, dst)| vec![vm, dst])
            .collect();
        r.tabular = (!rows.is_empty()).then_some(rows);
        return Ok(());
    }
    if m.chose("mv") {
        let dst = m.value("dst").unwrap_or_default().to_owned();
        let ns = world.ns(ctx);
        let hosts = ns.hosts.clone();
        let Some(assignment) = ns.assignment.as_mut() else {
            return Err("must run dry-run first".into());
        };
        if !hosts.contains(&dst) {
            return Err("new dst host is not in namespace".into());
        }
        for vm in names::split(m.value("vm").unwrap_or_default())? {
            match assignment.iter_mut().find(|(name, _)| *name == vm) {
                Some(entry) => entry.1 = dst.clone(),
                None => return Err(format!("reassign {vm}: vm not found").into()),
            }
        }
        return Ok(());
    }
    let queue = std::mem::take(&mut world.ns(ctx).queue);
    run_queued(world, ctx, queue).map_err(Failure::from)
}

/// `ns run (command)`: the command on every host of the namespace, their
/// responses in one message.
fn run(world: &mut World, ctx: &Ctx, cmd: &MatchedCommand, _: Option<&ReadScript>) -> Vec<Batch> {
    if ctx.via_mesh {
        return world.fail(ctx, format!("cannot run `{}` via meshage", cmd.text));
    }
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let spec = world.spec();
    let text = spec.pattern(sub.m.id).text.as_str();
    for forbidden in ["read ", "mesh send ", "ns <run,>", "vm launch"] {
        if text.starts_with(forbidden) {
            return world.fail(ctx, format!("cannot run `{}` using `ns run`", sub.text));
        }
    }
    let ns = world.ns_name(ctx);
    let hosts = world.ns(ctx).hosts.clone();
    let mut responses = Vec::new();
    for host in hosts {
        let Some(node) = world.node_index(&host) else {
            continue;
        };
        let here = Ctx {
            request: Rc::clone(&ctx.request),
            node,
            ns: Some(ns.clone()),
            local: true,
            via_mesh: node != ctx.node,
            preprocess: ctx.preprocess,
        };
        for batch in world.dispatch(&here, sub, None) {
            responses.extend(batch.responses.into_iter().map(|r| {
                if node == ctx.node {
                    r
                } else {
                    super::super::through_mesh(r)
                }
            }));
        }
    }
    vec![Batch::of(responses)]
}
