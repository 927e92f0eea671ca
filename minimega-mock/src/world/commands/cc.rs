//! `cc` and `clear cc`: the namespace's cc server ([`super::super::cc`])
//! on each host of the namespace, with minimega's tables and errors. The
//! agents are the running VMs; see the model for what they answer.

use minimega_protocol::WireResponse;
use serde_json::json;

use super::super::cc::{Client, Command, Filter};
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::HEADER;
use super::super::{Ctx, MatchedCommand, World, WILDCARD};

const PATTERNS: [&str; 24] = [
    "cc",
    "cc <clients,>",
    "cc <filter,> [filter]...",
    "cc <commands,>",
    "cc <prefix,> [prefix]",
    "cc <send,> <file>...",
    "cc <recv,> <file>...",
    "cc <exec,> <command>...",
    "cc <exec-once,> <command>...",
    "cc <background,> <command>...",
    "cc <background-once,> <command>...",
    "cc <process,> <list,> <vm name, uuid or all>",
    "cc <process,> <kill,> <pid or all>",
    "cc <process,> <killall,> <name>",
    "cc <log,> level <debug,info,warn,error,fatal>",
    "cc <responses,> <id or prefix or all> [raw,]",
    "cc <exitcode,> <id> <vm name, hostname, or uuid>",
    "cc <delete,> <command,> <id or prefix or all>",
    "cc <delete,> <response,> <id or prefix or all>",
    "clear cc",
    "clear cc <commands,>",
    "clear cc <filter,>",
    "clear cc <prefix,>",
    "clear cc <responses,>",
];

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    PATTERNS
        .iter()
        .map(|p| (p.to_string(), Broadcast(cc)))
        .collect()
}

/// The agents of the command's namespace on its node: its running VMs
/// that boot something (see `Vm::has_agent`).
fn clients(world: &mut World, ctx: &Ctx) -> Vec<Client> {
    world
        .ns(ctx)
        .vms
        .iter()
        .filter(|vm| vm.has_agent())
        .map(|vm| {
            let mut fields: std::collections::BTreeMap<String, String> = HEADER
                .iter()
                .map(|c| c.to_string())
                .zip(vm.row(&HEADER))
                .collect();
            fields.extend(vm.tags.clone());
            Client {
                uuid: vm.uuid().to_owned(),
                hostname: vm.hostname(),
                macs: vm.nics.iter().map(|n| n.mac.clone()).collect(),
                fields,
            }
        })
        .collect()
}

/// minimega's `ccCommandPreProcess`: up to three leading `stdin=`,
/// `stdout=`, `stderr=` are for plumbing, not the command.
fn command_words(words: &[String]) -> Vec<String> {
    let mut at = 0;
    while at < 3 && at < words.len() {
        let plumbing = words[at]
            .split_once('=')
            .is_some_and(|(k, v)| ["stdin", "stdout", "stderr"].contains(&k) && !v.contains('='));
        if !plumbing {
            break;
        }
        at += 1;
    }
    words[at..].to_vec()
}

/// A `cc filter` from its `key=value` pairs.
fn parse_filter(pairs: &[String]) -> Result<Filter, String> {
    let mut filter = Filter::default();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!("malformed id=value pair: {pair}"));
        };
        let tag = |text: &str| -> (String, String) {
            let split = if text.contains('=') {
                text.split_once('=')
            } else {
                text.split_once(':')
            };
            match split {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (text.to_owned(), String::new()),
            }
        };
        match key.to_lowercase().as_str() {
            "uuid" => filter.uuid = value.to_lowercase(),
            "hostname" => filter.hostname = value.to_owned(),
            "arch" => filter.arch = value.to_owned(),
            "os" => filter.os = value.to_owned(),
            "ip" => filter.ip = value.to_owned(),
            "mac" => filter.mac = value.to_owned(),
            "tag" => {
                let (k, v) = tag(value);
                filter
                    .tags
                    .get_or_insert_with(Default::default)
                    .insert(k, v);
            }
            _ => {
                let (k, v) = tag(pair);
                filter
                    .tags
                    .get_or_insert_with(Default::default)
                    .insert(k, v);
            }
        }
    }
    Ok(filter)
}

fn cc(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let clients = clients(world, ctx);
    let agents = world.agents.clone();
    let clearing = world.spec().pattern(m.id).text.starts_with("clear ");
    let responses_dir = match ctx.ns.as_deref().unwrap_or("minimega") {
        "minimega" => world.files_dir().join("miniccc_responses"),
        ns => world.files_dir().join(ns).join("miniccc_responses"),
    };
    let state = &mut world.ns(ctx).cc;
    if clearing {
        let all = m.choices.is_empty();
        if all || m.chose("filter") {
            state.filter = None;
        }
        if all || m.chose("commands") {
            state.commands.clear();
            state.counter = 0;
        }
        if all || m.chose("responses") {
            state.responses.clear();
        }
        if all || m.chose("prefix") {
            state.prefix.clear();
        }
        return Ok(());
    }
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    let mut new = Command::default();
    if m.choices.is_empty() {
        r.header = Some(vec!["clients".into()]);
        r.tabular = Some(vec![vec![clients.len().to_string()]]);
        return Ok(());
    } else if m.chose("clients") {
        r.header = Some(
            ["uuid", "hostname", "arch", "os", "ip", "mac"]
                .map(str::to_owned)
                .to_vec(),
        );
        // A Go slice appended to from nil: null when there are none.
        r.tabular = (!clients.is_empty()).then(|| {
            clients
                .iter()
                .map(|c| {
                    vec![
                        c.uuid.clone(),
                        c.hostname.clone(),
                        "amd64".to_owned(),
                        "linux".to_owned(),
                        "[]".to_owned(),
                        format!("[{}]", c.macs.join(" ")),
                    ]
                })
                .collect()
        });
        return Ok(());
    } else if m.chose("filter") {
        let pairs = m.list("filter");
        if !pairs.is_empty() {
            state.filter = Some(parse_filter(pairs)?);
            return Ok(());
        }
        if let Some(f) = &state.filter {
            r.header = Some(
                ["uuid", "hostname", "arch", "os", "ip", "mac", "tags"]
                    .map(str::to_owned)
                    .to_vec(),
            );
            let tags =
                serde_json::to_string(&f.tags.clone().unwrap_or_default()).unwrap_or_default();
            r.tabular = Some(vec![vec![
                f.uuid.clone(),
                f.hostname.clone(),
                f.arch.clone(),
                f.os.clone(),
                f.ip.clone(),
                f.mac.clone(),
                tags,
            ]]);
        }
        return Ok(());
    } else if m.chose("prefix") {
        match m.value("prefix") {
            Some(prefix) => state.prefix = prefix.to_owned(),
            None => r.response = state.prefix.clone(),
        }
        return Ok(());
    } else if m.chose("commands") {
        commands_table(state, r);
        return Ok(());
    } else if m.chose("exitcode") {
        r.response = exit_code(state, &clients, &value("id"), &value("vm"), &responses_dir)?;
        return Ok(());
    } else if m.chose("responses") {
        return responses(state, &value("id"), m.chose("raw"), r);
    } else if m.chose("delete") {
        return delete(state, &value("id"), m.chose("command")).map_err(Failure::from);
    } else if m.chose("process") && m.chose("list") {
        r.header = Some(
            ["name", "uuid", "pid", "command"]
                .map(str::to_owned)
                .to_vec(),
        );
        return Ok(());
    } else if m.chose("exec") || m.chose("exec-once") {
        new.command = command_words(m.list("command"));
        new.once = m.chose("exec-once");
    } else if m.chose("background") || m.chose("background-once") {
        new.command = command_words(m.list("command"));
        new.once = m.chose("background-once");
        new.background = true;
    } else if m.chose("send") {
        new.send = m.list("file").to_vec();
    } else if m.chose("recv") {
        new.recv = m.list("file").to_vec();
    } else if m.chose("log") {
        new.level = ["debug", "info", "warn", "error", "fatal"]
            .into_iter()
            .find(|l| m.chose(l))
            .unwrap_or_default()
            .to_owned();
    } else if m.chose("kill") && value("pid") != WILDCARD && value("pid").parse::<i64>().is_err() {
        return Err(format!("invalid PID: `{}`", value("pid")).into());
    }
    // Every other form makes a command for the agents.
    let id = state.add(new, &clients, &agents);
    r.data = json!(id);
    Ok(())
}

/// `cc exitcode <id> <vm>`: what the agent recorded, as minimega reads it
/// from the answer's folder; an agent records one for every command but a
/// background one.
fn exit_code(
    state: &super::super::cc::Cc,
    clients: &[Client],
    id: &str,
    vm: &str,
    responses_dir: &std::path::Path,
) -> Result<String, String> {
    let id: u64 = id
        .parse()
        .map_err(|_| "invalid command ID provided".to_owned())?;
    let client = clients
        .iter()
        .find(|c| c.uuid == vm || c.hostname == vm || c.fields.get("name").is_some_and(|n| n == vm))
        .ok_or_else(|| format!("unable to get exit code: no client {vm}"))?;
    let ran = state
        .commands
        .get(&id)
        .is_some_and(|c| !c.background && c.checked_in.contains(&client.uuid));
    let recorded = state
        .responses
        .get(&(id, client.uuid.clone()))
        .filter(|_| ran);
    if let Some(reply) = recorded {
        Ok(reply.exit_code.to_string())
    } else {
        let path = responses_dir
            .join(id.to_string())
            .join(&client.uuid)
            .join("exitcode");
        Err(format!(
            "unable to get exit code: stat {}: no such file or directory",
            path.display()
        ))
    }
}

/// `cc commands`: every command, by id.
fn commands_table(state: &super::super::cc::Cc, r: &mut WireResponse) {
    r.header = Some(
        [
            "id",
            "prefix",
            "command",
            "responses",
            "background",
            "once",
            "sent",
            "received",
            "connectivity",
            "level",
            "filter",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    let list = |items: &[String]| format!("[{}]", items.join(" "));
    r.tabular = Some(
        state
            .commands
            .iter()
            .map(|(id, c)| {
                vec![
                    id.to_string(),
                    c.prefix.clone(),
                    list(&c.command),
                    c.checked_in.len().to_string(),
                    c.background.to_string(),
                    c.once.to_string(),
                    list(&c.send),
                    list(&c.recv),
                    String::new(),
                    c.level.clone(),
                    c.filter.as_ref().map(Filter::to_string).unwrap_or_default(),
                ]
            })
            .collect(),
    );
}

/// `cc responses <id or prefix or all> [raw]`.
fn responses(
    state: &super::super::cc::Cc,
    which: &str,
    raw: bool,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    if which == WILDCARD {
        r.response = state.show(None, raw);
        return Ok(());
    }
    if let Ok(id) = which.parse::<u64>() {
        if !state.responses.keys().any(|(i, _)| *i == id) {
            return Err(format!("no responses for {id}").into());
        }
        r.response = state.show(Some(&[id]), raw);
        return Ok(());
    }
    let ids: Vec<u64> = state
        .commands
        .iter()
        .filter(|(_, c)| c.prefix == which)
        .map(|(id, _)| *id)
        .collect();
    if ids.is_empty() {
        return Err(format!("no such prefix: `{which}`").into());
    }
    for id in ids {
        if !state.responses.keys().any(|(i, _)| *i == id) {
            return Err(format!("no responses for {id}").into());
        }
        r.response.push_str(&state.show(Some(&[id]), raw));
        r.response.push('\n');
    }
    Ok(())
}

/// `cc delete command|response <id or prefix or all>`.
fn delete(state: &mut super::super::cc::Cc, which: &str, command: bool) -> Result<(), String> {
    let ids: Vec<u64> = if which == WILDCARD {
        if command {
            state.commands.clear();
            state.counter = 0;
        } else {
            state.responses.clear();
        }
        return Ok(());
    } else if let Ok(id) = which.parse::<u64>() {
        if command && !state.commands.contains_key(&id) {
            return Err(format!("command {id} not found"));
        }
        vec![id]
    } else {
        let ids: Vec<u64> = state
            .commands
            .iter()
            .filter(|(_, c)| c.prefix == which)
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            return Err(format!("no such prefix: `{which}`"));
        }
        ids
    };
    for id in ids {
        if command {
            state.commands.remove(&id);
        } else {
            state.responses.retain(|(i, _), _| *i != id);
        }
    }
    Ok(())
}
