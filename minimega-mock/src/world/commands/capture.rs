//! `capture` and `clear capture`: the namespace's packet captures of a
//! VM's interface or a bridge (pcap) and of a bridge to a file (netflow),
//! listed as minimega lists them. Nothing is captured and no file is
//! written; the capture settings (`snaplen`, `filter`, `mode`, `gzip`,
//! `timeout`) are not simulated.

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World, WILDCARD};
use super::fixed;

/// One capture, as `capture` lists it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Capture {
    bridge: String,
    kind: &'static str,
    /// `vm:interface` for a VM's capture.
    interface: String,
    /// The VM captured, if any.
    vm: Option<String>,
    /// netflow's mode and compression.
    mode: String,
    compress: String,
    path: String,
}

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("capture", Broadcast(list)),
        (
            "capture <pcap,> vm <vm name> <interface index> <filename>",
            Target(vm),
        ),
        ("capture <pcap,> <delete,> vm <vm name>", Target(vm)),
        ("capture <pcap,> bridge <bridge> <filename>", Simple(bridge)),
        ("capture <pcap,> <delete,> bridge <bridge>", Simple(bridge)),
        (
            "capture <netflow,> <bridge,> <bridge> <filename>",
            Simple(bridge),
        ),
        (
            "capture <netflow,> <delete,> bridge <bridge>",
            Simple(bridge),
        ),
        ("clear capture [netflow,pcap]", Broadcast(clear)),
    ])
}

fn list(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    r.header = Some(
        ["bridge", "type", "interface", "mode", "compress", "path"]
            .map(str::to_owned)
            .to_vec(),
    );
    r.tabular = Some(
        world
            .ns(ctx)
            .captures
            .iter()
            .map(|c| {
                vec![
                    c.bridge.clone(),
                    c.kind.to_owned(),
                    c.interface.clone(),
                    c.mode.clone(),
                    c.compress.clone(),
                    c.path.clone(),
                ]
            })
            .collect(),
    );
    Ok(())
}

/// `capture pcap vm <vm> <interface> <file>` and `capture pcap delete vm
/// <vm or all>`.
fn vm(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let name = m.value("vm").unwrap_or_default().to_owned();
    if m.chose("delete") {
        let captures = &mut world.ns(ctx).captures;
        let before = captures.len();
        captures.retain(|c| {
            !(c.vm.as_deref() == Some(name.as_str()) || (name == WILDCARD && c.vm.is_some()))
        });
        if captures.len() == before {
            return Err(Failure::VmNotFound(name.to_string()));
        }
        return Ok(());
    }
    let index = m.value("interface").unwrap_or_default();
    let i: usize = index
        .parse()
        .map_err(|_| format!("invalid interface: `{index}`"))?;
    let file = world.in_files(m.value("filename").unwrap_or_default());
    let ns = world.ns(ctx);
    let id = ns
        .vms
        .find(&name)
        .ok_or_else(|| Failure::VmNotFound(name.to_string()))?;
    let bridge = ns
        .vms
        .get_mut(id)
        .and_then(|v| v.nics.get(i).map(|n| n.bridge.clone()))
        .ok_or_else(|| format!("no such interface {i} for {name}"))?;
    ns.captures.push(Capture {
        bridge,
        kind: "pcap",
        interface: format!("{name}:{i}"),
        vm: Some(name),
        path: file,
        ..Capture::default()
    });
    Ok(())
}

/// A bridge's pcap or netflow capture to a file, started or stopped.
fn bridge(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let kind = if m.chose("netflow") {
        "netflow"
    } else {
        "pcap"
    };
    let name = m.value("bridge").unwrap_or_default().to_owned();
    if m.chose("delete") {
        world.ns(ctx).captures.retain(|c| {
            !(c.kind == kind && c.vm.is_none() && (c.bridge == name || name == WILDCARD))
        });
        return Ok(());
    }
    let file = world.in_files(m.value("filename").unwrap_or_default());
    let (mode, compress) = if kind == "netflow" {
        ("raw".to_owned(), "false".to_owned())
    } else {
        (String::new(), String::new())
    };
    world.ns(ctx).captures.push(Capture {
        bridge: name,
        kind,
        mode,
        compress,
        path: file,
        ..Capture::default()
    });
    Ok(())
}

fn clear(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world.ns(ctx).captures.clear();
    Ok(())
}
