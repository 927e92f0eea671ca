//! A namespace's cc server as minimega's `ron` keeps it: the filter and
//! prefix new commands take, the commands by id, and the responses of the
//! simulated agents.
//!
//! Every running VM of the namespace that boots something (a kernel, an
//! initrd or a disk; or a container) has an agent, checked in: the suite's
//! VMs all boot images that run minimega's `miniccc`, and a VM with nothing
//! to boot has none, as recorded from a real minimega. An agent takes a command as soon as it is made,
//! if the filter matches it (a `once` command goes to one agent): it
//! answers `hostname` with the VM's hostname, `echo` with its arguments,
//! and any other command with no output, and records exit code 0 for all
//! but background commands (`cc exitcode`); a file sent is kept, a file
//! asked for is not there. Nothing runs anywhere.

use std::collections::BTreeMap;

/// What `cc filter` sets: every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) uuid: String,
    pub(crate) hostname: String,
    pub(crate) arch: String,
    pub(crate) os: String,
    pub(crate) ip: String,
    pub(crate) mac: String,
    /// Tags, or `vm info` columns, and their values.
    pub(crate) tags: Option<BTreeMap<String, String>>,
}

impl std::fmt::Display for Filter {
    /// As `cc commands` shows a filter: `key=value` joined by ` && `.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (key, value) in [
            ("uuid", &self.uuid),
            ("hostname", &self.hostname),
            ("arch", &self.arch),
            ("os", &self.os),
            ("ip", &self.ip),
            ("mac", &self.mac),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={value}"));
            }
        }
        for (k, v) in self.tags.iter().flatten() {
            parts.push(format!("{k}={v}"));
        }
        f.write_str(&parts.join(" && "))
    }
}

/// What an agent is known by, and what a filter matches against.
#[derive(Debug, Clone, Default)]
pub(crate) struct Client {
    pub(crate) uuid: String,
    pub(crate) hostname: String,
    pub(crate) macs: Vec<String>,
    /// The VM's tags and `vm info` columns, for tag filters.
    pub(crate) fields: BTreeMap<String, String>,
}

impl Client {
    pub(crate) fn matches(&self, filter: Option<&Filter>) -> bool {
        let Some(f) = filter else { return true };
        let same = |want: &str, have: &str| want.is_empty() || want.eq_ignore_ascii_case(have);
        same(&f.uuid, &self.uuid)
            && same(&f.hostname, &self.hostname)
            && same(&f.arch, "amd64")
            && same(&f.os, "linux")
            && f.ip.is_empty()
            && (f.mac.is_empty() || self.macs.iter().any(|m| m.eq_ignore_ascii_case(&f.mac)))
            && f.tags.iter().flatten().all(|(k, v)| {
                self.fields
                    .get(k)
                    .is_some_and(|have| have.eq_ignore_ascii_case(v))
            })
    }
}

/// One cc command.
#[derive(Debug, Clone, Default)]
pub(crate) struct Command {
    pub(crate) prefix: String,
    pub(crate) command: Vec<String>,
    pub(crate) background: bool,
    pub(crate) once: bool,
    pub(crate) send: Vec<String>,
    pub(crate) recv: Vec<String>,
    pub(crate) level: String,
    pub(crate) filter: Option<Filter>,
    /// The agents (UUIDs) that ran it.
    pub(crate) checked_in: Vec<String>,
}

/// A namespace's cc server.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cc {
    pub(crate) filter: Option<Filter>,
    pub(crate) prefix: String,
    pub(crate) counter: u64,
    pub(crate) commands: BTreeMap<u64, Command>,
    /// (command id, agent UUID) → what it wrote on stdout.
    pub(crate) responses: BTreeMap<(u64, String), String>,
}

impl Cc {
    /// A new command with the namespace's filter and prefix, run at once
    /// by the agents it matches; its id.
    pub(crate) fn add(&mut self, mut command: Command, clients: &[Client]) -> u64 {
        self.counter += 1;
        let id = self.counter;
        command.filter = self.filter.clone();
        command.prefix = self.prefix.clone();
        for client in clients {
            if command.once && !command.checked_in.is_empty() {
                break;
            }
            if !client.matches(command.filter.as_ref()) {
                continue;
            }
            command.checked_in.push(client.uuid.clone());
            // minimega makes the answer's folder when the agent checks in,
            // and writes `stdout` into it only if there is output.
            let output = if command.background {
                String::new()
            } else {
                agent_output(client, &command.command)
            };
            self.responses.insert((id, client.uuid.clone()), output);
        }
        self.commands.insert(id, command);
        id
    }

    /// The responses of `ids` (every response, for `None`), as minimega
    /// walks its responses folder: `id/uuid/stdout:` and the text, or the
    /// text alone when `raw`.
    pub(crate) fn show(&self, ids: Option<&[u64]>, raw: bool) -> String {
        let mut out = String::new();
        // minimega walks folders named by number as text.
        let mut keys: Vec<&(u64, String)> = self
            .responses
            .iter()
            .filter(|((id, _), output)| ids.is_none_or_contains(*id) && !output.is_empty())
            .map(|(key, _)| key)
            .collect();
        keys.sort_by_key(|(id, uuid)| (id.to_string(), uuid.clone()));
        for key in keys {
            if !raw {
                out.push_str(&format!("{}/{}/stdout:\n", key.0, key.1));
            }
            out.push_str(&format!("{}\n", self.responses[key]));
        }
        out
    }
}

/// `Option<&[u64]>`: none means every id.
trait IdSet {
    fn is_none_or_contains(&self, id: u64) -> bool;
}

impl IdSet for Option<&[u64]> {
    fn is_none_or_contains(&self, id: u64) -> bool {
        self.map_or(true, |ids| ids.contains(&id))
    }
}

/// What a simulated agent writes on stdout for `command`.
fn agent_output(client: &Client, command: &[String]) -> String {
    match command.split_first() {
        Some((program, _)) if program == "hostname" => format!("{}\n", client.hostname),
        Some((program, args)) if program == "echo" => format!("{}\n", args.join(" ")),
        _ => String::new(),
    }
}
