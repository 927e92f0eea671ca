//! `vm save` and `ns save`: a KVM's disk and state written to files, and a
//! namespace saved as a folder with a `launch.mm` that relaunches it.
//!
//! The files are empty (there is no disk or memory to copy), and a save
//! completes at once. Files go into the files directory; a path outside
//! the mock's base is not written (the command is marked not simulated).
//! `launch.mm` holds minimega's lines but for the VMs' own `vm config`
//! settings, which the mock does not write back as commands; `ns save`
//! saves the VMs of the node it runs on.

use std::path::{Path, PathBuf};

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::{Kind, State};
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm save", Broadcast(status)),
        ("vm save <vm name>", Target(save_vm)),
        ("vm save <vm name> <filename>", Target(save_vm)),
        ("ns <save,> [name]", Simple(save_namespace)),
    ])
}

/// `vm save`: each KVM that was saved, with minimega's migration status.
fn status(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let rows: Vec<Vec<String>> = world
        .ns(ctx)
        .vms
        .iter()
        .filter(|vm| vm.kind == Kind::Kvm && vm.saved)
        .map(|vm| {
            let id = vm.id.to_string();
            vec![id, vm.name.clone(), "completed".into(), "100.00".into()]
        })
        .collect();
    r.header = Some(
        ["id", "name", "status", "complete (%)"]
            .map(String::from)
            .to_vec(),
    );
    r.tabular = (!rows.is_empty()).then_some(rows);
    Ok(())
}

/// Where a save goes: relative paths are in the files directory; `None`
/// for a path the mock may not write.
fn destination(world: &World, path: &str) -> Option<PathBuf> {
    if Path::new(path).is_absolute() {
        super::shell::allowed(world, path, true)
    } else {
        Some(world.files_dir().join(path))
    }
}

/// `vm save <vm> [file]`: `file.hdd` for a VM with disks and `file.state`
/// (by default `saved/<vm>`); the VM is paused, as a migration leaves it.
fn save_vm(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let name = cmd.m.value("vm").unwrap_or_default().to_owned();
    let file = match cmd.m.value("filename") {
        Some(file) => file.to_owned(),
        None => format!("saved/{name}"),
    };
    let ns = world.ns(ctx);
    let id = ns
        .vms
        .find(&name)
        .ok_or_else(|| Failure::VmNotFound(name.clone()))?;
    if ns.vms.get_mut(id).is_some_and(|vm| vm.kind != Kind::Kvm) {
        return Err(format!("vm not KVM: {name}").into());
    }
    let Some(path) = destination(world, &file) else {
        ctx.unsimulated();
        return Ok(());
    };
    save(world, ctx, id, &path)
}

/// Writes VM `id`'s files at `path` (`.hdd`, `.state`) and marks it saved.
fn save(world: &mut World, ctx: &Ctx, id: u64, path: &Path) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let Some(vm) = world.ns(ctx).vms.get_mut(id) else {
        return Ok(());
    };
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    if !vm.config.list("disks").is_empty() {
        std::fs::write(with(".hdd"), "").map_err(|e| e.to_string())?;
    }
    std::fs::write(with(".state"), "").map_err(|e| e.to_string())?;
    vm.state = State::Paused;
    vm.saved = true;
    Ok(())
}

/// `ns save [name]`: with a name, the namespace's VMs paused and saved into
/// `saved/<name>/` with a `launch.mm`; without, how many saves completed.
fn save_namespace(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let Some(name) = cmd.m.value("name") else {
        let vms = world.ns(ctx).vms.iter().filter(|vm| vm.kind == Kind::Kvm);
        let done = vms.filter(|vm| vm.saved).count().to_string();
        r.header = Some(vec!["completed".into(), "total".into()]);
        r.tabular = Some(vec![vec![done.clone(), done]]);
        return Ok(());
    };
    let relative = !Path::new(name).is_absolute();
    let shown = if relative {
        format!("saved/{name}")
    } else {
        name.to_owned()
    };
    let Some(dir) = destination(world, &shown) else {
        ctx.unsimulated();
        return Ok(());
    };
    if dir.exists() {
        return Err("saved VM with this name already exists".into());
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ns_name = world.ns_name(ctx);
    let ns = world.ns(ctx);
    let mut script = format!("namespace {ns_name:?}\n\nns queueing {}\n\n", ns.queueing);
    let queueing = ns.queueing;
    let vms: Vec<(u64, String, Kind, Vec<String>)> = ns
        .vms
        .iter()
        .map(|vm| (vm.id, vm.name.clone(), vm.kind, vm.config.list("disks")))
        .collect();
    // minimega stops every VM first (`vm stop all`).
    for (id, ..) in &vms {
        if let Some(vm) = ns.vms.get_mut(*id).filter(|vm| vm.state == State::Running) {
            vm.state = State::Paused;
        }
    }
    for (id, vm, kind, disks) in vms {
        script.push_str("clear vm config\n");
        if kind == Kind::Kvm {
            save(world, ctx, id, &dir.join(&vm))?;
            // The saved files, as the script names them.
            let at = |suffix: &str| match relative {
                true => format!("file:{shown}/{vm}{suffix}"),
                false => format!("{shown}/{vm}{suffix}"),
            };
            script.push_str(&format!("vm config state {}\n", at(".state")));
            if let Some((_, rest)) = disks.split_first() {
                let first = at(".hdd");
                let all: Vec<&str> = std::iter::once(first.as_str())
                    .chain(rest.iter().map(String::as_str))
                    .collect();
                script.push_str(&format!("vm config disks {}\n", all.join(" ")));
            }
        }
        script.push_str(&format!("vm launch {} {vm:?}\n\n", kind.word()));
    }
    if queueing {
        script.push_str("vm launch\n");
    }
    // The VMs come back paused: started, then stopped and started again.
    script.push_str("vm start all\nshell sleep 10\nvm stop all\nvm start all\n");
    std::fs::write(dir.join("launch.mm"), script).map_err(|e| e.to_string())?;
    Ok(())
}
