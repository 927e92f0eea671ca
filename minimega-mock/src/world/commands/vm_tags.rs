//! `vm tag` and `clear vm tag`: a VM's tags, set, read and cleared on the
//! VMs a target names.

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;
use super::vm::{apply, VmChange};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm tag <vm target> <key> <value>", Target(tag_set)),
        ("vm tag <vm target> [key or all]", Target(tag_read)),
        ("clear vm tag", Target(tag_clear)),
        ("clear vm tag <vm target> [tag]", Target(tag_clear)),
    ])
}

/// `vm tag <vm target> <key> <value>`: sets a tag on each VM named.
pub(crate) fn tag_set(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let key = cmd.m.value("key").unwrap_or_default().to_owned();
    if key == "all" {
        return Err("cannot assign to wildcard".into());
    }
    let value = cmd.m.value("value").unwrap_or_default().to_owned();
    apply(world, ctx, cmd, |vm, _| {
        vm.tags.insert(key.clone(), value.clone());
        VmChange::Done
    })
}

/// `vm tag <vm target> [key or all]`: the VMs' tags as a table, every tag
/// (`name, tag, value`) or one (`name, value`, empty where unset).
pub(crate) fn tag_read(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let key = cmd.m.value("key").unwrap_or("all").to_owned();
    let mut rows = Vec::new();
    let applied = apply(world, ctx, cmd, |vm, _| {
        if key == "all" {
            rows.extend(
                vm.tags
                    .iter()
                    .map(|(k, v)| vec![vm.name.clone(), k.clone(), v.clone()]),
            );
        } else {
            let value = vm.tags.get(&key).cloned().unwrap_or_default();
            rows.push(vec![vm.name.clone(), value]);
        }
        VmChange::Done
    });
    r.header = Some(if key == "all" {
        vec!["name".into(), "tag".into(), "value".into()]
    } else {
        vec!["name".into(), "value".into()]
    });
    r.tabular = Some(rows);
    applied
}

/// `clear vm tag [<vm target> [tag]]`: removes one tag, or every tag, of
/// the VMs named (every VM without a target).
pub(crate) fn tag_clear(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let tag = cmd.m.value("tag").map(str::to_owned);
    apply(world, ctx, cmd, |vm, _| {
        match &tag {
            Some(tag) => {
                vm.tags.remove(tag);
            }
            None => vm.tags.clear(),
        }
        VmChange::Done
    })
}
