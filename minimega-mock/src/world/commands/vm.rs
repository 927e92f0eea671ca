//! VMs: `vm launch`, `vm info`, the state changes (`vm start|stop|kill|
//! flush`) and `vm tag`, with minimega's checks and errors.
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use minimega_protocol::WireResponse;
use serde_json::Value as Json;

use super::super::config::Config;
use super::super::netspec::NetSpec;
use super::super::schedule::{self, Load};
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::{Kind, State, Vm, HEADER, SUMMARY_HEADER};
use super::super::{valid_name, Ctx, MatchedCommand, Queued, World, INVALID_NAME};
use super::{fixed, word};
use crate::names;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm info [summary,]", Broadcast(vm_info)),
        ("vm launch", Simple(launch_queued)),
        ("vm launch <kvm,> <name or count> [config]", Simple(launch)),
        (
            "vm launch <container,> <name or count> [config]",
            Simple(launch),
        ),
        (
            "vm launch <android,> <name or count> [config]",
            Simple(launch),
        ),
        ("vm <start,> <vm target>", Target(start)),
        ("vm <stop,> <vm target>", Target(stop)),
        ("vm <kill,> <vm target>", Target(kill)),
        ("vm <flush,>", Broadcast(flush_all)),
        ("vm <flush,> <vm target>", Broadcast(flush)),
    ])
}

/// The most VMs one `vm launch` may create.
const MAX_LAUNCH: u64 = minimega_spec::ranges::MAX_NAMES as u64;

pub(crate) fn vm_info(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
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

/// `vm launch` alone: launches what `ns queueing true` queued.
pub(crate) fn launch_queued(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let queue = std::mem::take(&mut world.ns(ctx).queue);
    if queue.is_empty() {
        return Err("namespace must contain at least one queued VM to launch VMs".into());
    }
    run_queued(world, ctx, queue).map_err(Failure::from)
}

/// Places and creates the VMs of each queued launch.
pub(super) fn run_queued(world: &mut World, ctx: &Ctx, queue: Vec<Queued>) -> Result<(), String> {
    let ns_name = world.ns_name(ctx);
    let hosts = world.ns(ctx).hosts.clone();
    // A schedule `ns schedule dry-run` made (and `mv` changed) is kept.
    let assigned = world.ns(ctx).assignment.take().unwrap_or_default();
    for queued in queue {
        let placement = placement(
            world,
            ctx,
            &ns_name,
            &hosts,
            &queued.config,
            queued.names.len(),
        )?;
        let config = Arc::new(queued.config);
        for (name, host) in queued.names.into_iter().zip(placement) {
            let host = assigned
                .iter()
                .find(|(vm, _)| *vm == name)
                .map_or(host, |(_, dst)| dst.clone());
            let Some(node) = world.node_index(&host) else {
                continue;
            };
            create(
                world,
                node,
                &ns_name,
                name,
                queued.kind,
                Arc::clone(&config),
            );
        }
    }
    Ok(())
}

/// Where each queued VM would go: `ns schedule dry-run`.
pub(super) fn dry_run(world: &mut World, ctx: &Ctx) -> Result<Vec<(String, String)>, String> {
    let ns_name = world.ns_name(ctx);
    let hosts = world.ns(ctx).hosts.clone();
    let queue = world.ns(ctx).queue.clone();
    let mut rows = Vec::new();
    for queued in queue {
        let placement = placement(
            world,
            ctx,
            &ns_name,
            &hosts,
            &queued.config,
            queued.names.len(),
        )?;
        rows.extend(queued.names.into_iter().zip(placement));
    }
    Ok(rows)
}

/// `vm launch <kind> <name or count> [config]`: checked as minimega checks
/// it, placed by its scheduler, created on each host; a VM that fails to
/// launch is reported only in `vm info`, as in minimega.
pub(crate) fn launch(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    if ctx.via_mesh {
        return Err(format!("cannot run `{}` via meshage", cmd.text).into());
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
        return Err("cannot launch multiple VMs with a pre-configured UUID".into());
    }
    // Names and UUIDs taken anywhere in the namespace, found in one pass.
    let hosts = world.ns(ctx).hosts.clone();
    let mut taken: HashSet<String> = HashSet::new();
    let mut uuids: HashSet<String> = HashSet::new();
    for host in &hosts {
        if let Some(node) = world.node_index(host) {
            if let Some(there) = world.node(node).namespaces.get(&ns_name) {
                taken.extend(there.vms.iter().map(|vm| vm.name.clone()));
                uuids.extend(there.vms.iter().map(|vm| vm.uuid().to_owned()));
            }
        }
    }
    for name in names.iter().flatten() {
        if taken.contains(name) {
            return Err(format!("vm already exists with name `{name}`").into());
        }
        if !valid_name(name) {
            return Err(format!("{INVALID_NAME}: `{name}`").into());
        }
    }
    let uuid = config.text("uuid");
    if !uuid.is_empty() && uuids.contains(&uuid) {
        return Err(format!("vm already exists with UUID `{uuid}`").into());
    }
    // Then the same against what waits in the queue.
    for queued in &world.ns(ctx).queue {
        if let Some(name) = names.iter().flatten().find(|n| queued.names.contains(n)) {
            return Err(format!("vm already queued with name `{name}`").into());
        }
        if !uuid.is_empty() && queued.config.text("uuid") == uuid {
            return Err(format!("vm already queued with UUID `{uuid}`").into());
        }
    }
    // Counted VMs are named when the launch is queued, as in minimega.
    let names = names
        .into_iter()
        .map(|name| {
            name.unwrap_or_else(|| {
                let ns = world.ns(ctx);
                ns.next_name += 1;
                format!("vm-{}", ns.next_name - 1)
            })
        })
        .collect();
    let queued = Queued {
        names,
        kind,
        config,
    };
    if world.ns(ctx).queueing {
        let ns = world.ns(ctx);
        ns.queue.push(queued);
        ns.assignment = None;
        return Ok(());
    }
    run_queued(world, ctx, vec![queued]).map_err(Failure::from)
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
/// a filesystem, and a KVM sharing a disk with a KVM of the host where
/// either is not in snapshot mode, are never created (minimega logs why,
/// and `vm launch` answers nothing), and a container whose filesystem does
/// not exist fails to launch.
fn create(world: &mut World, node: usize, ns: &str, name: String, kind: Kind, config: Arc<Config>) {
    let id = world.next_vm_id(node);
    let filesystem = config.text("filesystem");
    if kind == Kind::Container && filesystem.is_empty() {
        return;
    }
    if kind == Kind::Kvm && shares_disk(world, node, &config) {
        return;
    }
    let host = world.node(node).name.clone();
    let specs = config.list("networks");
    let mut vm = Vm::new(id, name, ns, &host, kind, config);
    // A VM keeps its interfaces' VLANs even when its launch fails, but
    // gets no taps then.
    let failed = kind == Kind::Container && !world.images_exist && !Path::new(&filesystem).exists();
    if failed {
        vm.fail(format!(
            "overlayMount: stat {filesystem}: no such file or directory"
        ));
    }
    for text in &specs {
        // The configuration keeps only specs that parsed.
        let Ok(spec) = NetSpec::parse(text) else {
            continue;
        };
        let vlan = world.vlans.lookup(ns, &spec.alias).unwrap_or_default();
        let shown = world.vlans.print(ns, vlan);
        let tap = (!failed).then(|| world.next_tap(node));
        if !failed {
            // The bridge is made with the VM's tap, and outlives it.
            let bridges = &mut world.node_mut(node).bridges;
            bridges.entry(spec.bridge.clone()).or_default();
        }
        vm.attach(&spec, vlan, shown, tap);
    }
    world.namespace(node, ns).vms.insert(vm);
}

/// Whether a KVM of `config` would share a disk with a KVM of `node` (in any
/// namespace: minimega checks the host's VMs) where either is not in
/// snapshot mode: minimega's disk conflict.
fn shares_disk(world: &World, node: usize, config: &Arc<Config>) -> bool {
    let disks = config.list("disks");
    if disks.is_empty() {
        // Nothing to share: no walk over the host's VMs.
        return false;
    }
    let paths: HashSet<&str> = disks.iter().map(|d| disk_path(d)).collect();
    let snapshot = config.flag("snapshot");
    world.node(node).namespaces.values().any(|there| {
        there.vms.iter().any(|vm| {
            // VMs of the same launch share its configuration: in snapshot
            // mode they cannot conflict, and are passed over at the cost of
            // a pointer comparison (a large launch stays linear).
            let same_launch = Arc::ptr_eq(&vm.config, config);
            vm.kind == Kind::Kvm
                && !(snapshot && (same_launch || vm.config.flag("snapshot")))
                && vm
                    .config
                    .list("disks")
                    .iter()
                    .any(|d| paths.contains(disk_path(d)))
        })
    })
}

/// The path of a `disks` entry (`path[,interface][,cache]`).
fn disk_path(disk: &str) -> &str {
    disk.split(',').next().unwrap_or(disk)
}

/// What a state change did to one VM.
pub(super) enum VmChange {
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
pub(super) fn apply(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    mut act: impl FnMut(&mut Vm, bool) -> VmChange,
) -> Result<(), Failure> {
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
            VmChange::Skip => (false, false),
            VmChange::Done => (true, false),
            VmChange::Failed(error) => {
                errors.push(error);
                (true, false)
            }
            VmChange::Remove => (true, true),
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
                // Nothing was applied: the one value named no VM.
                return Err(Failure::VmNotFound(only.clone()));
            } else if !applied.get(only).copied().unwrap_or(false) {
                errors.push(format!("VM state error: {only}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n").into())
    }
}

pub(crate) fn start(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    apply(world, ctx, cmd, |vm, wild| match vm.state {
        State::Building | State::Paused => {
            vm.state = State::Running;
            VmChange::Done
        }
        State::Quit | State::Error if wild => VmChange::Skip,
        State::Quit | State::Error => {
            vm.state = State::Running;
            VmChange::Done
        }
        State::Running if wild => VmChange::Skip,
        State::Running => VmChange::Failed("vm is already running".to_owned()),
    })
}

/// A state change that applies to VMs in the states `applies` accepts and
/// skips the others.
fn apply_in(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    applies: fn(State) -> bool,
    change: fn(&mut Vm) -> VmChange,
) -> Result<(), Failure> {
    apply(world, ctx, cmd, |vm, _| {
        if applies(vm.state) {
            change(vm)
        } else {
            VmChange::Skip
        }
    })
}

pub(crate) fn stop(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    apply_in(
        world,
        ctx,
        cmd,
        |state| state == State::Running,
        |vm| {
            vm.state = State::Paused;
            VmChange::Done
        },
    )
}

pub(crate) fn kill(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    apply_in(world, ctx, cmd, State::killable, |vm| {
        vm.state = State::Quit;
        VmChange::Done
    })
}

pub(crate) fn flush(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    apply_in(world, ctx, cmd, State::flushable, |_| VmChange::Remove)
}

pub(crate) fn flush_all(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
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
}
