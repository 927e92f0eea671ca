//! A namespace's cc server as minimega's `ron` keeps it: the filter and
//! prefix new commands take, the commands by id, and the responses of the
//! simulated agents.
//!
//! Every running VM of the namespace that boots something (a kernel, an
//! initrd or a disk; or a container) has an agent, checked in: the suite's
//! VMs all boot images that run minimega's `miniccc`, and a VM with nothing
//! to boot has none, as recorded from a real minimega. An agent takes a command as soon as it is made,
//! if the filter matches it (a `once` command goes to one agent): it
//! answers as [`Agents`] says (by default `hostname` with the VM's
//! hostname, `echo` with its arguments, and any other command with no
//! output and exit code 0), and records the exit code for all but
//! background commands (`cc exitcode`), whose output is not kept; a file
//! sent is kept, a file asked for is not there. Nothing runs anywhere.

use std::collections::BTreeMap;

use crate::agent::{AgentCommand, AgentReply, Agents};

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
    /// (command id, agent UUID) → what it answered.
    pub(crate) responses: BTreeMap<(u64, String), AgentReply>,
}

impl Cc {
    /// A new command with the namespace's filter and prefix, run at once
    /// by the agents it matches; its id.
    pub(crate) fn add(&mut self, mut command: Command, clients: &[Client], agents: &Agents) -> u64 {
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
            // and writes `stdout` and `stderr` into it only if not empty.
            let reply = if command.background {
                AgentReply::default()
            } else {
                agents.run(&AgentCommand {
                    vm: client.fields.get("name").map_or("", String::as_str),
                    hostname: &client.hostname,
                    uuid: &client.uuid,
                    command: &command.command,
                })
            };
            self.responses.insert((id, client.uuid.clone()), reply);
        }
        self.commands.insert(id, command);
        id
    }

    /// The responses of `ids` (every response, for `None`), as minimega
    /// walks its responses folder: `id/uuid/stdout:` and the text, or the
    /// text alone when `raw`.
    pub(crate) fn show(&self, ids: Option<&[u64]>, raw: bool) -> String {
        let mut out = String::new();
        let mut files: Vec<(String, &str)> = Vec::new();
        for ((id, uuid), reply) in &self.responses {
            if !ids.is_none_or_contains(*id) {
                continue;
            }
            // Walked as minimega walks the folder: `stderr` before `stdout`.
            for (file, text) in [("stderr", &reply.stderr), ("stdout", &reply.stdout)] {
                if !text.is_empty() {
                    files.push((format!("{id}/{uuid}/{file}"), text));
                }
            }
        }
        // minimega walks folders named by number as text.
        files.sort();
        for (path, text) in files {
            if !raw {
                out.push_str(&format!("{path}:\n"));
            }
            out.push_str(&format!("{text}\n"));
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
