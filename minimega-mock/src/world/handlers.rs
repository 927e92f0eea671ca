//! What each simulated command does, as minimega 3.1.0 does it (the texts
//! of answers and errors are minimega's, checked against recordings by the
//! conformance test).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use minimega_client::protocol::WireResponse;
use minimega_spec::{Item, Line};
use serde_json::{json, Value as Json};

use super::config::{field_named, Config, Field, Kind as FieldKind, Value};
use super::schedule::{self, Load};
use super::vms::{Kind, State, Vm, HEADER, SUMMARY_HEADER};
use super::{valid_name, Batch, Cmd, Ctx, Script, World, DEFAULT_NAMESPACE, INVALID_NAME};
use crate::names;
use crate::render::{Flags, Mode};

/// The most VMs one `vm launch` may create.
pub(crate) const MAX_LAUNCH: u64 = minimega_spec::ranges::MAX_NAMES as u64;

/// The word at `index` of the command's pattern, if it is a literal.
fn word(world: &World, cmd: &Cmd, index: usize) -> String {
    world
        .spec()
        .pattern(cmd.m.id)
        .items
        .get(index)
        .and_then(Item::fixed_word)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn echo(_: &mut World, _: &Ctx, cmd: &Cmd, r: &mut WireResponse) -> Result<(), String> {
    r.response = cmd.m.list("args").join(" ");
    Ok(())
}

pub(crate) fn version(
    world: &mut World,
    _: &Ctx,
    _: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    r.response = format!("minimega {} mock", world.version());
    Ok(())
}

/// The machine the mock says it runs on: every host alike.
const CPUS: u64 = 4;
const MEM_TOTAL: u64 = 16_384;
const MEM_USED: u64 = 1_024;
const LOAD: &str = "0.00 0.00 0.00";
const UPTIME_NANOS: u64 = 3_600_000_000_000;

/// `host` and `host <field>`: the host's statistics, VMs counted across
/// namespaces.
pub(crate) fn host(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let node = world.node(ctx.node);
    let vms: Vec<&Vm> = node
        .namespaces
        .values()
        .flat_map(|ns| ns.vms.iter())
        .collect();
    let count = vms.len() as u64;
    let cpu_commit: u64 = vms.iter().map(|vm| vm.vcpus()).sum();
    let mem_commit: u64 = vms.iter().map(|vm| vm.config.number("memory")).sum();
    let android = vms.iter().filter(|vm| vm.kind == Kind::Android).count();
    let print = |field: &str| -> String {
        match field {
            "name" => node.name.clone(),
            "cpus" => CPUS.to_string(),
            "load" => LOAD.to_owned(),
            "memused" => MEM_USED.to_string(),
            "memtotal" => MEM_TOTAL.to_string(),
            "rx" | "tx" => "0.0".to_owned(),
            "vms" => count.to_string(),
            "vmlimit" => "-1".to_owned(),
            "androidvms" => android.to_string(),
            "cpucommit" => cpu_commit.to_string(),
            "memcommit" => mem_commit.to_string(),
            "netcommit" => "0".to_owned(),
            "uptime" => super::vms::go_duration(std::time::Duration::from_nanos(UPTIME_NANOS)),
            _ => "???".to_owned(),
        }
    };
    r.data = json!({
        "Name": node.name, "RxBps": 0, "TxBps": 0, "CPUs": CPUS, "MemTotal": MEM_TOTAL,
        "MemUsed": MEM_USED, "VMs": count, "AndroidVMs": android, "Limit": -1,
        "CPUCommit": cpu_commit, "MemCommit": mem_commit, "NetworkCommit": 0,
        "Load": LOAD, "Uptime": UPTIME_NANOS,
    });
    // `host <name,>` and the like: a one-option choice is a literal word.
    match word(world, cmd, 1).as_str() {
        "" => {
            let header = [
                "cpus",
                "load",
                "memused",
                "memtotal",
                "rx",
                "tx",
                "vms",
                "vmlimit",
                "androidvms",
                "cpucommit",
                "memcommit",
                "netcommit",
                "uptime",
            ];
            r.tabular = Some(vec![header.iter().map(|f| print(f)).collect()]);
            r.header = Some(header.map(str::to_owned).to_vec());
        }
        field => r.response = print(field),
    }
    Ok(())
}

pub(crate) fn ns_hosts(
    world: &mut World,
    ctx: &Ctx,
    _: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    r.response = names::unsplit(&world.ns(ctx).hosts);
    Ok(())
}

/// `namespace`: the namespaces this node holds; `namespace <name>`:
/// switches the node's active namespace.
pub(crate) fn namespace(world: &mut World, ctx: &Ctx, cmd: &Cmd, _: Option<&Script>) -> Vec<Batch> {
    if let Some(name) = cmd.m.value("name") {
        if !valid_name(name) {
            return world.fail(ctx, INVALID_NAME.to_owned());
        }
        world.set_active(ctx.node, name);
        return world.ok(ctx);
    }
    world.namespace(ctx.node, DEFAULT_NAMESPACE);
    let node = world.node(ctx.node);
    let rows = node
        .namespaces
        .keys()
        .map(|name| {
            let vlans = if name == DEFAULT_NAMESPACE {
                "101-4096"
            } else {
                ""
            };
            vec![
                name.clone(),
                vlans.to_owned(),
                (*name == node.active).to_string(),
            ]
        })
        .collect();
    vec![Batch::of(vec![WireResponse {
        host: node.name.clone(),
        header: Some(vec!["namespace".into(), "vlans".into(), "active".into()]),
        tabular: Some(rows),
        ..WireResponse::default()
    }])]
}

/// `namespace <name> (command)`: the command, run in that namespace.
pub(crate) fn namespace_command(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    script: Option<&Script>,
) -> Vec<Batch> {
    let name = cmd.m.value("name").unwrap_or_default().to_owned();
    if !valid_name(&name) {
        return world.fail(ctx, INVALID_NAME.to_owned());
    }
    world.namespace(ctx.node, &name);
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let inner = Ctx {
        ns: Some(name),
        ..ctx.clone()
    };
    world.dispatch(&inner, sub, script)
}

/// `clear namespace <name>`: gone here and, for a client's command, on
/// every other node of the mesh too; without a name, back to the default.
pub(crate) fn clear_namespace(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: Option<&Script>,
) -> Vec<Batch> {
    let Some(name) = cmd.m.value("name") else {
        world.set_active(ctx.node, DEFAULT_NAMESPACE);
        return world.ok(ctx);
    };
    world.destroy_namespace(ctx.node, name);
    if ctx.local || ctx.via_mesh {
        return world.ok(ctx);
    }
    let mut responses = world.ok(ctx).remove(0).responses;
    for node in (0..world.nodes().len()).filter(|n| *n != ctx.node) {
        world.destroy_namespace(node, name);
        responses.push(WireResponse {
            host: world.node(node).name.clone(),
            ..WireResponse::default()
        });
    }
    vec![Batch::of(responses)]
}

pub(crate) fn vm_info(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let header: &[&str] = if cmd.m.chose("summary") {
        &SUMMARY_HEADER
    } else {
        &HEADER
    };
    let ns = world.ns(ctx);
    let rows: Vec<Vec<String>> = ns.vms.iter().map(|vm| vm.row(header)).collect();
    let data: Vec<Json> = ns.vms.iter().map(Vm::data).collect();
    r.header = Some(header.iter().map(|c| c.to_string()).collect());
    r.tabular = (!rows.is_empty()).then_some(rows);
    r.data = Json::Array(data);
    Ok(())
}

/// `vm launch` alone: launches what was queued, and the mock never queues.
pub(crate) fn launch_queued(
    _: &mut World,
    _: &Ctx,
    _: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    Err("namespace must contain at least one queued VM to launch VMs".to_owned())
}

/// `vm launch <kind> <name or count> [config]`: checked as minimega checks
/// it, placed by its scheduler, created on each host; a VM that fails to
/// launch is reported only in `vm info`, as in minimega.
pub(crate) fn launch(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    if ctx.via_mesh {
        return Err(format!("cannot run `{}` via meshage", cmd.text));
    }
    let kind = Kind::from_word(&word(world, cmd, 2)).unwrap_or(Kind::Kvm);
    let ns_name = world.ns_name(ctx);
    let ns = world.ns(ctx);
    let config = match cmd.m.value("config") {
        Some(name) => ns
            .saved
            .get(name)
            .cloned()
            .ok_or_else(|| format!("config {name} does not exist"))?,
        None => ns.config.clone(),
    };
    let names = launch_names(cmd.m.value("name").unwrap_or_default())?;
    if names.len() > 1 && !config.text("uuid").is_empty() {
        return Err("cannot launch multiple VMs with a pre-configured UUID".to_owned());
    }
    // Names taken anywhere in the namespace, found in one pass.
    let hosts = world.ns(ctx).hosts.clone();
    let mut taken: HashSet<String> = HashSet::new();
    for host in &hosts {
        if let Some(node) = world.node_index(host) {
            if let Some(there) = world.node(node).namespaces.get(&ns_name) {
                taken.extend(there.vms.iter().map(|vm| vm.name.clone()));
            }
        }
    }
    for name in names.iter().flatten() {
        if taken.contains(name) {
            return Err(format!("vm already exists with name `{name}`"));
        }
        if !valid_name(name) {
            return Err(format!("{INVALID_NAME}: `{name}`"));
        }
    }
    let placement = placement(world, ctx, &ns_name, &hosts, &config, names.len())?;
    let config = Arc::new(config);
    for (name, host) in names.into_iter().zip(placement) {
        let Some(node) = world.node_index(&host) else {
            continue;
        };
        let name = name.unwrap_or_else(|| {
            let ns = world.ns(ctx);
            ns.next_name += 1;
            format!("vm-{}", ns.next_name - 1)
        });
        create(world, node, &ns_name, name, kind, Arc::clone(&config));
    }
    Ok(())
}

/// The names of a launch: a count gives unnamed VMs (`None`).
fn launch_names(arg: &str) -> Result<Vec<Option<String>>, String> {
    if let Ok(count) = arg.parse::<i32>() {
        if count <= 0 {
            return Err("invalid number of vms (must be > 0)".to_owned());
        }
        if count as u64 > MAX_LAUNCH {
            return Err(format!(
                "the mock launches at most {MAX_LAUNCH} VMs at once"
            ));
        }
        return Ok(vec![None; count as usize]);
    }
    let names = names::split(arg)?;
    if names.is_empty() {
        return Err("no VMs to launch".to_owned());
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for name in &names {
        *seen.entry(name).or_default() += 1;
    }
    for name in &names {
        if name == "all" {
            return Err(format!("invalid vm name, `{name}` is a reserved word"));
        }
        if name.parse::<i64>().is_ok() {
            return Err(format!("invalid vm name, `{name}` is an integer"));
        }
        if seen[name.as_str()] > 1 {
            return Err(format!("`{name}` is specified twice in VMs to launch"));
        }
    }
    Ok(names.into_iter().map(Some).collect())
}

/// The host of each VM of a launch: the one `vm config schedule` names,
/// the one of the VM `vm config colocate` names, or the scheduler's pick.
fn placement(
    world: &World,
    ctx: &Ctx,
    ns: &str,
    hosts: &[String],
    config: &Config,
    count: usize,
) -> Result<Vec<String>, String> {
    let schedule = config.text("schedule");
    if !schedule.is_empty() {
        let host = if schedule == "localhost" {
            world.node(ctx.node).name.clone()
        } else {
            schedule
        };
        return Ok(vec![host; count]);
    }
    let colocate = config.text("colocate");
    if !colocate.is_empty() {
        let host = hosts.iter().find(|host| {
            world
                .node_index(host)
                .and_then(|n| world.node(n).namespaces.get(ns))
                .is_some_and(|there| there.vms.has_name(&colocate))
        });
        return match host {
            Some(host) => Ok(vec![host.clone(); count]),
            None => Err(format!("nonexistent colocate VMs: [{colocate}]")),
        };
    }
    let loads = hosts
        .iter()
        .filter_map(|host| world.node_index(host))
        .map(|node| {
            let node = world.node(node);
            Load {
                host: node.name.clone(),
                cpu_commit: node
                    .namespaces
                    .values()
                    .flat_map(|ns| ns.vms.iter())
                    .map(Vm::vcpus)
                    .sum(),
            }
        })
        .collect();
    Ok(schedule::place(loads, count, config.number("vcpus")))
}

/// Creates one VM on `node`. Every attempt takes an id; a container without
/// a filesystem is never created, and one whose filesystem does not exist
/// fails to launch.
fn create(world: &mut World, node: usize, ns: &str, name: String, kind: Kind, config: Arc<Config>) {
    let id = world.next_vm_id(node);
    let filesystem = config.text("filesystem");
    if kind == Kind::Container && filesystem.is_empty() {
        return;
    }
    let host = world.node(node).name.clone();
    let specs = config.list("networks");
    let mut vm = Vm::new(id, name, ns, &host, kind, config);
    if kind == Kind::Container && !Path::new(&filesystem).exists() {
        vm.fail(format!(
            "overlayMount: stat {filesystem}: no such file or directory"
        ));
    } else {
        for spec in &specs {
            let vlan = world.vlan(ns, spec);
            let alias = world.vlan_alias(ns, vlan);
            let tap = world.next_tap(node);
            vm.attach(spec, vlan, alias.as_deref(), tap);
        }
    }
    world.namespace(node, ns).vms.insert(vm);
}

/// What a state change did to one VM.
enum Step {
    /// It does not apply to the VM in its state.
    Skip,
    /// Done.
    Done,
    /// It applies, and failed.
    Failed(String),
    /// Done, and the VM is gone.
    Remove,
}

/// A VM state change, as minimega's `apply` runs one: on the VMs the target
/// names (by name or id, or `all`), each saying whether it applied; one
/// named VM that is missing or did not apply is an error. The target's
/// names are looked up once each, so a change of many VMs takes time in
/// proportion to them.
fn apply(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    mut act: impl FnMut(&mut Vm, bool) -> Step,
) -> Result<(), String> {
    let target = cmd.m.value("vm").unwrap_or("all").to_owned();
    let values = names::split(&target)?;
    let mut names: HashSet<&str> = HashSet::new();
    let mut ids: HashSet<u64> = HashSet::new();
    for value in &values {
        match value.parse::<u64>() {
            Ok(id) => ids.insert(id),
            Err(_) => names.insert(value),
        };
    }
    let wild = names.remove("all");
    let mut errors = Vec::new();
    let mut applied: HashMap<String, bool> = HashMap::new();
    let ns = world.ns(ctx);
    for id in ns.vms.ids() {
        let Some(vm) = ns.vms.get_mut(id) else {
            continue;
        };
        if !(wild || names.contains(vm.name.as_str()) || ids.contains(&vm.id)) {
            continue;
        }
        names.remove(vm.name.as_str());
        ids.remove(&vm.id);
        let (ok, remove) = match act(vm, wild) {
            Step::Skip => (false, false),
            Step::Done => (true, false),
            Step::Failed(error) => {
                errors.push(error);
                (true, false)
            }
            Step::Remove => (true, true),
        };
        applied.insert(vm.name.clone(), ok);
        applied.insert(vm.id.to_string(), ok);
        if remove {
            ns.vms.remove(id);
        }
    }
    if let [only] = values.as_slice() {
        if !wild {
            if names.len() + ids.len() == 1 {
                errors.push(format!("vm not found: {only}"));
            } else if !applied.get(only).copied().unwrap_or(false) {
                errors.push(format!("VM state error: {only}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

pub(crate) fn start(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    apply(world, ctx, cmd, |vm, wild| match vm.state {
        State::Building | State::Paused => {
            vm.state = State::Running;
            Step::Done
        }
        State::Quit | State::Error if wild => Step::Skip,
        State::Quit | State::Error => {
            vm.state = State::Running;
            Step::Done
        }
        State::Running if wild => Step::Skip,
        State::Running => Step::Failed("vm is already running".to_owned()),
    })
}

/// A state change that applies to VMs in the states `applies` accepts and
/// skips the others.
fn apply_in(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    applies: fn(State) -> bool,
    change: fn(&mut Vm) -> Step,
) -> Result<(), String> {
    apply(world, ctx, cmd, |vm, _| {
        if applies(vm.state) {
            change(vm)
        } else {
            Step::Skip
        }
    })
}

pub(crate) fn stop(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    apply_in(
        world,
        ctx,
        cmd,
        |state| state == State::Running,
        |vm| {
            vm.state = State::Paused;
            Step::Done
        },
    )
}

pub(crate) fn kill(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    apply_in(world, ctx, cmd, State::killable, |vm| {
        vm.state = State::Quit;
        Step::Done
    })
}

pub(crate) fn flush(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    apply_in(world, ctx, cmd, State::flushable, |_| Step::Remove)
}

pub(crate) fn flush_all(
    world: &mut World,
    ctx: &Ctx,
    _: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    let ns = world.ns(ctx);
    let gone: Vec<u64> = ns
        .vms
        .iter()
        .filter(|vm| vm.state.flushable())
        .map(|vm| vm.id)
        .collect();
    for id in gone {
        ns.vms.remove(id);
    }
    Ok(())
}

pub(crate) fn config_display(
    world: &mut World,
    ctx: &Ctx,
    _: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    r.response = world.ns(ctx).config.display();
    Ok(())
}

pub(crate) fn config_save(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    let name = cmd.m.value("name").unwrap_or_default().to_owned();
    let ns = world.ns(ctx);
    let config = ns.config.clone();
    ns.saved.insert(name, config);
    Ok(())
}

pub(crate) fn config_restore(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
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
        None if ns.saved.is_empty() => return Err("no vm configs saved".to_owned()),
        None => r.response = ns.saved.keys().map(|name| format!("{name}\n")).collect(),
    }
    Ok(())
}

/// The field a `vm config <field> …` or `clear vm config <field>` pattern
/// is about.
fn pattern_field(world: &World, cmd: &Cmd, index: usize) -> Option<&'static Field> {
    match word(world, cmd, index).as_str() {
        "migrate" => field_named("state"),
        name => field_named(name),
    }
}

/// `vm config <field> [value]`: reads or sets one field.
pub(crate) fn config_field(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let Some(field) = pattern_field(world, cmd, 2) else {
        world.unsimulated();
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
        FieldKind::Path => Value::Str(in_files(world, text)),
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

/// A relative path taken as relative to the files directory.
fn in_files(world: &World, path: &str) -> String {
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
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let Some(field) = pattern_field(world, cmd, 2) else {
        world.unsimulated();
        return Ok(());
    };
    let key = cmd.m.value("key").unwrap_or_default().to_owned();
    let value = cmd.m.value("value").unwrap_or_default().to_owned();
    let value = if field.kind == FieldKind::Map && field.name == "volume" && !value.is_empty() {
        in_files(world, &value)
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

/// `vm config networks [spec]...`: the mock keeps specs that are one VLAN
/// (a number or an alias); others (bridges, MACs, drivers) are not
/// simulated.
pub(crate) fn config_networks(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    let Some(field) = field_named("networks") else {
        return Ok(());
    };
    let specs = cmd.m.list("netspec").to_vec();
    if specs.is_empty() {
        r.response = field.read(&world.ns(ctx).config.get(field));
        return Ok(());
    }
    if specs.iter().any(|spec| spec.contains(',')) {
        world.unsimulated();
        return Ok(());
    }
    let ns = world.ns_name(ctx);
    for spec in &specs {
        world.vlan(&ns, spec);
    }
    world.ns(ctx).config.set(field, Value::List(specs));
    Ok(())
}

/// `vm config disks|bonds`: the mock keeps none, so reading them is
/// simulated and setting them is not.
pub(crate) fn config_unkept(
    world: &mut World,
    _: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
    if cmd.m.lists.values().all(Vec::is_empty) {
        r.response = "[]".to_owned();
    } else {
        world.unsimulated();
    }
    Ok(())
}

pub(crate) fn clear_config(
    world: &mut World,
    ctx: &Ctx,
    _: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    world.ns(ctx).config = Config::default();
    Ok(())
}

pub(crate) fn clear_field(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    if let Some(field) = pattern_field(world, cmd, 3) {
        world.ns(ctx).config.clear(field);
    }
    Ok(())
}

/// Clearing what the mock never keeps leaves it as it is: empty.
pub(crate) fn clear_unkept(
    _: &mut World,
    _: &Ctx,
    _: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    Ok(())
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

/// `vm tag <vm target> <key> <value>`: sets a tag on each VM named.
pub(crate) fn tag_set(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    let key = cmd.m.value("key").unwrap_or_default().to_owned();
    if key == "all" {
        return Err("cannot assign to wildcard".to_owned());
    }
    let value = cmd.m.value("value").unwrap_or_default().to_owned();
    apply(world, ctx, cmd, |vm, _| {
        vm.tags.insert(key.clone(), value.clone());
        Step::Done
    })
}

/// `vm tag <vm target> [key or all]`: the VMs' tags as a table, every tag
/// (`name, tag, value`) or one (`name, value`, empty where unset).
pub(crate) fn tag_read(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    r: &mut WireResponse,
) -> Result<(), String> {
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
        Step::Done
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
    cmd: &Cmd,
    _: &mut WireResponse,
) -> Result<(), String> {
    let tag = cmd.m.value("tag").map(str::to_owned);
    apply(world, ctx, cmd, |vm, _| {
        match &tag {
            Some(tag) => {
                vm.tags.remove(tag);
            }
            None => vm.tags.clear(),
        }
        Step::Done
    })
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

/// `mesh send <hosts> (command)`: the command run on each host named (never
/// on this one), their responses in one message; unknown hosts are
/// skipped, as minimega skips hosts it has no route to.
pub(crate) fn mesh_send(world: &mut World, ctx: &Ctx, cmd: &Cmd, _: Option<&Script>) -> Vec<Batch> {
    if ctx.via_mesh {
        return world.fail(ctx, format!("cannot run `{}` via meshage", cmd.text));
    }
    let list = cmd.m.value("hostname").unwrap_or_default();
    let mut recipients = match names::split(list) {
        Ok(recipients) => recipients,
        Err(error) => return world.fail(ctx, error),
    };
    if recipients.iter().any(|r| r == "all") {
        if recipients.len() > 1 {
            return world.fail(
                ctx,
                "wildcard included amongst list of recipients".to_owned(),
            );
        }
        recipients = world
            .nodes()
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != ctx.node)
            .map(|(_, n)| n.name.clone())
            .collect();
    }
    let me = world.node(ctx.node).name.clone();
    if recipients == [me.clone()] {
        return world.fail(ctx, "cannot mesh send yourself".to_owned());
    }
    let targets: Vec<usize> = recipients
        .iter()
        .filter(|host| **host != me)
        .filter_map(|host| world.node_index(host))
        .collect();
    world.count_mesh_hosts(targets.len());
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut responses = Vec::new();
    for node in targets {
        let remote = Ctx {
            node,
            ns: ctx.ns.clone(),
            local: true,
            via_mesh: true,
            preprocess: ctx.preprocess,
        };
        // A node answers a mesh command with one response.
        let first = world
            .dispatch(&remote, sub, None)
            .into_iter()
            .flat_map(|batch| batch.responses)
            .next();
        responses.extend(first.map(super::through_mesh));
    }
    vec![Batch::of(responses)]
}

/// `read <file> [check]`: each line of the script run in turn (in the
/// namespace `read` runs in, until a line switches it), one message per
/// answer; a line that is not a command ends it with an error naming the
/// file and line.
pub(crate) fn read(world: &mut World, ctx: &Ctx, cmd: &Cmd, script: Option<&Script>) -> Vec<Batch> {
    if ctx.via_mesh {
        return world.fail(ctx, format!("cannot run `{}` via meshage", cmd.text));
    }
    let file = cmd.m.value("file").unwrap_or_default();
    let text = match script.filter(|s| s.path == file).map(|s| &s.text) {
        Some(Ok(text)) => text.clone(),
        Some(Err(error)) => return world.fail(ctx, error.clone()),
        None => return world.fail(ctx, format!("open {file}: the mock did not read it")),
    };
    let base = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
    let check = cmd.m.chose("check");
    let spec = world.spec();
    let mut ns = world.ns_name(ctx);
    let mut batches = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let error = |message: String| format!("{base}:{} {message}", index + 1);
        let m = match spec.compile(line) {
            Err(e) => {
                batches.extend(world.fail(ctx, error(e.to_string())));
                break;
            }
            Ok(Line::Empty | Line::Comment) => continue,
            Ok(Line::Command(m)) => m,
        };
        let tokens = minimega_spec::input::lex(line.trim()).unwrap_or_default();
        let line_cmd = Cmd::new(spec, m, &tokens);
        if mentions(spec, &line_cmd, "read") {
            batches.extend(world.fail(ctx, error("cannot run nested `read` commands".to_owned())));
            break;
        }
        if check {
            continue;
        }
        let switch = switched_namespace(spec, &line_cmd);
        let here = Ctx {
            ns: if switch.is_some() {
                None
            } else {
                Some(ns.clone())
            },
            local: false,
            via_mesh: false,
            preprocess: world.flags.preprocess,
            ..ctx.clone()
        };
        batches.extend(world.dispatch(&here, &line_cmd, None));
        if let Some(name) = switch {
            ns = name;
        }
    }
    batches
}

/// Whether `cmd` or a command nested in it starts with `word`.
fn mentions(spec: &minimega_spec::Spec, cmd: &Cmd, word: &str) -> bool {
    let mut level = Some(cmd);
    while let Some(cmd) = level {
        if spec
            .pattern(cmd.m.id)
            .items
            .first()
            .and_then(Item::fixed_word)
            == Some(word)
        {
            return true;
        }
        level = cmd.sub.as_deref();
    }
    false
}

/// The namespace a script line switches to (`namespace <name>` alone).
fn switched_namespace(spec: &minimega_spec::Spec, cmd: &Cmd) -> Option<String> {
    let mut level = Some(cmd);
    while let Some(cmd) = level {
        if spec.pattern(cmd.m.id).text == "namespace [name]" {
            return cmd.m.value("name").map(str::to_owned);
        }
        level = cmd.sub.as_deref();
    }
    None
}

/// How `.columns` and `.filter` find a column: its exact name, else the one
/// name it starts.
fn find_column(header: &[String], column: &str) -> Result<usize, String> {
    if let Some(exact) = header.iter().position(|h| h.to_lowercase() == column) {
        return Ok(exact);
    }
    let mut found = None;
    for (i, h) in header.iter().enumerate() {
        if h.to_lowercase().starts_with(column) {
            if found.is_some() {
                return Err(format!("ambiguous column `{column}`"));
            }
            found = Some(i);
        }
    }
    found.ok_or_else(|| format!("no such column `{column}`"))
}

/// `.columns <names> (command)`: only those columns of each table, in that
/// order.
pub(crate) fn columns(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    script: Option<&Script>,
) -> Vec<Batch> {
    let mut wanted: Vec<String> = cmd
        .m
        .value("columns")
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut out = Vec::new();
    'batches: for mut batch in world.dispatch(ctx, sub, script) {
        for r in &mut batch.responses {
            let Some(header) = &r.header else { continue };
            let Some(rows) = &r.tabular else {
                r.header = Some(wanted.clone());
                continue;
            };
            let mut picked = Vec::new();
            for name in &mut wanted {
                match find_column(header, name) {
                    Ok(i) => {
                        *name = header[i].clone();
                        picked.push(i);
                    }
                    Err(error) => {
                        out.extend(world.fail(ctx, error));
                        continue 'batches;
                    }
                }
            }
            r.tabular = Some(
                rows.iter()
                    .map(|row| {
                        picked
                            .iter()
                            .map(|&i| row.get(i).cloned().unwrap_or_default())
                            .collect()
                    })
                    .collect(),
            );
            r.header = Some(wanted.clone());
        }
        out.push(batch);
    }
    out
}

/// A `.filter` term: `col=value`, `col!=value`, `col~part`, `col!~part`.
struct Filter {
    column: String,
    value: String,
    negate: bool,
    fuzzy: bool,
}

impl Filter {
    fn parse(term: &str) -> Option<Filter> {
        for (separator, negate, fuzzy) in [
            ("!~", true, true),
            ("~", false, true),
            ("!=", true, false),
            ("=", false, false),
        ] {
            let parts: Vec<&str> = term.split(separator).collect();
            if let [column, value] = parts.as_slice() {
                return Some(Filter {
                    column: column.to_lowercase(),
                    value: value.to_lowercase(),
                    negate,
                    fuzzy,
                });
            }
        }
        None
    }

    fn matches(&self, cell: &str) -> bool {
        let cell = cell.to_lowercase();
        let listy = (cell.starts_with('[') && cell.ends_with(']'))
            || (cell.starts_with('{') && cell.ends_with('}'));
        let hit = cell == self.value || ((self.fuzzy || listy) && cell.contains(&self.value));
        hit != self.negate
    }
}

/// `.filter <term> (command)`: only the rows (or hosts, for `host`) that
/// match.
pub(crate) fn filter(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    script: Option<&Script>,
) -> Vec<Batch> {
    let Some(filter) = Filter::parse(cmd.m.value("filter").unwrap_or_default()) else {
        return world.fail(ctx, "invalid filter, see help".to_owned());
    };
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut out = Vec::new();
    'batches: for batch in world.dispatch(ctx, sub, script) {
        let mut kept = Vec::new();
        for mut r in batch.responses {
            if filter.column == "host" {
                if filter.matches(&r.host) {
                    kept.push(r);
                }
                continue;
            }
            let (Some(header), Some(rows)) = (&r.header, &mut r.tabular) else {
                kept.push(r);
                continue;
            };
            let column = match find_column(header, &filter.column) {
                Ok(column) => column,
                Err(error) => {
                    out.extend(world.fail(ctx, error));
                    continue 'batches;
                }
            };
            rows.retain(|row| row.get(column).is_some_and(|cell| filter.matches(cell)));
            kept.push(r);
        }
        out.push(Batch {
            responses: kept,
            flags: batch.flags,
        });
    }
    out
}

/// The flag a `.csv`, `.json`, `.headers` … command is about.
fn flag_word(world: &World, cmd: &Cmd) -> String {
    word(world, cmd, 0)
}

/// Sets one output flag in `flags` (`.record` changes nothing the mock
/// keeps).
fn set_flag(flags: &mut Flags, flag: &str, on: bool) {
    match flag {
        ".annotate" => flags.annotate = on,
        ".compress" => flags.compress = on,
        ".headers" => flags.headers = on,
        ".sort" => flags.sort = on,
        ".preprocess" => flags.preprocess = on,
        ".csv" | ".json" => {
            let mode = if flag == ".csv" {
                Mode::Csv
            } else {
                Mode::Json
            };
            if on {
                flags.mode = mode;
            } else if flags.mode == mode {
                flags.mode = Mode::Plain;
            }
        }
        _ => {}
    }
}

fn read_flag(flags: &Flags, flag: &str) -> bool {
    match flag {
        ".annotate" => flags.annotate,
        ".compress" => flags.compress,
        ".headers" => flags.headers,
        ".sort" => flags.sort,
        ".preprocess" => flags.preprocess,
        ".csv" => flags.mode == Mode::Csv,
        ".json" => flags.mode == Mode::Json,
        // minimega records history; the mock has none to turn off.
        _ => true,
    }
}

/// `.annotate [true,false]` and the like alone: the daemon-wide setting,
/// read or set.
pub(crate) fn flag(world: &mut World, ctx: &Ctx, cmd: &Cmd, _: Option<&Script>) -> Vec<Batch> {
    let flag = flag_word(world, cmd);
    let mut batches = world.ok(ctx);
    if cmd.m.choices.is_empty() {
        batches[0].responses[0].response = read_flag(&world.flags, &flag).to_string();
    } else {
        set_flag(&mut world.flags, &flag, cmd.m.chose("true"));
    }
    batches
}

/// `.annotate <true,false> (command)` and the like: the command, rendered
/// with that flag.
pub(crate) fn flag_command(
    world: &mut World,
    ctx: &Ctx,
    cmd: &Cmd,
    script: Option<&Script>,
) -> Vec<Batch> {
    let flag = flag_word(world, cmd);
    let on = cmd.m.chose("true");
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let inner = Ctx {
        preprocess: if flag == ".preprocess" {
            on
        } else {
            ctx.preprocess
        },
        ..ctx.clone()
    };
    let mode = flag == ".csv" || flag == ".json";
    let defaults = world.flags;
    world
        .dispatch(&inner, sub, script)
        .into_iter()
        // minimega drops the empty answers of `.csv` and `.json`.
        .filter(|batch| !(mode && batch.responses.is_empty()))
        .map(|mut batch| {
            if !batch.responses.is_empty() {
                let mut flags = batch.flags.unwrap_or(defaults);
                set_flag(&mut flags, &flag, on);
                batch.flags = Some(flags);
            }
            batch
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_names_are_checked_like_minimega() {
        assert_eq!(launch_names("2").unwrap(), [None, None]);
        assert_eq!(
            launch_names("web[1-2]").unwrap(),
            [Some("web1".to_owned()), Some("web2".to_owned())]
        );
        assert_eq!(
            launch_names("0").unwrap_err(),
            "invalid number of vms (must be > 0)"
        );
        assert_eq!(
            launch_names("-3").unwrap_err(),
            "invalid number of vms (must be > 0)"
        );
        assert_eq!(
            launch_names("all").unwrap_err(),
            "invalid vm name, `all` is a reserved word"
        );
        assert_eq!(
            launch_names("a,b,a").unwrap_err(),
            "`a` is specified twice in VMs to launch"
        );
        assert_eq!(
            launch_names("99999999999").unwrap_err(),
            "invalid vm name, `99999999999` is an integer"
        );
        assert_eq!(launch_names("bad[1-").unwrap_err(), "unterminated '['");
    }

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

    #[test]
    fn filters_and_columns_like_minicli() {
        let f = Filter::parse("state=RUNNING").unwrap();
        assert!(f.matches("running") && !f.matches("paused"));
        let f = Filter::parse("name!~b").unwrap();
        assert!(f.matches("a") && !f.matches("abc"));
        assert!(Filter::parse("bogus").is_none());
        let listy = Filter::parse("vlan=10").unwrap();
        assert!(listy.matches("[100]"), "lists match by substring");
        let header: Vec<String> = ["name", "state", "namespace"].map(String::from).to_vec();
        assert_eq!(find_column(&header, "stat"), Ok(1));
        assert_eq!(find_column(&header, "name"), Ok(0));
        assert_eq!(
            find_column(&header, "na"),
            Err("ambiguous column `na`".to_owned())
        );
        assert_eq!(
            find_column(&header, "x"),
            Err("no such column `x`".to_owned())
        );
    }
}
