//! `vlans`: the namespace's aliases, and `vlans add`.
use minimega_client::protocol::WireResponse;

use super::super::table::Handler::{self, *};
use super::super::{Cmd, Ctx, World};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Handler)> {
    fixed([
        ("vlans <add,> <alias> <vlan>", Simple(vlans_add)),
        ("vlans", Simple(vlans)),
    ])
}

/// `vlans add <alias> <vlan>`: an alias is unique in its namespace, and a
/// VLAN number across every namespace.
pub(crate) fn vlans_add(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    let alias = cmd.m.value("alias").unwrap_or_default();
    let vlan: u64 = cmd
        .m
        .value("vlan")
        .unwrap_or_default()
        .parse()
        .map_err(|_| "expected integer VLAN".to_owned())?;
    let ns = world.ns_name(ctx);
    world.add_vlan(&ns, alias, vlan)
}

pub(crate) fn vlans(
    world: &mut World,
    ctx: &Ctx,
    _: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let ns = world.ns_name(ctx);
    r.header = Some(vec!["alias".into(), "vlan".into()]);
    r.tabular = Some(
        world
            .vlan_aliases(&ns)
            .into_iter()
            .map(|(alias, vlan)| vec![alias, vlan.to_string()])
            .collect(),
    );
    Ok(())
}
