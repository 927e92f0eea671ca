//! `vm net add|connect|disconnect`: a VM's interfaces changed after
//! launch, as minimega changes them (the mock moves no taps).

use minimega_protocol::WireResponse;

use super::super::netspec::NetSpec;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::Kind;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;
use super::vm::{apply, VmChange};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm net <add,> <vm target> [netspec]...", Target(add)),
        (
            "vm net <connect,> <vm target> <tap position> <vlan> [bridge]",
            Target(connect),
        ),
        (
            "vm net <disconnect,> <vm target> <tap position>",
            Target(disconnect),
        ),
    ])
}

/// The interface position, as Go's `strconv.Atoi` reads it.
fn position(cmd: &MatchedCommand) -> Result<usize, String> {
    let text = cmd.m.value("tap").unwrap_or_default();
    text.parse()
        .map_err(|_| format!("strconv.Atoi: parsing {text:?}: invalid syntax"))
}

fn step(result: Result<(), String>) -> VmChange {
    match result {
        Ok(()) => VmChange::Done,
        Err(error) => VmChange::Failed(error),
    }
}

fn disconnect(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let pos = position(cmd)?;
    apply(world, ctx, cmd, |vm, _| step(vm.disconnect(pos)))
}

fn connect(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let pos = position(cmd)?;
    let ns = world.ns_name(ctx);
    let vlan = world
        .vlans
        .lookup(&ns, cmd.m.value("vlan").unwrap_or_default())?;
    let shown = world.vlans.print(&ns, vlan);
    let bridge = cmd.m.value("bridge").unwrap_or_default().to_owned();
    apply(world, ctx, cmd, |vm, _| {
        step(vm.connect(pos, vlan, shown.clone(), &bridge))
    })
}

/// `vm net add`: new interfaces on KVM VMs, with taps and MACs.
fn add(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns_name(ctx);
    let mut specs = Vec::new();
    for text in cmd.m.list("netspec") {
        let spec = NetSpec::parse(text)?;
        let vlan = world.vlans.lookup(&ns, &spec.alias)?;
        specs.push((spec, vlan, world.vlans.print(&ns, vlan)));
    }
    let mut targets = Vec::new();
    let applied = apply(world, ctx, cmd, |vm, _| {
        if vm.kind == Kind::Container {
            return VmChange::Failed("unable to get Kvm".to_owned());
        }
        targets.push(vm.id);
        VmChange::Done
    });
    for id in targets {
        for (spec, vlan, shown) in &specs {
            let tap = world.next_tap(ctx.node);
            if let Some(vm) = world.ns(ctx).vms.get_mut(id) {
                vm.attach(spec, *vlan, shown.clone(), Some(tap));
            }
        }
    }
    applied
}
