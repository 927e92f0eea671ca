//! The named API: the command tree with a Rust name on every type, method
//! and parameter, and the docs each will carry. Code generation and the API
//! map both read this model, so they cannot disagree.

use minimega_spec::daemon_wide::DaemonWide;
use minimega_spec::Spec;

use crate::docs;
use crate::naming::{self, pascal, snake, Disambiguator};
use crate::tree::{Edge, Form, Naming, Node, ParamKind, Prune, Step, Tree};

/// A parameter of a generated method.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    /// The Rust name.
    pub name: String,
    /// The pattern's key, for runtime messages.
    pub key: String,
    /// What it takes.
    pub kind: ParamKind,
    /// The item as written in the pattern.
    pub shown: String,
}

/// What a method appends to the command line, in order.
#[derive(Debug, Clone)]
pub(crate) enum Push {
    /// A literal word.
    Word(String),
    /// The parameter with this index.
    Param(usize),
}

/// A generated method: one edge of the tree.
#[derive(Debug, Clone)]
pub(crate) struct Method {
    /// The Rust name.
    pub name: String,
    /// The parameters, in pattern order.
    pub params: Vec<Param>,
    /// What the method appends.
    pub pushes: Vec<Push>,
    /// Index of the returned type in [`Api::types`].
    pub returns: usize,
    /// The rustdoc text.
    pub doc: String,
}

impl Method {
    /// Whether the method takes a list, and so a type parameter for it.
    pub fn takes_list(&self) -> bool {
        self.params
            .iter()
            .any(|p| matches!(p.kind, ParamKind::List { .. }))
    }
}

/// A generated type: one node of the tree.
#[derive(Debug, Clone)]
pub(crate) struct NodeType {
    /// The Rust name.
    pub name: String,
    /// The words and arguments that lead here, as in the patterns.
    pub path: String,
    /// Only the literal words that lead here.
    pub words: String,
    /// The handlers of the patterns through this node, in spec order.
    pub handlers: Vec<usize>,
    /// The forms complete at this node; non-empty means the type can run.
    pub complete: Vec<Form>,
    /// Its methods.
    pub methods: Vec<Method>,
    /// The rustdoc text.
    pub doc: String,
}

/// The whole named API of a spec.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    /// The top-level commands: methods of the generated `Commands` trait.
    pub commands: Vec<Method>,
    /// Every builder type.
    pub types: Vec<NodeType>,
    /// The forms left out because they change minimega for every client.
    pub refused: Vec<(Form, DaemonWide)>,
}

impl Api {
    /// Names the command tree of `spec`.
    pub fn new(spec: &Spec) -> Api {
        Api::build(spec, true)
    }

    /// Names the command tree of `spec` without writing any docs, for the
    /// line macro, which needs only the names.
    pub fn without_docs(spec: &Spec) -> Api {
        Api::build(spec, false)
    }

    fn build(spec: &Spec, with_docs: bool) -> Api {
        let tree = Tree::new(spec);
        let mut builder = ApiBuilder {
            spec,
            types: Vec::new(),
            type_names: Disambiguator::types(),
            with_docs,
        };
        let top = Scope {
            type_prefix: String::new(),
            path: String::new(),
            words: String::new(),
        };
        let commands = builder.methods(&tree.root, Prune::Nothing, &top);
        let mut api = Api {
            commands,
            types: builder.types,
            refused: tree.refused,
        };
        if with_docs {
            api.place_help(spec);
        }
        api
    }

    /// Shows each command's long help once, on its home type, and points
    /// every method of that command there: the home is the type whose words
    /// are the handler's shared prefix (`Cc` for `cc`), else the first type
    /// that only that handler reaches.
    fn place_help(&mut self, spec: &Spec) {
        for (handler, help) in spec.handlers().iter().enumerate() {
            if help.help_long.trim().is_empty() {
                continue;
            }
            let home = self
                .types
                .iter()
                .position(|t| t.words == help.shared_prefix && t.handlers.contains(&handler))
                .or_else(|| self.types.iter().position(|t| t.handlers == [handler]));
            let Some(home) = home else { continue };
            self.types[home].doc.push_str(&docs::help(help));
            let name = self.types[home].name.clone();
            let types = &self.types;
            let points = |method: &Method| types[method.returns].handlers == [handler];
            let pointers: Vec<(Option<usize>, usize)> = self
                .commands
                .iter()
                .enumerate()
                .filter(|(_, m)| points(m))
                .map(|(index, _)| (None, index))
                .chain(self.types.iter().enumerate().flat_map(|(ty, t)| {
                    t.methods
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| points(m))
                        .map(move |(index, _)| (Some(ty), index))
                }))
                .collect();
            for (ty, index) in pointers {
                let (method, link) = match ty {
                    None => (&mut self.commands[index], format!("nodes::{name}")),
                    Some(ty) => (&mut self.types[ty].methods[index], name.clone()),
                };
                method.doc.push_str(&docs::help_pointer(&link));
            }
        }
    }
}

/// Where methods are being named: the type they belong to.
struct Scope {
    /// The name of the type, which its children's names start with.
    type_prefix: String,
    /// The pattern text that leads here.
    path: String,
    /// The literal words that lead here.
    words: String,
}

struct ApiBuilder<'s> {
    spec: &'s Spec,
    types: Vec<NodeType>,
    type_names: Disambiguator,
    /// Whether to write the rustdoc of types and methods.
    with_docs: bool,
}

impl ApiBuilder<'_> {
    /// The methods out of `node`, in the scope of its type, but those that
    /// `prune` leaves out.
    fn methods(&mut self, node: &Node, prune: Prune, scope: &Scope) -> Vec<Method> {
        let mut names = Disambiguator::snake();
        node.edges()
            .iter()
            .filter(|edge| match prune {
                Prune::Nothing => true,
                Prune::Arguments => matches!(edge.steps[0], Step::Word(_)),
                Prune::Everything => false,
            })
            .map(|edge| self.method(edge, &mut names, scope))
            .collect()
    }

    /// The method for one edge, and the type it returns.
    fn method(&mut self, edge: &Edge<'_>, names: &mut Disambiguator, scope: &Scope) -> Method {
        let (params, pushes, path) = parameters(edge, &scope.path);
        let parent = scope
            .words
            .rsplit(' ')
            .next()
            .filter(|word| !word.is_empty());
        let name = names.claim(&method_name(edge, &params, parent.map(snake).as_deref()));
        let type_name = self
            .type_names
            .claim(&format!("{}{}", scope.type_prefix, pascal(&name)));
        let words = edge
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Word(word) => Some(word.as_str()),
                Step::Arg(_) => None,
            })
            .fold(scope.words.clone(), |words, word| {
                if words.is_empty() {
                    word.to_owned()
                } else {
                    format!("{words} {word}")
                }
            });
        let inner = Scope {
            type_prefix: type_name,
            path,
            words,
        };
        let returns = self.node_type(edge, inner);
        let doc = if self.with_docs {
            docs::method(self.spec, &self.types[returns].path, &params, edge)
        } else {
            String::new()
        };
        Method {
            name,
            params,
            pushes,
            returns,
            doc,
        }
    }

    /// The type an edge returns, with its own methods.
    fn node_type(&mut self, edge: &Edge<'_>, scope: Scope) -> usize {
        let node = edge.target;
        let index = self.types.len();
        let mut handlers: Vec<usize> = node.reachable.iter().map(|id| id.handler).collect();
        handlers.sort_unstable();
        handlers.dedup();
        self.types.push(NodeType {
            name: scope.type_prefix.clone(),
            path: scope.path.clone(),
            words: scope.words.clone(),
            handlers,
            complete: node.complete.clone(),
            methods: Vec::new(),
            doc: if self.with_docs {
                docs::node_type(self.spec, &scope.path, node)
            } else {
                String::new()
            },
        });
        self.types[index].methods = self.methods(node, edge.prune, &scope);
        index
    }
}

/// The parameters and pushes of an edge, and the pattern text it leads to.
fn parameters(edge: &Edge<'_>, path: &str) -> (Vec<Param>, Vec<Push>, String) {
    let mut names = Disambiguator::snake();
    let mut params = Vec::new();
    let mut pushes = Vec::new();
    let mut shown = vec![path.to_owned()];
    for step in &edge.steps {
        match step {
            Step::Word(word) => {
                pushes.push(Push::Word(word.clone()));
                shown.push(word.clone());
            }
            Step::Arg(slot) => {
                pushes.push(Push::Param(params.len()));
                params.push(Param {
                    name: names.claim(&naming::param(&slot.key)),
                    key: slot.key.clone(),
                    kind: slot.kind,
                    shown: slot.shown.clone(),
                });
                shown.push(slot.shown.clone());
            }
        }
    }
    let path = shown
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (params, pushes, path)
}

/// The name an edge asks for (rules 2, 3, 6 and 7 of the naming rules),
/// before clashes are settled (rule 8); `parent` is the last word before it.
fn method_name(edge: &Edge<'_>, params: &[Param], parent: Option<&str>) -> String {
    let base = match edge.steps[0] {
        Step::Word(word) => snake(word),
        Step::Arg(slot) if slot.kind == ParamKind::Flag => "enabled".to_owned(),
        Step::Arg(slot) => snake(naming::key_words(&slot.text)),
    };
    let wanted = match edge.naming {
        Naming::First => base,
        Naming::Current => format!("{base}_current"),
        Naming::All => format!("{base}_all"),
        Naming::Joined(other) if snake(other) == base => format!("{base}_named"),
        Naming::Joined(other) => format!("{base}_{}", snake(other)),
    };
    naming::method(wanted, params.last().map(|p| p.key.as_str()), parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_named<'a>(api: &'a Api, name: &str) -> &'a NodeType {
        api.types.iter().find(|t| t.name == name).expect(name)
    }

    #[test]
    fn a_long_help_is_shown_once_where_its_command_starts() {
        let api = Api::new(minimega_spec::shipped());
        let cc = type_named(&api, "Cc");
        assert!(cc.doc.contains("# Help"), "{}", cc.doc);
        let filter = type_named(&api, "CcFilter");
        assert!(!filter.doc.contains("# Help"));
        // `cc mount` belongs to handlers of its own, with their own help.
        for method in cc.methods.iter().filter(|m| !m.name.starts_with("mount")) {
            assert!(!method.doc.contains("# Help"), "{}", method.name);
            let pointer = "The full help is on [`Cc`].";
            assert!(method.doc.contains(pointer), "{}", method.name);
        }
        let memory = type_named(&api, "VmConfigMemory");
        let current = type_named(&api, "VmConfigMemoryCurrent");
        assert!(memory.doc.contains("# Help"));
        assert!(
            !current.doc.contains("# Help"),
            "the read points to its sibling"
        );
    }

    #[test]
    fn the_odd_calls_of_issue_9_read_plainly() {
        let api = Api::new(minimega_spec::shipped());
        let has = |ty: &str, call: &str| {
            let all = calls(&api, ty);
            assert!(all.iter().any(|m| m == call), "{ty}: {call} not in {all:?}");
        };
        has("Cc", "filter(filter)");
        has("Cc", "filter_current()");
        has("Cc", "exec(command)");
        has("Log", "file(file)");
        has("Mesh", "timeout(timeout)");
        has("Tap", "mirror(src, dst)");
        has("Tap", "mirror_vm(vm, interface, vm2, interface2)");
        has("Vlans", "range(min, max)");
        has("Dnsmasq", "start(listen, low, high)");
        has("Dnsmasq", "start_config(config)");
        has("Vm", "snapshot_vm(vm, state, disk)");
        has("Vm", "tag(vm, key, value)");
        has("VmScreenshot", "maximum_dimension(maximum)");
        has("VmConfig", "memory(value)");
        has("VmConfig", "clone_vm(vm)");
        has("File", "stream_file(file)");
        has("Ns", "run_command(command)");
        let top: Vec<&str> = api.commands.iter().map(|m| m.name.as_str()).collect();
        assert!(top.contains(&"json") && top.contains(&"json_current"));
        assert!(!top.contains(&"unalias"), "refused");
    }

    /// The calls of a type, as `name(params)`.
    fn calls(api: &Api, ty: &str) -> Vec<String> {
        type_named(api, ty)
            .methods
            .iter()
            .map(|m| {
                let params: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
                format!("{}({})", m.name, params.join(", "))
            })
            .collect()
    }

    #[test]
    fn the_common_call_of_an_optional_tail_is_the_short_one() {
        let api = Api::new(minimega_spec::shipped());
        let has = |ty: &str, wanted: &[&str]| {
            let all = calls(&api, ty);
            for call in wanted {
                assert!(all.iter().any(|m| m == call), "{ty}: {call} not in {all:?}");
            }
        };
        // Settings: the word sets, the read is `_current`.
        has("VmConfig", &["memory(value)", "memory_current()"]);
        has("VmConfig", &["snapshot(enabled)", "snapshot_current()"]);
        has("Cc", &["filter(filter)", "filter_current()"]);
        has("CapturePcap", &["snaplen(size)", "snaplen_current()"]);
        has("Deploy", &["stdout(path)", "stdout_current()"]);
        has("Mesh", &["degree(degree)", "degree_current()"]);
        has("Vlans", &["range(min, max)", "range_current()"]);
        has(
            "Vm",
            &["tag(vm, key, value)", "tag_key(vm, key)", "tag_current(vm)"],
        );
        has(
            "Optimize",
            &["affinity_current()", "affinity_filter(filter)"],
        );
        // Targets: the word alone acts on everything, the argument joins its key.
        has(
            "Vm",
            &["flush()", "flush_vm(vm)", "top()", "top_duration(duration)"],
        );
        has("Vm", &["save()", "save_vm(vm)"]);
        has("VmSaveVm", &["filename(filename)"]);
        has("File", &["list()", "list_path(path)"]);
        // Under `clear`: the word takes what to clear, `_all` clears
        // everything.
        has(
            "Clear",
            &["vlans(prefix)", "vlans_all()", "pipe(pipe)", "pipe_all()"],
        );
        has("ClearVm", &["tag(vm, tag)", "tag_vm(vm)", "tag_all()"]);
        has("TapCreate", &["dhcp()", "dhcp_tap(tap)"]);
        let top: Vec<&str> = api.commands.iter().map(|m| m.name.as_str()).collect();
        assert!(top.contains(&"env") && top.contains(&"env_name"));
        let every_name = api
            .types
            .iter()
            .flat_map(|t| &t.methods)
            .chain(&api.commands)
            .map(|m| m.name.as_str());
        for name in every_name {
            assert!(!name.ends_with("_bare"), "{name}");
            assert!(
                !name.ends_with("_2") && !name.ends_with("_3"),
                "{name}: no clash is left to number"
            );
        }
    }
}
