//! `bridge`: the host's Open vSwitch bridges as minimega lists them, and
//! trunk ports added and removed (`bridge trunk|notrunk`). A host knows
//! the default bridge and every bridge a VM's tap, a host tap or a trunk
//! was put on (they outlive them, as in minimega); none pre-exists, none
//! has tunnels, bonds or a configuration. Nothing is made on the host.

use std::collections::{BTreeMap, BTreeSet};

use minimega_protocol::WireResponse;

use super::super::netspec::DEFAULT_BRIDGE;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::State;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("bridge", Simple(list)),
        ("bridge <trunk,> <bridge> <interface>", Simple(trunk)),
        ("bridge <notrunk,> <bridge> <interface>", Simple(trunk)),
    ])
}

/// `bridge trunk|notrunk <bridge> <interface>`: the bridge is made if new,
/// as minimega makes it.
fn trunk(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let bridge = cmd.m.value("bridge").unwrap_or_default().to_owned();
    let port = cmd.m.value("interface").unwrap_or_default().to_owned();
    let trunks = world.node_mut(ctx.node).bridges.entry(bridge).or_default();
    if cmd.m.chose("trunk") {
        if trunks.contains(&port) {
            return Err(format!("bridge already trunking to {port}").into());
        }
        trunks.insert(port);
    } else if !trunks.remove(&port) {
        return Err(format!("unknown trunk: {port}").into());
    }
    Ok(())
}

/// `bridge`: every bridge of the host with the VLANs of its taps (as the
/// command's namespace names them), its trunks and the rest empty.
fn list(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns_name(ctx);
    let node = world.node(ctx.node);
    // Listing makes the default bridge in minimega, so it is always there.
    let mut vlans: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    vlans.entry(DEFAULT_BRIDGE).or_default();
    for bridge in node.bridges.keys() {
        vlans.entry(bridge).or_default();
    }
    let live = node
        .namespaces
        .values()
        .flat_map(|there| there.vms.iter())
        .filter(|vm| !matches!(vm.state, State::Quit | State::Error));
    for nic in live
        .flat_map(|vm| vm.nics.iter())
        .filter(|n| !n.tap.is_empty())
    {
        vlans.entry(&nic.bridge).or_default().insert(nic.vlan);
    }
    for tap in world.host_taps.values().filter(|t| t.node == ctx.node) {
        vlans.entry(&tap.bridge).or_default().insert(tap.vlan);
    }
    let list = |items: Vec<String>| format!("[{}]", items.join(" "));
    let rows = vlans
        .into_iter()
        .map(|(bridge, numbers)| {
            let mut shown: Vec<String> =
                numbers.iter().map(|v| world.vlans.print(&ns, *v)).collect();
            shown.sort();
            let trunks = node.bridges.get(bridge).cloned().unwrap_or_default();
            vec![
                bridge.to_owned(),
                "false".to_owned(),
                list(shown),
                list(trunks.into_iter().collect()),
                "[]".to_owned(),
                "[]".to_owned(),
                "{}".to_owned(),
            ]
        })
        .collect();
    let header = [
        "bridge",
        "preexisting",
        "vlans",
        "trunks",
        "tunnels",
        "bonds",
        "config",
    ];
    r.header = Some(header.map(String::from).to_vec());
    r.tabular = Some(rows);
    Ok(())
}
