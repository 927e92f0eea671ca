//! `vlans`: the namespace's aliases, `vlans add`, `vlans range`, `vlans
//! blacklist` and `clear vlans`, on the model in [`super::super::vlans`].

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vlans::Vlans;
use super::super::{Ctx, MatchedCommand, World, DEFAULT_NAMESPACE};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vlans <add,> <alias> <vlan>", Simple(vlans_add)),
        ("vlans", Simple(vlans)),
        ("vlans <range,>", Simple(range)),
        ("vlans <range,> <min> <max>", Simple(range)),
        ("vlans <blacklist,> [vlan]", Simple(blacklist)),
        ("clear vlans [prefix]", Simple(clear_vlans)),
    ])
}

/// Go's `strconv.Atoi` as far as a VLAN goes.
fn integer(text: &str) -> Option<u64> {
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// `vlans add <alias> <vlan>`: an alias is unique in its namespace, and a
/// VLAN number across every namespace.
pub(crate) fn vlans_add(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let alias = cmd.m.value("alias").unwrap_or_default();
    let vlan = integer(cmd.m.value("vlan").unwrap_or_default()).ok_or("expected integer VLAN")?;
    let ns = world.ns_name(ctx);
    world.vlans.add(&ns, alias, vlan).map_err(Failure::from)
}

pub(crate) fn vlans(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns_name(ctx);
    r.header = Some(vec!["alias".into(), "vlan".into()]);
    r.tabular = Some(
        world
            .vlans
            .aliases(&ns)
            .into_iter()
            .map(|(alias, vlan)| vec![alias, vlan.to_string()])
            .collect(),
    );
    Ok(())
}

/// `vlans range [min max]`: the namespace's range (the default namespace's
/// is every namespace's default), shown or set.
fn range(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns_name(ctx);
    let key = if ns == DEFAULT_NAMESPACE { "" } else { &ns };
    if let (Some(min), Some(max)) = (cmd.m.value("min"), cmd.m.value("max")) {
        let (Some(min), Some(max)) = (integer(min), integer(max)) else {
            return Err("expected integer values for min/max".into());
        };
        if max <= min {
            // sic: minimega's text.
            return Err("expected min > max".into());
        }
        return world.vlans.set_range(key, min, max).map_err(Failure::from);
    }
    r.header = Some(vec!["min".into(), "max".into(), "next".into()]);
    r.tabular = Some(
        world
            .vlans
            .range(key)
            .map(|range| {
                vec![
                    range.min.to_string(),
                    range.max.to_string(),
                    range.next.to_string(),
                ]
            })
            .into_iter()
            .collect(),
    );
    Ok(())
}

/// `vlans blacklist [vlan]`: blacklists one, or lists them.
fn blacklist(
    world: &mut World,
    _: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    if let Some(vlan) = cmd.m.value("vlan") {
        let vlan = integer(vlan).ok_or("expected integer VLAN")?;
        world.vlans.blacklist(vlan);
        return Ok(());
    }
    r.header = Some(vec!["vlan".into()]);
    r.tabular = Some(
        world
            .vlans
            .blacklisted()
            .into_iter()
            .map(|v| vec![v.to_string()])
            .collect(),
    );
    Ok(())
}

/// `clear vlans [prefix]`: the namespace's aliases (that start with the
/// prefix); `all` forgets every alias, range and blacklisted VLAN.
fn clear_vlans(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let prefix = cmd.m.value("prefix").unwrap_or_default();
    if prefix == "all" {
        world.vlans = Vlans::default();
    } else {
        let ns = world.ns_name(ctx);
        world.vlans.delete(&ns, prefix);
    }
    Ok(())
}
