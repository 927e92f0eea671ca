//! The daemon's session: `history` and `clear history`, and `clear all`,
//! which returns the daemon to how it started; `debug`'s profiles, as
//! empty files (and only where the mock's `shell` may make files: see
//! [`super::shell`]; elsewhere, not simulated). Bare `debug` is not
//! simulated.

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vlans::Vlans;
use super::super::{Ctx, MatchedCommand, World, WILDCARD};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("history", Simple(history)),
        ("clear history", Simple(clear_history)),
        ("clear all", Simple(clear_all)),
        ("debug <memory,> <file>", Simple(debug)),
        ("debug <goroutine,> <file>", Simple(debug)),
        ("debug <cpu,> <start,> <file>", Simple(debug)),
        ("debug <cpu,> <stop,>", Simple(debug)),
    ])
}

/// `history`: the commands recorded since the last `clear history`.
fn history(
    world: &mut World,
    _: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    r.response = world.history.join("\n");
    Ok(())
}

fn clear_history(
    world: &mut World,
    _: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world.history.clear();
    Ok(())
}

/// `clear all`: as minimega's, `clear namespace all` (here and, for a
/// client's command, on every other node), `clear vlans all`, `clear
/// plumb`, `clear pipe` and `clear history`.
fn clear_all(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let everywhere = !(ctx.local || ctx.via_mesh);
    for node in 0..world.nodes().len() {
        if node == ctx.node || everywhere {
            world.destroy_namespace(node, WILDCARD);
        }
        if node == ctx.node {
            world.node_mut(node).plumber.clear();
        }
    }
    world.vlans = Vlans::default();
    world.history.clear();
    Ok(())
}

/// `debug memory|goroutine <file>`, `debug cpu start <file>|stop`.
fn debug(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    if let Some(file) = cmd.m.value("file") {
        let file = world.in_files(file);
        let Some(path) = super::shell::allowed(world, &file, true) else {
            ctx.unsimulated();
            return Ok(());
        };
        std::fs::write(&path, "").map_err(|e| format!("open {file}: {e}"))?;
        world.made_paths.insert(path);
    }
    if cmd.m.chose("start") {
        if world.cpu_profile {
            return Err("CPU profile still running".into());
        }
        world.cpu_profile = true;
    } else if cmd.m.chose("stop") {
        if !world.cpu_profile {
            return Err("CPU profile not running".into());
        }
        world.cpu_profile = false;
    }
    Ok(())
}
