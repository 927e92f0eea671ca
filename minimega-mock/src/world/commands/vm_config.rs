//! `vm config`: reading and setting its fields, saving and restoring
//! whole configurations, and `clear vm config`.
use std::path::Path;

use minimega_protocol::WireResponse;

use super::super::config::{field_named, Config, Field, Kind as FieldKind, Section, Value, FIELDS};
use super::super::netspec::NetSpec;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::Kind;
use super::super::{Ctx, MatchedCommand, World, WILDCARD};
use super::{fixed, word};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    let mut entries = fixed([
        ("vm config", Simple(config_display)),
        ("vm config <save,> <name>", Simple(config_save)),
        ("vm config <restore,> [name]", Simple(config_restore)),
        ("vm config <clone,> <vm name>", Simple(config_clone)),
        ("vm config networks [netspec]...", Simple(config_networks)),
        ("vm config disks [diskspec]...", Simple(config_disks)),
        ("vm config bonds [bondspec]...", Simple(config_unkept)),
        ("vm config tags", Simple(config_map)),
        ("vm config tags <key> [value]", Simple(config_map)),
        ("clear vm config tag <key>", Simple(clear_config_tag)),
        ("vm config volume", Simple(config_map)),
        ("vm config volume <key> [value]", Simple(config_map)),
        ("vm config migrate [value]", Simple(config_field)),
        ("clear vm config", Simple(clear_config)),
        ("clear vm config <bonds,>", Simple(clear_unkept)),
        ("clear vm config <migrate,>", Simple(clear_field)),
    ]);
    for field in FIELDS {
        let read_or_set = match field.kind {
            FieldKind::Bool => format!("vm config {} [true,false]", field.name),
            FieldKind::List => format!("vm config {} [value]...", field.name),
            // Registered above: their patterns differ.
            FieldKind::Map | FieldKind::Networks | FieldKind::Disks => String::new(),
            FieldKind::Str | FieldKind::Path | FieldKind::UInt | FieldKind::Int => {
                format!("vm config {} [value]", field.name)
            }
        };
        if !read_or_set.is_empty() {
            entries.push((read_or_set, Simple(config_field)));
        }
        entries.push((
            format!("clear vm config <{},>", field.name),
            Simple(clear_field),
        ));
    }
    entries
}

pub(crate) fn config_display(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    r.response = world.ns(ctx).config.display();
    Ok(())
}

pub(crate) fn config_save(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let name = cmd.m.value("name").unwrap_or_default().to_owned();
    let ns = world.ns(ctx);
    let config = ns.config.clone();
    ns.saved.insert(name, config);
    Ok(())
}

pub(crate) fn config_restore(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns(ctx);
    match cmd.m.value("name") {
        Some(name) => {
            let config = ns
                .saved
                .get(name)
                .cloned()
                .ok_or_else(|| format!("config {name} does not exist"))?;
            ns.config = config;
        }
        None if ns.saved.is_empty() => return Err("no vm configs saved".into()),
        None => r.response = ns.saved.keys().map(|name| format!("{name}\n")).collect(),
    }
    Ok(())
}

/// `vm config clone <vm>`: the configuration of a VM anywhere in the
/// namespace (by name or id): its base fields, tags included, and those of
/// its kind; the rest stays as it was.
pub(crate) fn config_clone(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let name = cmd.m.value("vm").unwrap_or_default().to_owned();
    let ns_name = world.ns_name(ctx);
    let hosts = world.ns(ctx).hosts.clone();
    let id: Option<u64> = name.parse().ok();
    let mut found = None;
    for host in &hosts {
        let Some(node) = world.node_index(host) else {
            continue;
        };
        if let Some(there) = world.node(node).namespaces.get(&ns_name) {
            for vm in there.vms.iter() {
                if Some(vm.id) == id || vm.name == name {
                    found = Some((vm.config.clone(), vm.kind, vm.tags.clone()));
                }
            }
        }
    }
    let Some((config, kind, tags)) = found else {
        return Err(Failure::VmNotFound(name.to_string()));
    };
    let sections: &[Section] = match kind {
        Kind::Kvm => &[Section::Base, Section::Kvm],
        Kind::Container => &[Section::Base, Section::Container],
        Kind::Android => &[Section::Base, Section::Kvm, Section::Android],
    };
    let ns = world.ns(ctx);
    for field in FIELDS.iter().filter(|f| sections.contains(&f.section)) {
        ns.config.set(field, config.get(field));
    }
    if let Some(field) = field_named("tags") {
        ns.config.set(field, Value::Map(tags));
    }
    Ok(())
}

/// The field a `vm config <field> …` or `clear vm config <field>` pattern
/// is about.
fn pattern_field(world: &World, cmd: &MatchedCommand, index: usize) -> Option<&'static Field> {
    match word(world, cmd, index).as_str() {
        "migrate" => field_named("state"),
        name => field_named(name),
    }
}

/// `vm config <field> [value]`: reads or sets one field.
pub(crate) fn config_field(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let Some(field) = pattern_field(world, cmd, 2) else {
        ctx.unsimulated();
        return Ok(());
    };
    let m = &cmd.m;
    let new = match field.kind {
        FieldKind::Bool if m.choices.is_empty() => None,
        FieldKind::Bool => Some(Value::Bool(m.chose("true"))),
        FieldKind::List if m.list("value").is_empty() => None,
        FieldKind::List => Some(Value::List(m.list("value").to_vec())),
        _ => match m.value("value") {
            None => None,
            Some(text) => Some(parse_value(world, ctx, field, text)?),
        },
    };
    let ns = world.ns(ctx);
    match new {
        Some(value) => ns.config.set(field, value),
        None => r.response = field.read(&ns.config.get(field)),
    }
    Ok(())
}

/// A value for `field` from its text, checked as minimega checks it.
fn parse_value(world: &mut World, ctx: &Ctx, field: &Field, text: &str) -> Result<Value, String> {
    Ok(match field.kind {
        FieldKind::UInt => Value::UInt(parse_uint(text)?),
        FieldKind::Int => Value::Int(
            text.parse()
                .map_err(|_| format!("strconv.ParseInt: parsing {text:?}: invalid syntax"))?,
        ),
        FieldKind::Path => Value::Str(in_files_cleaned(world, text)),
        _ if field.name == "schedule" => {
            let ns = world.ns(ctx);
            if !ns.config.text("colocate").is_empty() {
                return Err("cannot specify schedule and colocate in the same config".to_owned());
            }
            let host = if text == "localhost" {
                world.node(ctx.node).name.clone()
            } else {
                text.to_owned()
            };
            if !world.ns(ctx).hosts.contains(&host) {
                return Err(format!("host is not in namespace: {host}"));
            }
            Value::Str(text.to_owned())
        }
        _ if field.name == "colocate" => {
            if !world.ns(ctx).config.text("schedule").is_empty() {
                return Err("cannot specify colocate and schedule in the same config".to_owned());
            }
            Value::Str(text.to_owned())
        }
        _ => Value::Str(text.to_owned()),
    })
}

/// Go's `strconv.ParseUint(text, 10, 64)`, with its error text.
fn parse_uint(text: &str) -> Result<u64, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseUint: parsing {text:?}: invalid syntax"
        ));
    }
    text.parse()
        .map_err(|_| format!("strconv.ParseUint: parsing {text:?}: value out of range"))
}

/// A relative path taken as relative to the files directory, then
/// cleaned (`preprocess::clean`), unlike [`World::in_files`].
fn in_files_cleaned(world: &World, path: &str) -> String {
    if Path::new(path).is_absolute() {
        return path.to_owned();
    }
    crate::preprocess::clean(&world.files_dir().join(path))
        .to_string_lossy()
        .into_owned()
}

/// `vm config tags|volume [key] [value]`: lists, or sets one key. Reading
/// one key answers the value of the empty key, as minimega 3.1.0 does.
pub(crate) fn config_map(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let Some(field) = pattern_field(world, cmd, 2) else {
        ctx.unsimulated();
        return Ok(());
    };
    let key = cmd.m.value("key").unwrap_or_default().to_owned();
    let value = cmd.m.value("value").unwrap_or_default().to_owned();
    let value = if field.kind == FieldKind::Map && field.name == "volume" && !value.is_empty() {
        in_files_cleaned(world, &value)
    } else {
        value
    };
    let ns = world.ns(ctx);
    let Value::Map(mut map) = ns.config.get(field) else {
        return Ok(());
    };
    if key.is_empty() {
        r.response = field.read(&Value::Map(map));
    } else if value.is_empty() {
        r.response = map.get("").cloned().unwrap_or_default();
    } else {
        map.insert(key, value);
        ns.config.set(field, Value::Map(map));
    }
    Ok(())
}

/// `clear vm config tag <key>`: that tag gone from the configuration, or
/// every tag for `all`.
fn clear_config_tag(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let key = cmd.m.value("key").unwrap_or_default();
    let Some(field) = field_named("tags") else {
        return Ok(());
    };
    let config = &mut world.ns(ctx).config;
    let Value::Map(mut tags) = config.get(field) else {
        return Ok(());
    };
    if key == WILDCARD {
        tags.clear();
    } else {
        tags.remove(key);
    }
    config.set(field, Value::Map(tags));
    Ok(())
}

/// `vm config networks [spec]...`: each spec parsed and its VLAN looked
/// up (an alias handed a number, a number blacklisted) as it is set; a bad
/// one fails and leaves no networks, as in minimega.
pub(crate) fn config_networks(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let Some(field) = field_named("networks") else {
        return Ok(());
    };
    let specs = cmd.m.list("netspec").to_vec();
    if specs.is_empty() {
        r.response = field.read(&world.ns(ctx).config.get(field));
        return Ok(());
    }
    let ns = world.ns_name(ctx);
    let mut kept = Vec::new();
    for text in &specs {
        let parsed = NetSpec::parse(text).and_then(|spec| {
            world.vlans.lookup(&ns, &spec.alias)?;
            Ok(spec)
        });
        match parsed {
            Ok(spec) => kept.push(spec.to_string()),
            Err(error) => {
                world.ns(ctx).config.set(field, Value::List(Vec::new()));
                return Err(error.into());
            }
        }
    }
    world.ns(ctx).config.set(field, Value::List(kept));
    Ok(())
}

/// `vm config disks [spec]...`: each `path[,interface][,cache]` checked as
/// minimega checks it (a relative path is in the files directory); a bad
/// one, or one path twice, fails and leaves no disks.
pub(crate) fn config_disks(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let Some(field) = field_named("disks") else {
        return Ok(());
    };
    let specs = cmd.m.list("diskspec").to_vec();
    if specs.is_empty() {
        r.response = field.read(&world.ns(ctx).config.get(field));
        return Ok(());
    }
    const CACHES: [&str; 5] = ["none", "writeback", "unsafe", "directsync", "writethrough"];
    const INTERFACES: [&str; 8] = [
        "ahci", "ide", "scsi", "sd", "mtd", "floppy", "pflash", "virtio",
    ];
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut failure = None;
    for spec in &specs {
        let parts: Vec<&str> = spec.split(',').collect();
        let parsed = match parts.as_slice() {
            [p] => Some((*p, Vec::new())),
            [p, c] if CACHES.contains(c) || INTERFACES.contains(c) => Some((*p, vec![*c])),
            [p, i, c] if INTERFACES.contains(i) && CACHES.contains(c) => Some((*p, vec![*i, *c])),
            _ => None,
        };
        let Some((path, rest)) = parsed else {
            failure = Some("malformed diskspec".to_owned());
            break;
        };
        let path = in_files_cleaned(world, path);
        if kept.iter().any(|(p, _)| *p == path) {
            failure = Some(format!("disk conflict: {path}"));
            break;
        }
        let shown = std::iter::once(path.as_str())
            .chain(rest)
            .collect::<Vec<_>>()
            .join(",");
        kept.push((path, shown));
    }
    let value = match &failure {
        Some(_) => Vec::new(),
        None => kept.into_iter().map(|(_, shown)| shown).collect(),
    };
    world.ns(ctx).config.set(field, Value::List(value));
    failure.map_or(Ok(()), |error| Err(error.into()))
}

/// `vm config bonds`: the mock keeps none, so reading them is
/// simulated and setting them is not.
pub(crate) fn config_unkept(
    _: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    if cmd.m.lists.values().all(Vec::is_empty) {
        r.response = "[]".to_owned();
    } else {
        ctx.unsimulated();
    }
    Ok(())
}

pub(crate) fn clear_config(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns(ctx);
    ns.config = Config::default();
    ns.qemu_overrides.clear();
    Ok(())
}

pub(crate) fn clear_field(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    if let Some(field) = pattern_field(world, cmd, 3) {
        world.ns(ctx).config.clear(field);
    }
    Ok(())
}

/// Clearing what the mock never keeps leaves it as it is: empty.
pub(crate) fn clear_unkept(
    _: &mut World,
    _: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fail_with_gos_text() {
        assert_eq!(
            parse_uint("notanumber").unwrap_err(),
            r#"strconv.ParseUint: parsing "notanumber": invalid syntax"#
        );
        assert_eq!(
            parse_uint("-5").unwrap_err(),
            r#"strconv.ParseUint: parsing "-5": invalid syntax"#
        );
        assert!(parse_uint("99999999999999999999")
            .unwrap_err()
            .ends_with("value out of range"));
        assert_eq!(parse_uint("128").unwrap(), 128);
    }
}
