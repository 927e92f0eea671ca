//! The named API: the command tree with a Rust name on every type, method
//! and parameter, and the docs each will carry. Code generation and the API
//! map both read this model, so they cannot disagree.

use minimega_spec::{PatternId, Spec};

use crate::docs;
use crate::naming::{pascal, snake, Disambiguator};
use crate::tree::{Node, Step, Tree};

/// What a parameter takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// Any `Display` value, written as one token.
    Value,
    /// A `bool`, for a `true,false` choice.
    Flag,
    /// Any iterator of `Display` values.
    List {
        /// Whether at least one item is needed.
        required: bool,
    },
    /// Another complete command, built on `Cmd`.
    Command,
}

/// A parameter of a generated method.
#[derive(Debug, Clone)]
pub struct Param {
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
pub enum Push {
    /// A literal word.
    Word(String),
    /// The parameter with this index.
    Param(usize),
}

/// A generated method: one edge of the tree.
#[derive(Debug, Clone)]
pub struct Method {
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

/// A generated type: one node of the tree.
#[derive(Debug, Clone)]
pub struct NodeType {
    /// The Rust name.
    pub name: String,
    /// The words and arguments that lead here, as in the patterns.
    pub path: String,
    /// The patterns complete at this node; non-empty means the type can run.
    pub complete: Vec<PatternId>,
    /// The patterns whose every item leads here.
    pub ends: Vec<PatternId>,
    /// Its methods.
    pub methods: Vec<Method>,
    /// The rustdoc text.
    pub doc: String,
}

/// The whole named API of a spec.
#[derive(Debug, Clone)]
pub struct Api {
    /// The top-level commands: methods of the generated `Commands` trait.
    pub commands: Vec<Method>,
    /// Every builder type.
    pub types: Vec<NodeType>,
}

impl Api {
    /// Names the command tree of `spec`.
    pub fn new(spec: &Spec) -> Api {
        let tree = Tree::new(spec);
        let mut builder = ApiBuilder {
            spec,
            types: Vec::new(),
            type_names: Disambiguator::types(),
        };
        let commands = builder.methods(&tree.root, "", "");
        Api {
            commands,
            types: builder.types,
        }
    }
}

struct ApiBuilder<'s> {
    spec: &'s Spec,
    types: Vec<NodeType>,
    type_names: Disambiguator,
}

impl ApiBuilder<'_> {
    fn methods(&mut self, node: &Node, type_prefix: &str, path: &str) -> Vec<Method> {
        let mut names = Disambiguator::snake();
        node.edges()
            .into_iter()
            .map(|edge| {
                let first = edge.steps[0];
                let name = names.claim(&snake(match first {
                    Step::Word(word) => word,
                    Step::Flag => "enabled",
                    Step::Value { key, .. }
                    | Step::List { key, .. }
                    | Step::Command { key, .. } => key,
                }));
                let mut param_names = Disambiguator::snake();
                let mut params = Vec::new();
                let mut pushes = Vec::new();
                let mut shown_path = path.to_owned();
                for step in &edge.steps {
                    let (shown, param) = match step {
                        Step::Word(word) => {
                            pushes.push(Push::Word(word.clone()));
                            (word.clone(), None)
                        }
                        Step::Flag => (
                            "<true,false>".to_owned(),
                            Some(("enabled", ParamKind::Flag)),
                        ),
                        Step::Value { key, shown } => {
                            (shown.clone(), Some((key.as_str(), ParamKind::Value)))
                        }
                        Step::List {
                            key,
                            shown,
                            required,
                        } => (
                            shown.clone(),
                            Some((
                                key.as_str(),
                                ParamKind::List {
                                    required: *required,
                                },
                            )),
                        ),
                        Step::Command { key, shown } => {
                            (shown.clone(), Some((key.as_str(), ParamKind::Command)))
                        }
                    };
                    if let Some((key, kind)) = param {
                        pushes.push(Push::Param(params.len()));
                        params.push(Param {
                            name: param_names.claim(&snake(key)),
                            key: key.to_owned(),
                            kind,
                            shown: shown.clone(),
                        });
                    }
                    if !shown_path.is_empty() {
                        shown_path.push(' ');
                    }
                    shown_path.push_str(&shown);
                }
                let type_name = self
                    .type_names
                    .claim(&format!("{type_prefix}{}", pascal(&name)));
                let returns = self.node_type(edge.target, type_name, shown_path);
                let doc = docs::method(self.spec, &self.types[returns], &params, edge.target);
                Method {
                    name,
                    params,
                    pushes,
                    returns,
                    doc,
                }
            })
            .collect()
    }

    fn node_type(&mut self, node: &Node, name: String, path: String) -> usize {
        let index = self.types.len();
        self.types.push(NodeType {
            name: name.clone(),
            path: path.clone(),
            complete: node.complete.clone(),
            ends: node.ends.clone(),
            methods: Vec::new(),
            doc: String::new(),
        });
        let methods = self.methods(node, &name, &path);
        let doc = docs::node_type(self.spec, &path, node);
        let ty = &mut self.types[index];
        ty.methods = methods;
        ty.doc = doc;
        index
    }
}
