//! The mock's state and its simulation of minimega's commands.
//!
//! The state mirrors minimega's: each host (node) has its own namespaces,
//! each with its own `vm config`, saved configs and VMs, and its own VM id
//! counter; the head node (the one whose socket the mock serves) holds the
//! active namespace clients see. A command runs on a node, in a namespace,
//! as minimega's handlers do: once on that node, fanned out to every host
//! of the namespace (`vm info`, `host`, `vm start` …), or passed to other
//! nodes (`mesh send`).
//!
//! A command's answer is a list of [`Batch`]es, one per message; each is
//! rendered on the head, with the flags the output modifiers set on it.
//!
//! Nothing here does I/O: `read` gets the script's text from the caller,
//! which reads it before taking the world's lock.

mod cc;
mod commands;
mod config;
mod gotime;
mod netspec;
mod nics;
mod request;
mod router;
mod schedule;
mod state;
pub(crate) mod table;
mod vlans;
mod vms;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use minimega_protocol::{Message, WireResponse};
use minimega_spec::{input, Line, PatternId, Spec};

use crate::preprocess::Preprocessor;
use crate::received::Answered;
use crate::render::{render, Flags};
use crate::stub::{Answer, Stubs};
use config::Config;
use table::Dispatch;
use vlans::Vlans;
use vms::Vms;

pub(crate) use request::{Ctx, MatchedCommand, ReadScript, RequestReport};
pub(crate) use state::{HostTap, Namespace, Node, Queued};
pub(crate) use table::check;

/// The namespace minimega starts in.
pub(crate) const DEFAULT_NAMESPACE: &str = "minimega";

/// The word minimega takes for "every one" (hosts, VMs, namespaces).
pub(crate) const WILDCARD: &str = "all";

// minimega's rule for VM and namespace names, which the client's stricter
// rule for names that become directories builds on.
use minimega_spec::harmful::minimega_accepts_name as valid_name;

const INVALID_NAME: &str =
    "invalid name; must only include letters, numbers, hyphens and underscores";

/// One message of an answer: its responses and, when an output modifier
/// set them, its own rendering flags.
#[derive(Debug, Clone, Default)]
pub(crate) struct Batch {
    pub(crate) responses: Vec<WireResponse>,
    pub(crate) flags: Option<Flags>,
}

impl Batch {
    fn of(responses: Vec<WireResponse>) -> Batch {
        Batch {
            responses,
            flags: None,
        }
    }
}

/// A response as it arrives from another node. minimega passes responses
/// between nodes in Go's gob encoding, which leaves out empty lists: they
/// arrive as `null` (empty maps survive).
pub(crate) fn through_mesh(mut response: WireResponse) -> WireResponse {
    if response.header.as_ref().is_some_and(Vec::is_empty) {
        response.header = None;
    }
    if response.tabular.as_ref().is_some_and(Vec::is_empty) {
        response.tabular = None;
    }
    response.data = without_empty_lists(std::mem::take(&mut response.data));
    response
}

fn without_empty_lists(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Array(items) if items.is_empty() => Value::Null,
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty_lists).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, without_empty_lists(v)))
                .collect(),
        ),
        other => other,
    }
}

/// What a command came to.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) messages: Vec<Message>,
    pub(crate) how: Answered,
    /// How many hosts a `mesh send` in the command went to (0: none).
    pub(crate) mesh_hosts: usize,
}

/// The whole simulated cluster.
#[derive(Debug)]
pub(crate) struct World {
    spec: &'static Spec,
    handlers: BTreeMap<PatternId, Dispatch>,
    nodes: Vec<Node>,
    version: String,
    pub(crate) preprocessor: Preprocessor,
    /// minicli's daemon-wide output flags.
    pub(crate) flags: Flags,
    pub(crate) stubs: Stubs,
    /// VLAN aliases, ranges and the blacklist.
    pub(crate) vlans: Vlans,
    /// Whether `debug cpu start` runs a CPU profile.
    pub(crate) cpu_profile: bool,
    /// The head's aliases (`.alias`), expanded in each line received.
    pub(crate) aliases: BTreeMap<String, String>,
    /// The head's command history (`history`).
    pub(crate) history: Vec<String>,
    /// Host taps, by name.
    pub(crate) host_taps: BTreeMap<String, HostTap>,
    /// Whether container filesystems are taken to exist
    /// ([`crate::MockBuilder::images_exist`]).
    pub(crate) images_exist: bool,
    /// What the simulated cc agents answer ([`crate::MockBuilder::cc_agent`]).
    pub(crate) agents: crate::agent::Agents,
    /// Paths outside its base that the mock's `shell` made, which it may
    /// remove again.
    pub(crate) made_paths: std::collections::BTreeSet<PathBuf>,
}

impl World {
    /// `hosts` must not be empty; the builder sees to it.
    pub(crate) fn new(
        spec: &'static Spec,
        handlers: BTreeMap<PatternId, Dispatch>,
        hosts: Vec<String>,
        version: String,
        preprocessor: Preprocessor,
    ) -> World {
        let nodes = hosts
            .iter()
            .map(|name| Node {
                name: name.clone(),
                namespaces: BTreeMap::new(),
                active: DEFAULT_NAMESPACE.to_owned(),
                next_vm_id: 0,
                next_tap: 0,
                plumber: Default::default(),
                bridges: BTreeMap::new(),
            })
            .collect();
        World {
            spec,
            handlers,
            nodes,
            version,
            preprocessor,
            flags: Flags::default(),
            stubs: Stubs::default(),
            vlans: Vlans::default(),
            history: Vec::new(),
            aliases: BTreeMap::new(),
            cpu_profile: false,
            made_paths: Default::default(),
            images_exist: false,
            agents: Default::default(),
            host_taps: BTreeMap::new(),
        }
    }

    pub(crate) fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// Completions for a `Suggest` request.
    pub(crate) fn suggest(&self, input: &str) -> Vec<String> {
        crate::suggest::suggest(self.spec, input)
    }

    /// The file a `read` in `line` would run, as it will name it once its
    /// arguments are preprocessed: the caller reads it before the command
    /// runs, outside the world's lock.
    pub(crate) fn script_path(&self, line: &str) -> Option<String> {
        let Ok(Line::Command(m)) = self.spec.compile(line) else {
            return None;
        };
        let tokens = input::lex(line.trim()).ok()?;
        let cmd = MatchedCommand::new(self.spec, m, &tokens);
        let mut preprocess = self.flags.preprocess;
        let mut level = Some(&cmd);
        while let Some(cmd) = level {
            match self.spec.pattern(cmd.m.id).text.as_str() {
                "read <file> [check,]" => {
                    let file = cmd.m.value("file")?;
                    return if preprocess {
                        self.preprocessor.expand(file).ok()
                    } else {
                        Some(file.to_owned())
                    };
                }
                ".preprocess <true,false> (command)" => preprocess = cmd.m.chose("true"),
                _ => {}
            }
            level = cmd.sub.as_deref();
        }
        None
    }

    pub(crate) fn head(&self) -> &str {
        &self.nodes[0].name
    }

    pub(crate) fn active_namespace(&self) -> &str {
        &self.nodes[0].active
    }

    /// Runs one command line received on the socket; `script` is the file
    /// a `read` in it names, read beforehand.
    pub(crate) fn run(&mut self, line: &str, script: Option<&ReadScript>) -> Outcome {
        let request = Rc::new(RequestReport::default());
        let batches = match self.stubs.for_line(line) {
            Some(answer) => {
                request.how.set(Answered::Stubbed);
                vec![self.stubbed(0, &answer)]
            }
            None => self.run_line(line, script, &request),
        };
        let messages = if batches.is_empty() {
            // minimega answers a comment, and a command that produced no
            // responses, with one message of no responses.
            vec![Message::default()]
        } else {
            let last = batches.len() - 1;
            batches
                .into_iter()
                .enumerate()
                .map(|(i, batch)| {
                    let flags = batch.flags.unwrap_or(self.flags);
                    Message {
                        rendered: render(&batch.responses, &flags),
                        resp: Some(batch.responses),
                        more: i < last,
                        ..Message::default()
                    }
                })
                .collect()
        };
        Outcome {
            messages,
            how: request.how.get(),
            mesh_hosts: request.mesh_hosts.get(),
        }
    }

    fn run_line(
        &mut self,
        line: &str,
        script: Option<&ReadScript>,
        request: &Rc<RequestReport>,
    ) -> Vec<Batch> {
        let spec = self.spec;
        let expanded = self.expand_aliases(line);
        let line = expanded.as_str();
        match spec.compile(line) {
            Err(error) => {
                request.how.set(Answered::Invalid);
                vec![Batch::of(vec![self.response(
                    0,
                    String::new(),
                    error.to_string(),
                )])]
            }
            Ok(Line::Empty | Line::Comment) => Vec::new(),
            Ok(Line::Command(m)) => {
                let tokens = input::lex(line.trim()).unwrap_or_default();
                let cmd = MatchedCommand::new(spec, m, &tokens);
                let ctx = Ctx {
                    request: Rc::clone(request),
                    node: 0,
                    ns: None,
                    local: false,
                    via_mesh: false,
                    preprocess: self.flags.preprocess,
                };
                let record = self.recorded(&cmd);
                let batches = self.dispatch(&ctx, &cmd, script);
                if record {
                    self.history.push(line.trim().to_owned());
                }
                batches
            }
        }
    }

    /// minimega's `ExpandAliases`: a line whose first word is an alias
    /// starts with its expansion instead.
    fn expand_aliases(&self, line: &str) -> String {
        let (first, rest) = match line.find(char::is_whitespace) {
            Some(at) if at > 0 => line.split_at(at),
            _ => (line, ""),
        };
        match self.aliases.get(first) {
            Some(expansion) => format!("{expansion}{rest}"),
            None => line.to_owned(),
        }
    }

    /// Whether minimega records `cmd` in its history, decided before it
    /// runs: as the daemon-wide `.record` says, but `.record false` alone,
    /// `.record <choice> (command)` as it says, and neither `read` (its
    /// lines are recorded instead) nor `clear history` (`clear all`, which
    /// clears the history, is then recorded, as a recorded minimega 3.1.0
    /// does; under minitest it was not, see the crate docs).
    pub(crate) fn recorded(&self, cmd: &MatchedCommand) -> bool {
        let text = self.spec.pattern(cmd.m.id).text.as_str();
        match text {
            ".record <true,false> (command)" => cmd.m.chose("true"),
            ".record [true,false]" if cmd.m.chose("false") => false,
            "clear history" => false,
            _ if text.starts_with("read ") => false,
            _ => self.flags.record,
        }
    }

    /// Runs one (possibly nested) command: a stub if one answers its
    /// pattern, else the simulation, else an empty success marked as not
    /// simulated.
    pub(crate) fn dispatch(
        &mut self,
        ctx: &Ctx,
        cmd: &MatchedCommand,
        script: Option<&ReadScript>,
    ) -> Vec<Batch> {
        let mut cmd = cmd.clone();
        if ctx.preprocess && self.preprocessor.fetches(&cmd.m) {
            ctx.unsimulated();
        }
        if ctx.preprocess {
            if let Err(error) = self.preprocessor.apply(&mut cmd.m) {
                // A preprocessing error is answered by no host in particular.
                return vec![Batch::of(vec![WireResponse {
                    error,
                    ..WireResponse::default()
                }])];
            }
        }
        if let Some(answer) = self.stubs.for_pattern(cmd.m.id) {
            ctx.stubbed();
            return vec![self.stubbed(ctx.node, &answer)];
        }
        match self.handlers.get(&cmd.m.id).copied() {
            Some(handler) => handler.run(self, ctx, &cmd, script),
            None => {
                ctx.unsimulated();
                self.ok(ctx)
            }
        }
    }

    fn stubbed(&self, node: usize, answer: &Answer) -> Batch {
        Batch::of(answer.responses(&self.nodes[node].name))
    }

    fn response(&self, node: usize, text: String, error: String) -> WireResponse {
        WireResponse {
            host: self.nodes[node].name.clone(),
            response: text,
            error,
            ..WireResponse::default()
        }
    }

    pub(crate) fn ok(&self, ctx: &Ctx) -> Vec<Batch> {
        vec![Batch::of(vec![self.response(
            ctx.node,
            String::new(),
            String::new(),
        )])]
    }

    pub(crate) fn fail(&self, ctx: &Ctx, error: String) -> Vec<Batch> {
        vec![Batch::of(vec![self.response(
            ctx.node,
            String::new(),
            error,
        )])]
    }

    /// The index of the node named `host`.
    pub(crate) fn node_index(&self, host: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == host)
    }

    pub(crate) fn node(&self, node: usize) -> &Node {
        &self.nodes[node]
    }

    pub(crate) fn node_mut(&mut self, node: usize) -> &mut Node {
        &mut self.nodes[node]
    }

    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The namespace a command runs in on its node.
    pub(crate) fn ns_name(&self, ctx: &Ctx) -> String {
        ctx.ns
            .clone()
            .unwrap_or_else(|| self.nodes[ctx.node].active.clone())
    }

    /// Namespace `name` on `node`, created as minimega creates it: the
    /// default one holds the node alone, another every other host of the
    /// mesh (or the node alone when it has no peers).
    pub(crate) fn namespace(&mut self, node: usize, name: &str) -> &mut Namespace {
        let hosts = if name == DEFAULT_NAMESPACE || self.nodes.len() == 1 {
            vec![self.nodes[node].name.clone()]
        } else {
            self.nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != node)
                .map(|(_, n)| n.name.clone())
                .collect()
        };
        self.nodes[node]
            .namespaces
            .entry(name.to_owned())
            .or_insert_with(|| Namespace {
                hosts,
                config: Config::default(),
                saved: BTreeMap::new(),
                next_name: 0,
                vms: Vms::default(),
                routers: BTreeMap::new(),
                vnc: Default::default(),
                cc: cc::Cc::default(),
                qemu_overrides: Vec::new(),
                captures: Vec::new(),
                taps: Default::default(),
                mirrors: Default::default(),
                queueing: false,
                queue: Vec::new(),
                assignment: None,
            })
    }

    /// The namespace a command runs in, on its node.
    pub(crate) fn ns(&mut self, ctx: &Ctx) -> &mut Namespace {
        let name = self.ns_name(ctx);
        self.namespace(ctx.node, &name)
    }

    /// A fresh VM id on `node`.
    pub(crate) fn next_vm_id(&mut self, node: usize) -> u64 {
        let id = self.nodes[node].next_vm_id;
        self.nodes[node].next_vm_id += 1;
        id
    }

    /// Destroys namespace `name` (every namespace, for `all`) on `node`,
    /// VMs and all; the node goes back to the default namespace if it was
    /// in one destroyed.
    pub(crate) fn destroy_namespace(&mut self, node: usize, name: &str) {
        let index = node;
        let node = &mut self.nodes[node];
        // A namespace destroyed frees its VLAN aliases and host taps.
        let taps: Vec<String> = node
            .namespaces
            .iter()
            .filter(|(n, _)| name == WILDCARD || n.as_str() == name)
            .flat_map(|(_, ns)| ns.taps.iter().cloned())
            .collect();
        for tap in taps {
            if self.host_taps.get(&tap).is_some_and(|t| t.node == index) {
                self.host_taps.remove(&tap);
            }
        }
        if name == WILDCARD {
            for gone in node.namespaces.keys() {
                self.vlans.delete(gone, "");
            }
            node.namespaces.clear();
            node.active = DEFAULT_NAMESPACE.to_owned();
            return;
        }
        if node.namespaces.remove(name).is_some() {
            self.vlans.delete(name, "");
        }
        if node.active == name {
            node.active = DEFAULT_NAMESPACE.to_owned();
        }
    }

    pub(crate) fn set_active(&mut self, node: usize, name: &str) {
        self.namespace(node, name);
        self.nodes[node].active = name.to_owned();
    }

    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    pub(crate) fn files_dir(&self) -> PathBuf {
        self.preprocessor.files.clone()
    }

    /// A file as minimega's capture, vnc and debug commands take it: an
    /// absolute path as given, a relative one in the files directory.
    pub(crate) fn in_files(&self, file: &str) -> String {
        if file.starts_with('/') {
            file.to_owned()
        } else {
            self.files_dir().join(file).to_string_lossy().into_owned()
        }
    }

    /// The next tap number of `node`.
    pub(crate) fn next_tap(&mut self, node: usize) -> u64 {
        let tap = self.nodes[node].next_tap;
        self.nodes[node].next_tap += 1;
        tap
    }
}
