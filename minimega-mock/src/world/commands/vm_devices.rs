//! A KVM VM's devices after launch: `vm hotplug` (USB drives) and `vm
//! cdrom`, kept as minimega keeps them per VM (the mock has no qemu to
//! tell), and `vm qmp`, checked and answered as far as the mock knows the
//! VM (`query-status`; other QMP commands are not simulated).

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::{Kind, State};
use super::super::{Ctx, MatchedCommand, World, WILDCARD};
use super::fixed;
use super::vm::{apply, VmChange};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm hotplug", Target(hotplug)),
        (
            "vm hotplug <add,> <vm target> <filename> [version]",
            Target(hotplug),
        ),
        (
            "vm hotplug <add,> <vm target> <filename> serial <serial> [version]",
            Target(hotplug),
        ),
        (
            "vm hotplug <remove,> <vm target> <disk id or all>",
            Target(hotplug),
        ),
        ("vm cdrom <eject,> <vm target> [force,]", Target(cdrom)),
        (
            "vm cdrom <change,> <vm target> <path> [force,]",
            Target(cdrom),
        ),
        ("vm qmp <vm name> <qmp command>", Simple(qmp)),
    ])
}

/// minimega's `os.Stat` check on a file to give a VM.
fn exists(path: &str) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("stat {path}: no such file or directory")),
    }
}

fn hotplug(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    if m.chose("add") {
        let file = m.value("filename").unwrap_or_default().to_owned();
        exists(&file)?;
        let version = match m.value("version").unwrap_or_default() {
            "" | "1.1" => "1.1".to_owned(),
            "2.0" => "2.0".to_owned(),
            "3.0" => "3.0".to_owned(),
            other => return Err(format!("invalid version: `{other}`").into()),
        };
        return apply(world, ctx, cmd, |vm, _| {
            if vm.kind == Kind::Container {
                return VmChange::Skip;
            }
            let xhci = super::super::config::field_named("usb-use-xhci")
                .is_some_and(|f| vm.config.get(f) == super::super::config::Value::Bool(true));
            if version == "3.0" && !xhci {
                return VmChange::Failed(format!(
                    "invalid version: `{version}`. VM configured for EHCI instead of XHCI"
                ));
            }
            let id = vm.hotplug.keys().next_back().map_or(0, |k| k + 1);
            vm.hotplug.insert(id, (file.clone(), version.clone()));
            VmChange::Done
        });
    }
    if m.chose("remove") {
        let disk = m.value("disk").unwrap_or_default().to_owned();
        let id: Option<u64> = disk.parse().ok();
        if id.is_none() && disk != WILDCARD {
            return Err(format!("invalid disk: `{disk}`").into());
        }
        return apply(world, ctx, cmd, |vm, wild| {
            if vm.kind == Kind::Container {
                return VmChange::Skip;
            }
            let error = match id {
                None if vm.hotplug.is_empty() => "no hotplug devices to remove",
                None => {
                    vm.hotplug.clear();
                    return VmChange::Done;
                }
                Some(id) if vm.hotplug.remove(&id).is_some() => return VmChange::Done,
                Some(_) => "no such hotplug device",
            };
            if wild {
                VmChange::Done
            } else {
                VmChange::Failed(error.to_owned())
            }
        });
    }
    r.header = Some(
        ["name", "id", "file", "version"]
            .map(str::to_owned)
            .to_vec(),
    );
    let rows: Vec<Vec<String>> = world
        .ns(ctx)
        .vms
        .iter()
        .flat_map(|vm| {
            vm.hotplug.iter().map(|(id, (file, version))| {
                vec![
                    vm.name.clone(),
                    id.to_string(),
                    file.clone(),
                    version.clone(),
                ]
            })
        })
        .collect();
    r.tabular = (!rows.is_empty()).then_some(rows);
    Ok(())
}

fn cdrom(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let path = m.value("path").map(str::to_owned);
    if let Some(path) = &path {
        exists(path)?;
    }
    // minimega drops the error of an eject (there is none to report for a
    // VM with no cdrom).
    apply(world, ctx, cmd, |vm, _| {
        if vm.kind == Kind::Container {
            return VmChange::Skip;
        }
        vm.cdrom = Some(path.clone().unwrap_or_default());
        VmChange::Done
    })
}

/// `vm qmp <vm> <json>`: the JSON is checked; `query-status` answers the
/// VM's run state.
fn qmp(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let name = cmd.m.value("vm").unwrap_or_default();
    let ns = world.ns(ctx);
    let Some(id) = ns.vms.find(name) else {
        return Err(Failure::VmNotFound(name.to_string()));
    };
    let Some(vm) = ns.vms.get_mut(id) else {
        return Err(Failure::VmNotFound(name.to_string()));
    };
    if vm.kind != Kind::Kvm {
        return Err(format!("vm {name} is not a KVM vm").into());
    }
    let text = cmd.m.value("qmp").unwrap_or_default();
    let request: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    if request.get("execute").and_then(|v| v.as_str()) != Some("query-status") {
        ctx.unsimulated();
        return Ok(());
    }
    let (running, status) = match vm.state {
        State::Running => (true, "running"),
        State::Building => (false, "prelaunch"),
        _ => (false, "paused"),
    };
    r.response = format!(
        "{{\"return\":{{\"running\":{running},\"singlestep\":false,\"status\":\"{status}\"}}}}"
    );
    Ok(())
}
