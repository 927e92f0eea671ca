//! `tap` and `clear tap`: host taps (made on a bridge, listed and deleted
//! per namespace) and mirrors of a VM's interface, as minimega keeps
//! them. Nothing is made on the host: no tap, no IP, no DHCP client.

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, HostTap, MatchedCommand, World, WILDCARD};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("tap", Simple(tap)),
        ("tap <create,> <vlan>", Simple(tap)),
        ("tap <create,> <vlan> name <tap name>", Simple(tap)),
        ("tap <create,> <vlan> <dhcp,> [tap name]", Simple(tap)),
        ("tap <create,> <vlan> ip <ip> [tap name]", Simple(tap)),
        ("tap <create,> <vlan> bridge <bridge>", Simple(tap)),
        (
            "tap <create,> <vlan> bridge <bridge> name [tap name]",
            Simple(tap),
        ),
        (
            "tap <create,> <vlan> bridge <bridge> <dhcp,> [tap name]",
            Simple(tap),
        ),
        (
            "tap <create,> <vlan> bridge <bridge> ip <ip> [tap name]",
            Simple(tap),
        ),
        ("tap <delete,> <tap name or all>", Simple(tap)),
        (
            "tap <mirror,> <vm name> <interface index> <vm2 name> <interface2 index>",
            Target(mirror_vm),
        ),
        ("clear tap", Simple(clear)),
        ("clear tap <mirror,> [name]", Simple(clear)),
        (
            "clear tap <mirror,> <vm name> <interface index or all>",
            Target(clear),
        ),
    ])
}

/// Words minimega keeps for itself.
fn reserved(word: &str) -> bool {
    word == WILDCARD
}

fn tap(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let ns_name = world.ns_name(ctx);
    if m.chose("create") {
        let vlan = world
            .vlans
            .lookup(&ns_name, m.value("vlan").unwrap_or_default())?;
        let bridge = m.value("bridge").unwrap_or("mega_bridge").to_owned();
        let mut name = m.value("tap").unwrap_or_default().to_owned();
        if reserved(&bridge) {
            return Err(
                format!("`{bridge}` is a reserved word -- cannot use for bridge name").into(),
            );
        }
        if reserved(&name) {
            return Err(format!("`{name}` is a reserved word -- cannot use for tap name").into());
        }
        if name.is_empty() {
            name = format!("mega_tap{}", world.next_tap(ctx.node));
        }
        if world.host_taps.contains_key(&name) {
            return Err("tap already on bridge".into());
        }
        // minimega makes the bridge with the first tap on it, and keeps it.
        let bridges = &mut world.node_mut(ctx.node).bridges;
        bridges.entry(bridge.clone()).or_default();
        world.host_taps.insert(
            name.clone(),
            HostTap {
                bridge,
                vlan,
                node: ctx.node,
            },
        );
        world.ns(ctx).taps.insert(name.clone());
        r.response = name;
        return Ok(());
    }
    if m.chose("delete") {
        return delete(world, ctx, m.value("tap").unwrap_or_default()).map_err(Failure::from);
    }
    r.header = Some(["bridge", "tap", "vlan"].map(str::to_owned).to_vec());
    let names: Vec<String> = world.ns(ctx).taps.iter().cloned().collect();
    r.tabular = Some(
        names
            .into_iter()
            .filter_map(|name| {
                let tap = world.host_taps.get(&name)?;
                Some(vec![
                    tap.bridge.clone(),
                    name,
                    world.vlans.print(&ns_name, tap.vlan),
                ])
            })
            .collect(),
    );
    Ok(())
}

/// minimega's `hostTapDelete`: one tap of the namespace, or all of them.
fn delete(world: &mut World, ctx: &Ctx, which: &str) -> Result<(), String> {
    let names: Vec<String> = if which == WILDCARD {
        world.ns(ctx).taps.iter().cloned().collect()
    } else {
        vec![which.to_owned()]
    };
    for name in names {
        if !world.host_taps.contains_key(&name) {
            // A VM's tap is a tap, but not a host tap.
            let vm_tap = world
                .ns(ctx)
                .vms
                .iter()
                .any(|vm| vm.nics.iter().any(|n| n.tap == name));
            return Err(if vm_tap {
                "not a host tap"
            } else {
                "unknown tap"
            }
            .to_owned());
        }
        if !world.ns(ctx).taps.remove(&name) {
            return Err("not a host tap in active namespace".to_owned());
        }
        world.host_taps.remove(&name);
    }
    Ok(())
}

/// The tap of a VM's interface, as `tap mirror` looks for it.
fn network(world: &mut World, ctx: &Ctx, vm: &str, index: &str) -> Result<String, Failure> {
    let i: usize = index
        .parse()
        .map_err(|_| format!("invalid interface number: `{index}`"))?;
    let ns = world.ns(ctx);
    let id = ns
        .vms
        .find(vm)
        .ok_or_else(|| Failure::VmNotFound(vm.to_string()))?;
    let found = ns
        .vms
        .get_mut(id)
        .and_then(|v| v.nics.get(i).map(|n| n.tap.clone()));
    found.ok_or_else(|| format!("no such interface {i} for {vm}").into())
}

fn mirror_vm(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let (vm1, vm2) = (
        m.value("vm").unwrap_or_default(),
        m.value("vm2").unwrap_or_default(),
    );
    let n1 = network(world, ctx, vm1, m.value("interface").unwrap_or_default());
    let n2 = network(world, ctx, vm2, m.value("interface2").unwrap_or_default());
    let (src, dst) = match (n1, n2) {
        (Err(Failure::VmNotFound(_)), Ok(_)) => {
            return Err(format!("vms are not colocated or invalid vm name: {vm1}").into())
        }
        (Err(e), _) => return Err(e),
        (Ok(_), Err(Failure::VmNotFound(_))) => {
            return Err(format!("vms are not colocated or invalid vm name: {vm2}").into())
        }
        (Ok(_), Err(e)) => return Err(e),
        (Ok(src), Ok(dst)) => (src, dst),
    };
    let _ = src;
    world.ns(ctx).mirrors.insert(dst);
    Ok(())
}

fn clear(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let ns = world.ns(ctx);
    if !m.chose("mirror") {
        ns.mirrors.clear();
        return delete(world, ctx, WILDCARD).map_err(Failure::from);
    }
    if let Some(vm) = m.value("vm").map(str::to_owned) {
        let index = m.value("interface").unwrap_or_default().to_owned();
        let taps: Vec<String> = if index == WILDCARD {
            let id = ns
                .vms
                .find(&vm)
                .ok_or_else(|| Failure::VmNotFound(vm.to_string()))?;
            ns.vms
                .get_mut(id)
                .map(|v| v.nics.iter().map(|n| n.tap.clone()).collect())
                .unwrap_or_default()
        } else {
            vec![network(world, ctx, &vm, &index)?]
        };
        let ns = world.ns(ctx);
        for tap in taps {
            if index == WILDCARD && !ns.mirrors.contains(&tap) {
                continue;
            }
            if !ns.mirrors.remove(&tap) {
                return Err("not a valid mirror".into());
            }
        }
        return Ok(());
    }
    match m.value("name") {
        Some(name) if name != WILDCARD => {
            if !ns.mirrors.remove(name) {
                return Err("not a valid mirror".into());
            }
        }
        _ => ns.mirrors.clear(),
    }
    Ok(())
}
