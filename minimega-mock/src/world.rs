//! The mock's state and its command handlers: namespaces, VM configs and
//! VMs, and what each supported command does to them.
//!
//! A command produces frames: one per message of the answer (usually one;
//! `read` and `mesh send` give several). A frame of `None` is minimega's
//! `"Resp": null`, the answer to a comment.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use minimega_spec::{Item, Line, Match, Spec};
use serde_json::{json, Value};

use crate::suggest::suggest;
use crate::vms::{self, default_config, Config, Kind, State, Vm};
use minimega_client::protocol::WireResponse;

/// The namespace minimega starts in.
pub(crate) const DEFAULT_NAMESPACE: &str = "minimega";

/// How deeply `read` scripts may nest.
const MAX_DEPTH: u32 = 8;

/// The most VMs one `vm launch` may create.
const MAX_LAUNCH: i64 = 100_000;

/// One message's responses; `None` for `"Resp": null`.
pub(crate) type Frame = Option<Vec<WireResponse>>;

/// A command's answer.
pub(crate) struct Outcome {
    pub(crate) frames: Vec<Frame>,
    /// How many hosts a `mesh send` in the command went to (0: none).
    pub(crate) mesh_hosts: usize,
}

#[derive(Debug)]
struct Namespace {
    hosts: Vec<String>,
    /// `vm config` as each host holds it: every minimega node keeps its own,
    /// and `mesh send` changes only the nodes it reaches.
    configs: BTreeMap<String, Config>,
    saved: BTreeMap<String, Config>,
    vms: Vec<Vm>,
    next_id: u64,
}

impl Namespace {
    fn new(hosts: Vec<String>) -> Namespace {
        Namespace {
            hosts,
            configs: BTreeMap::new(),
            saved: BTreeMap::new(),
            vms: Vec::new(),
            next_id: 0,
        }
    }
}

/// Where a command runs: its namespace, and for commands sent through
/// `mesh send`, the one host that runs it.
#[derive(Debug, Clone)]
struct Ctx {
    ns: String,
    host: Option<String>,
    depth: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Start,
    Stop,
    Kill,
    Flush,
}

/// How a `vm config` field takes its value.
enum FieldValue<'p> {
    One(&'p str),
    Many(&'p str),
    Bool,
}

#[derive(Debug)]
pub(crate) struct World {
    spec: Arc<Spec>,
    hosts: Vec<String>,
    version: String,
    active: String,
    namespaces: BTreeMap<String, Namespace>,
    mesh_hosts: usize,
}

impl World {
    /// `hosts` must not be empty; the builder sees to it.
    pub(crate) fn new(spec: Arc<Spec>, hosts: Vec<String>, version: String) -> World {
        World {
            spec,
            hosts,
            version,
            active: DEFAULT_NAMESPACE.to_owned(),
            namespaces: BTreeMap::new(),
            mesh_hosts: 0,
        }
    }

    pub(crate) fn head(&self) -> &str {
        &self.hosts[0]
    }

    pub(crate) fn active_namespace(&self) -> &str {
        &self.active
    }

    pub(crate) fn suggest(&self, input: &str) -> Vec<String> {
        suggest(&self.spec, input)
    }

    pub(crate) fn run_command(&mut self, line: &str) -> Outcome {
        self.mesh_hosts = 0;
        let ctx = Ctx {
            ns: self.active.clone(),
            host: None,
            depth: 0,
        };
        let spec = Arc::clone(&self.spec);
        let frames = match spec.compile(line) {
            Err(error) => self.fail(&ctx, error.to_string()),
            Ok(Line::Empty | Line::Comment) => vec![None],
            Ok(Line::Command(m)) => self.dispatch(&spec, &m, &ctx),
        };
        Outcome {
            frames,
            mesh_hosts: self.mesh_hosts,
        }
    }

    fn dispatch(&mut self, spec: &Spec, m: &Match, ctx: &Ctx) -> Vec<Frame> {
        let pattern = spec.pattern(m.id);
        let items = pattern.items.as_slice();
        let literal = |i: usize| match items.get(i) {
            Some(Item::Literal(word)) => word.as_str(),
            _ => "",
        };
        match pattern.text.as_str() {
            "namespace <name> (command)" => {
                let name = m.value("name").unwrap_or_default().to_owned();
                self.namespace(&name);
                let inner = Ctx {
                    ns: name,
                    ..ctx.clone()
                };
                match m.subcommand.as_deref() {
                    Some(sub) => self.dispatch(spec, sub, &inner),
                    None => self.ok(ctx),
                }
            }
            "namespace [name]" => match m.value("name") {
                Some(name) => {
                    self.namespace(name);
                    self.active = name.to_owned();
                    self.ok(ctx)
                }
                None => self.list_namespaces(ctx),
            },
            "clear namespace [name]" => {
                match m.value("name") {
                    Some(name) => {
                        self.namespaces.remove(name);
                        if self.active == name {
                            self.active = DEFAULT_NAMESPACE.to_owned();
                        }
                    }
                    None => self.active = DEFAULT_NAMESPACE.to_owned(),
                }
                self.ok(ctx)
            }
            "echo [args]..." => self.text(ctx, m.list("args").join(" ")),
            "version" => {
                let text = format!("minimega {} mock", self.version);
                self.text(ctx, text)
            }
            "ns <hosts,>" => {
                let hosts = self.namespace(&ctx.ns).hosts.join(",");
                self.text(ctx, hosts)
            }
            "vm info [summary,]" => vec![Some(self.vm_info(ctx, m.chose("summary")))],
            "vm launch" => self.fail(
                ctx,
                "namespace must contain at least one queued VM to launch VMs".to_owned(),
            ),
            "vm config <save,> <name>" => {
                let name = m.value("name").unwrap_or_default().to_owned();
                let config = self.config(ctx).clone();
                self.namespace(&ctx.ns).saved.insert(name, config);
                self.ok(ctx)
            }
            "vm config <restore,> [name]" => match m.value("name") {
                Some(name) => match self.namespace(&ctx.ns).saved.get(name).cloned() {
                    Some(config) => {
                        *self.config(ctx) = config;
                        self.ok(ctx)
                    }
                    None => self.fail(ctx, format!("config {name} does not exist")),
                },
                None => {
                    let names: Vec<String> =
                        self.namespace(&ctx.ns).saved.keys().cloned().collect();
                    self.text(ctx, names.join(" "))
                }
            },
            "clear vm config" => {
                *self.config(ctx) = default_config();
                self.ok(ctx)
            }
            "mesh send <hostname or range or all> (command)" => self.mesh_send(spec, m, ctx),
            "read <file> [check,]" => {
                let file = m.value("file").unwrap_or_default();
                self.read(spec, file, m.chose("check"), ctx)
            }
            ".columns <columns as csv> (command)" | ".filter <filter> (command)" => {
                self.modified(spec, m, ctx)
            }
            _ if literal(0) == "vm" && literal(1) == "launch" => {
                let kind = Kind::from_word(literal(2)).unwrap_or(Kind::Kvm);
                let name = m.value("name").unwrap_or_default();
                self.launch(ctx, kind, name, m.value("config"))
            }
            _ if literal(0) == "vm" && items.len() <= 3 => {
                let action = match literal(1) {
                    "start" => Action::Start,
                    "stop" => Action::Stop,
                    "kill" => Action::Kill,
                    "flush" => Action::Flush,
                    _ => return self.ok(ctx),
                };
                self.apply(ctx, action, m.value("vm"))
            }
            _ if literal(0) == "host" => self.host(ctx, items.get(1).map(|_| literal(1))),
            _ if literal(0) == "clear" && literal(1) == "vm" && literal(2) == "config" => {
                let field = literal(3).to_owned();
                let config = self.config(ctx);
                match default_config().remove(&field) {
                    Some(value) => config.insert(field, value),
                    None => config.remove(&field),
                };
                self.ok(ctx)
            }
            _ if literal(0).starts_with('.') && m.subcommand.is_some() => {
                self.modified(spec, m, ctx)
            }
            _ => match config_field(items) {
                Some((field, value)) => self.vm_config(ctx, field, value, m),
                None => self.ok(ctx),
            },
        }
    }

    /// A chain of output modifiers around a command. As in minicli, the
    /// row filters apply before the column selection, whatever their order
    /// on the line; modifiers that only change rendering are skipped.
    fn modified(&mut self, spec: &Spec, m: &Match, ctx: &Ctx) -> Vec<Frame> {
        let mut filters = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        let mut current = m;
        loop {
            let text = spec.pattern(current.id).text.as_str();
            if !text.starts_with('.') {
                break;
            }
            if text.starts_with(".filter ") {
                let term = current.value("filter").unwrap_or_default();
                match Filter::parse(term) {
                    Some(filter) => filters.push(filter),
                    None => return self.fail(ctx, format!("malformed filter term: {term}")),
                }
            } else if text.starts_with(".columns ") {
                let list = current.value("columns").unwrap_or_default();
                let names = list
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty());
                columns.get_or_insert_with(Vec::new).extend(names);
            }
            match current.subcommand.as_deref() {
                Some(sub) => current = sub,
                None => return self.ok(ctx),
            }
        }
        let frames = self.dispatch(spec, current, ctx);
        map_responses(frames, |response| {
            filters.iter().for_each(|filter| filter.apply(response));
            if let Some(columns) = &columns {
                keep_columns(response, columns);
            }
        })
    }

    fn namespace(&mut self, name: &str) -> &mut Namespace {
        let hosts = if name == DEFAULT_NAMESPACE {
            vec![self.hosts[0].clone()]
        } else {
            self.hosts.clone()
        };
        self.namespaces
            .entry(name.to_owned())
            .or_insert_with(|| Namespace::new(hosts))
    }

    /// The hosts a broadcast command runs on.
    fn targets(&mut self, ctx: &Ctx) -> Vec<String> {
        match &ctx.host {
            Some(host) => vec![host.clone()],
            None => self.namespace(&ctx.ns).hosts.clone(),
        }
    }

    fn responder(&self, ctx: &Ctx) -> String {
        ctx.host.clone().unwrap_or_else(|| self.hosts[0].clone())
    }

    fn response(&self, ctx: &Ctx, text: String, error: String) -> Vec<Frame> {
        vec![Some(vec![WireResponse {
            host: self.responder(ctx),
            response: text,
            error,
            ..WireResponse::default()
        }])]
    }

    fn ok(&self, ctx: &Ctx) -> Vec<Frame> {
        self.response(ctx, String::new(), String::new())
    }

    fn text(&self, ctx: &Ctx, text: String) -> Vec<Frame> {
        self.response(ctx, text, String::new())
    }

    fn fail(&self, ctx: &Ctx, error: String) -> Vec<Frame> {
        self.response(ctx, String::new(), error)
    }

    fn list_namespaces(&mut self, ctx: &Ctx) -> Vec<Frame> {
        self.namespace(DEFAULT_NAMESPACE);
        let rows: Vec<Vec<String>> = self
            .namespaces
            .iter()
            .map(|(name, ns)| {
                vec![
                    name.clone(),
                    ns.vms.len().to_string(),
                    (name == &self.active).to_string(),
                ]
            })
            .collect();
        vec![Some(vec![WireResponse {
            host: self.responder(ctx),
            header: Some(vec!["namespace".into(), "vms".into(), "active".into()]),
            tabular: Some(rows),
            ..WireResponse::default()
        }])]
    }

    /// The `vm config` of the host that runs the command: the target of a
    /// `mesh send`, else the head node.
    fn config(&mut self, ctx: &Ctx) -> &mut Config {
        let host = ctx.host.clone().unwrap_or_else(|| self.head().to_owned());
        self.namespace(&ctx.ns)
            .configs
            .entry(host)
            .or_insert_with(default_config)
    }

    fn vm_config(
        &mut self,
        ctx: &Ctx,
        field: &str,
        value: FieldValue<'_>,
        m: &Match,
    ) -> Vec<Frame> {
        let new = match value {
            FieldValue::One(key) => m.value(key).map(str::to_owned),
            FieldValue::Many(key) => Some(m.list(key).join(" ")).filter(|v| !v.is_empty()),
            FieldValue::Bool => ["true", "false"]
                .into_iter()
                .find(|option| m.chose(option))
                .map(str::to_owned),
        };
        match new {
            Some(new) if vms::is_integer_field(field) && new.parse::<i64>().is_err() => self.fail(
                ctx,
                format!("invalid value for {field}: `{new}` is not an integer"),
            ),
            Some(new) => {
                self.config(ctx).insert(field.to_owned(), new);
                self.ok(ctx)
            }
            None => {
                let current = self.config(ctx).get(field).cloned();
                self.text(ctx, current.unwrap_or_default())
            }
        }
    }

    fn vm_info(&mut self, ctx: &Ctx, summary: bool) -> Vec<WireResponse> {
        let header: &[&str] = if summary {
            &vms::SUMMARY_HEADER
        } else {
            &vms::HEADER
        };
        let hosts = self.targets(ctx);
        let ns = self.namespace(&ctx.ns);
        hosts
            .into_iter()
            .map(|host| {
                let here: Vec<&Vm> = ns.vms.iter().filter(|vm| vm.host == host).collect();
                let rows: Vec<Vec<String>> = here.iter().map(|vm| vm.row(header)).collect();
                let data: Vec<Value> = here.iter().map(|vm| vm.data(&ctx.ns)).collect();
                WireResponse {
                    host,
                    header: Some(header.iter().map(|c| c.to_string()).collect()),
                    tabular: (!rows.is_empty()).then_some(rows),
                    data: Value::Array(data),
                    ..WireResponse::default()
                }
            })
            .collect()
    }

    fn launch(&mut self, ctx: &Ctx, kind: Kind, arg: &str, config: Option<&str>) -> Vec<Frame> {
        if ctx.host.is_some() {
            return self.fail(ctx, "cannot run `vm launch` via meshage".to_owned());
        }
        let names = match launch_names(arg) {
            Ok(names) => names,
            Err(error) => return self.fail(ctx, error),
        };
        let config = match config {
            None => self.config(ctx).clone(),
            Some(name) => match self.namespace(&ctx.ns).saved.get(name) {
                Some(config) => config.clone(),
                None => return self.fail(ctx, format!("config {name} does not exist")),
            },
        };
        let ns = self.namespace(&ctx.ns);
        if let Some(taken) = names
            .iter()
            .flatten()
            .find(|name| ns.vms.iter().any(|vm| &vm.name == *name))
        {
            let error = format!("vm already exists with name `{taken}`");
            return self.fail(ctx, error);
        }
        for name in names {
            let id = ns.next_id;
            ns.next_id += 1;
            let name = name.unwrap_or_else(|| format!("vm-{id}"));
            // Round-robin, as minimega's scheduler spreads equal hosts.
            let host = ns.hosts[(id % ns.hosts.len() as u64) as usize].clone();
            ns.vms.push(Vm::new(id, name, host, kind, config.clone()));
        }
        self.ok(ctx)
    }

    /// `vm start|stop|kill|flush`: each host acts on its own VMs. As in
    /// minimega, hosts that found none of the named VMs stay silent, and
    /// if no host found any, one "vm not found" error answers.
    fn apply(&mut self, ctx: &Ctx, action: Action, target: Option<&str>) -> Vec<Frame> {
        let wildcard = target.map_or(true, |t| t == "all");
        let names = match target {
            Some(t) if !wildcard => match split_list(t) {
                Ok(names) => names,
                Err(error) => return self.fail(ctx, error),
            },
            _ => Vec::new(),
        };
        let hosts = self.targets(ctx);
        let ns = self.namespace(&ctx.ns);
        let mut responses = Vec::new();
        for host in hosts {
            let selected = |vm: &Vm| {
                vm.host == host
                    && (wildcard
                        || names
                            .iter()
                            .any(|n| *n == vm.name || *n == vm.id.to_string()))
            };
            let found = ns.vms.iter().any(&selected);
            if !wildcard && !found {
                continue;
            }
            let mut errors = Vec::new();
            if action == Action::Flush {
                ns.vms
                    .retain(|vm| !(selected(vm) && vm.state == State::Quit));
            }
            for vm in ns.vms.iter_mut().filter(|vm| selected(vm)) {
                vm.state = match (action, vm.state) {
                    (Action::Start, State::Building | State::Paused) => State::Running,
                    (Action::Start, State::Quit) if !wildcard => State::Running,
                    (Action::Stop, State::Running) => State::Paused,
                    (Action::Stop, state) => {
                        if !wildcard {
                            errors.push(format!("vm not running: {}", vm.name));
                        }
                        state
                    }
                    (Action::Kill, _) => State::Quit,
                    (_, state) => state,
                };
            }
            responses.push(WireResponse {
                host,
                error: errors.join("\n"),
                ..WireResponse::default()
            });
        }
        if responses.is_empty() {
            let target = target.unwrap_or_default();
            return self.fail(ctx, format!("vm not found: {target}"));
        }
        vec![Some(responses)]
    }

    fn host(&mut self, ctx: &Ctx, field: Option<&str>) -> Vec<Frame> {
        let hosts = self.targets(ctx);
        let responses = hosts
            .into_iter()
            .map(|host| {
                let vms = self
                    .namespaces
                    .values()
                    .flat_map(|ns| &ns.vms)
                    .filter(|vm| vm.host == host)
                    .count();
                let data = json!({"Name": host, "CPUs": 4, "MemTotal": 16384, "VMs": vms});
                let mut response = WireResponse {
                    data,
                    ..WireResponse::default()
                };
                match field {
                    None => {
                        response.header = Some(
                            ["name", "cpus", "memtotal", "vms"]
                                .map(str::to_owned)
                                .to_vec(),
                        );
                        response.tabular = Some(vec![vec![
                            host.clone(),
                            "4".into(),
                            "16384".into(),
                            vms.to_string(),
                        ]]);
                    }
                    Some(field) => {
                        response.response = match field {
                            "name" => host.clone(),
                            "cpus" => "4".into(),
                            "memtotal" => "16384".into(),
                            "vms" => vms.to_string(),
                            _ => "0".into(),
                        }
                    }
                }
                response.host = host;
                response
            })
            .collect();
        vec![Some(responses)]
    }

    /// Runs a script: one message per command; stops at the first error.
    fn read(&mut self, spec: &Spec, file: &str, check: bool, ctx: &Ctx) -> Vec<Frame> {
        if ctx.depth >= MAX_DEPTH {
            return self.fail(ctx, "read: scripts nested too deeply".to_owned());
        }
        let script = match std::fs::read_to_string(file) {
            Ok(script) => script,
            Err(error) => return self.fail(ctx, format!("open {file}: {error}")),
        };
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
        let inner = Ctx {
            depth: ctx.depth + 1,
            ..ctx.clone()
        };
        let mut frames = Vec::new();
        for (index, line) in script.lines().enumerate() {
            match spec.compile(line) {
                Ok(Line::Empty | Line::Comment) => {}
                Err(error) => {
                    frames.extend(self.fail(ctx, format!("{name}:{} {error}", index + 1)));
                    break;
                }
                Ok(Line::Command(_)) if check => {}
                Ok(Line::Command(m)) => {
                    let answer = self.dispatch(spec, &m, &inner);
                    let failed = answer
                        .iter()
                        .flatten()
                        .flatten()
                        .any(|r| !r.error.is_empty());
                    frames.extend(answer);
                    if failed {
                        break;
                    }
                }
            }
        }
        if frames.is_empty() {
            frames.push(None);
        }
        frames
    }

    /// Runs the nested command on each target host: one message per host.
    fn mesh_send(&mut self, spec: &Spec, m: &Match, ctx: &Ctx) -> Vec<Frame> {
        let arg = m.value("hostname").unwrap_or_default();
        let targets = if arg == "all" {
            self.hosts[1..].to_vec()
        } else {
            match split_list(arg) {
                Ok(targets) => targets,
                Err(error) => return self.fail(ctx, error),
            }
        };
        if let Some(unknown) = targets.iter().find(|h| !self.hosts.contains(h)) {
            return self.fail(ctx, format!("no such mesh host: {unknown}"));
        }
        if targets.is_empty() {
            return self.fail(ctx, "no mesh peers to send to".to_owned());
        }
        self.mesh_hosts = targets.len();
        let Some(sub) = m.subcommand.as_deref() else {
            return self.ok(ctx);
        };
        targets
            .into_iter()
            .map(|host| {
                let remote = Ctx {
                    host: Some(host),
                    depth: ctx.depth + 1,
                    ..ctx.clone()
                };
                let answer = self.dispatch(spec, sub, &remote);
                Some(answer.into_iter().flatten().flatten().collect())
            })
            .collect()
    }
}

/// The field a simple `vm config <field> [value]` pattern sets, if `items`
/// is one.
fn config_field(items: &[Item]) -> Option<(&str, FieldValue<'_>)> {
    let [Item::Literal(vm), Item::Literal(config), Item::Literal(field), last] = items else {
        return None;
    };
    if vm != "vm" || config != "config" {
        return None;
    }
    let value = match last {
        Item::Value {
            key,
            optional: true,
            ..
        } => FieldValue::One(key),
        Item::List {
            key,
            optional: true,
            ..
        } => FieldValue::Many(key),
        item if item.is_bool_choice() && item.is_optional() => FieldValue::Bool,
        _ => return None,
    };
    Some((field, value))
}

/// Names for `vm launch`: a count gives unnamed VMs (`None`).
/// minimega's name-list expansion, its error as text.
fn split_list(list: &str) -> Result<Vec<String>, String> {
    minimega_spec::ranges::expand(list).map_err(|e| e.to_string())
}

fn launch_names(arg: &str) -> Result<Vec<Option<String>>, String> {
    if let Ok(count) = arg.parse::<i64>() {
        if count <= 0 {
            return Err("invalid number of vms (must be > 0)".to_owned());
        }
        if count > MAX_LAUNCH {
            return Err(format!(
                "the mock launches at most {MAX_LAUNCH} VMs at once"
            ));
        }
        return Ok(vec![None; count as usize]);
    }
    let names = split_list(arg)?;
    if names.is_empty() {
        return Err("no VMs to launch".to_owned());
    }
    for (i, name) in names.iter().enumerate() {
        if name == "all" {
            return Err(format!("invalid vm name, `{name}` is a reserved word"));
        }
        if name.parse::<i64>().is_ok() {
            return Err(format!("invalid vm name, `{name}` is an integer"));
        }
        if names[..i].contains(name) {
            return Err(format!("`{name}` is specified twice in VMs to launch"));
        }
    }
    Ok(names.into_iter().map(Some).collect())
}

fn map_responses(frames: Vec<Frame>, f: impl Fn(&mut WireResponse)) -> Vec<Frame> {
    frames
        .into_iter()
        .map(|frame| {
            frame.map(|mut responses| {
                responses.iter_mut().for_each(&f);
                responses
            })
        })
        .collect()
}

fn keep_columns(response: &mut WireResponse, columns: &[String]) {
    let Some(header) = &response.header else {
        return;
    };
    let keep: Vec<usize> = columns
        .iter()
        .filter_map(|c| header.iter().position(|h| h == c))
        .collect();
    response.header = Some(keep.iter().map(|&i| header[i].clone()).collect());
    if let Some(rows) = &mut response.tabular {
        for row in rows.iter_mut() {
            *row = keep
                .iter()
                .map(|&i| row.get(i).cloned().unwrap_or_default())
                .collect();
        }
    }
}

/// A `.filter` term: `column=value`, `column~part`, either negated by `!`.
struct Filter {
    column: String,
    value: String,
    contains: bool,
    negate: bool,
}

impl Filter {
    fn parse(term: &str) -> Option<Filter> {
        let (negate, term) = match term.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, term),
        };
        let at = term.find(['=', '~'])?;
        Some(Filter {
            column: term[..at].to_owned(),
            value: term[at + 1..].to_lowercase(),
            contains: term[at..].starts_with('~'),
            negate,
        })
    }

    fn apply(&self, response: &mut WireResponse) {
        let Some(index) = response
            .header
            .as_ref()
            .and_then(|h| h.iter().position(|c| *c == self.column))
        else {
            return;
        };
        if let Some(rows) = &mut response.tabular {
            rows.retain(|row| {
                let cell = row.get(index).map(|c| c.to_lowercase()).unwrap_or_default();
                let hit = if self.contains {
                    cell.contains(&self.value)
                } else {
                    cell == self.value
                };
                hit != self.negate
            });
        }
    }
}
