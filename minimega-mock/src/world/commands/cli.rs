//! The daemon's own commands: `echo`, `version`, `host`, and the commands
//! that run others: `mesh send` (on other nodes) and `read` (a script).
use std::path::Path;
use std::rc::Rc;

use minimega_protocol::WireResponse;
use minimega_spec::{host_table, Item, Line};
use serde_json::json;

use super::super::gotime::go_duration;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::{Kind, Vm};
use super::super::{through_mesh, Batch, Ctx, MatchedCommand, ReadScript, World};
use super::{fixed, word};
use crate::names;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    let mut entries = fixed([
        ("echo [args]...", Simple(echo)),
        ("version", Simple(version)),
        ("host", Broadcast(host)),
        (
            "mesh send <hostname or range or all> (command)",
            Whole(mesh_send),
        ),
        ("read <file> [check,]", Whole(read)),
    ]);
    // `host <field,>` for every column of the table, and `host name`.
    for field in host_table::COLUMNS.iter().chain(&["name"]) {
        entries.push((format!("host <{field},>"), Broadcast(host)));
    }
    entries
}

pub(crate) fn echo(
    _: &mut World,
    _: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    r.response = cmd.m.list("args").join(" ");
    Ok(())
}

pub(crate) fn version(
    world: &mut World,
    _: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
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
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
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
            "uptime" => go_duration(std::time::Duration::from_nanos(UPTIME_NANOS)),
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
            let header = host_table::COLUMNS;
            r.tabular = Some(vec![header.iter().map(|f| print(f)).collect()]);
            r.header = Some(header.map(str::to_owned).to_vec());
        }
        field => r.response = print(field),
    }
    Ok(())
}

/// `mesh send <hosts> (command)`: the command run on each host named (never
/// on this one), their responses in one message; unknown hosts are
/// skipped, as minimega skips hosts it has no route to.
pub(crate) fn mesh_send(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: Option<&ReadScript>,
) -> Vec<Batch> {
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
    ctx.count_mesh_hosts(targets.len());
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut responses = Vec::new();
    for node in targets {
        let remote = Ctx {
            request: Rc::clone(&ctx.request),
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
        responses.extend(first.map(through_mesh));
    }
    vec![Batch::of(responses)]
}

/// `read <file> [check]`: each line of the script run in turn (in the
/// namespace `read` runs in, until a line switches it), one message per
/// answer; a line that is not a command ends it with an error naming the
/// file and line.
pub(crate) fn read(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    script: Option<&ReadScript>,
) -> Vec<Batch> {
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
        let line_cmd = MatchedCommand::new(spec, m, &tokens);
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
        let record = world.recorded(&line_cmd);
        batches.extend(world.dispatch(&here, &line_cmd, None));
        if record {
            world.history.push(line.trim().to_owned());
        }
        if let Some(name) = switch {
            ns = name;
        }
    }
    batches
}

/// Whether `cmd` or a command nested in it starts with `word`.
fn mentions(spec: &minimega_spec::Spec, cmd: &MatchedCommand, word: &str) -> bool {
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
fn switched_namespace(spec: &minimega_spec::Spec, cmd: &MatchedCommand) -> Option<String> {
    let mut level = Some(cmd);
    while let Some(cmd) = level {
        if spec.pattern(cmd.m.id).text == "namespace [name]" {
            return cmd.m.value("name").map(str::to_owned);
        }
        level = cmd.sub.as_deref();
    }
    None
}
