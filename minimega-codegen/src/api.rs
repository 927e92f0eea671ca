//! The named API: the command tree with a Rust name on every type, method
//! and parameter, and the docs each will carry. Code generation and the API
//! map both read this model, so they cannot disagree.

use minimega_spec::daemon_wide::DaemonWide;
use minimega_spec::Spec;

use crate::docs;
use crate::naming::{self, pascal, snake, Disambiguator};
use crate::tree::{Edge, Form, Naming, Node, ParamKind, Step, Tree};

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
        let tree = Tree::new(spec);
        let mut builder = ApiBuilder {
            spec,
            types: Vec::new(),
            type_names: Disambiguator::types(),
        };
        let top = Scope {
            type_prefix: String::new(),
            path: String::new(),
            word: None,
            help: None,
        };
        let commands = builder.methods(&tree.root, false, &top);
        Api {
            commands,
            types: builder.types,
            refused: tree.refused,
        }
    }
}

/// Where methods are being named: the type they belong to.
struct Scope {
    /// The name of the type, which its children's names start with.
    type_prefix: String,
    /// The pattern text that leads here.
    path: String,
    /// The name of the method that leads here, if any.
    word: Option<String>,
    /// The handler whose long help a type above already shows, and that
    /// type's index.
    help: Option<(usize, usize)>,
}

struct ApiBuilder<'s> {
    spec: &'s Spec,
    types: Vec<NodeType>,
    type_names: Disambiguator,
}

impl ApiBuilder<'_> {
    /// The methods out of `node`, in the scope of its type; `pruned` leaves
    /// out those that start with an argument.
    fn methods(&mut self, node: &Node, pruned: bool, scope: &Scope) -> Vec<Method> {
        let mut names = Disambiguator::snake();
        let mut help = scope.help;
        node.edges()
            .iter()
            .filter(|edge| !pruned || matches!(edge.steps[0], Step::Word(_)))
            .map(|edge| self.method(edge, &mut names, scope, &mut help))
            .collect()
    }

    /// The method for one edge, and the type it returns. `help` is the
    /// handler whose long help a type already shows and that type, shared
    /// with the sibling methods so that a `_bare` form points to its
    /// sibling's type rather than repeating the help.
    fn method(
        &mut self,
        edge: &Edge<'_>,
        names: &mut Disambiguator,
        scope: &Scope,
        help: &mut Option<(usize, usize)>,
    ) -> Method {
        let (params, pushes, path) = parameters(edge, &scope.path);
        let name = names.claim(&method_name(edge, &params, scope.word.as_deref()));
        let type_name = self
            .type_names
            .claim(&format!("{}{}", scope.type_prefix, pascal(&name)));
        let index = self.types.len();
        let handler = only_handler(&edge.target.reachable)
            .filter(|&h| !self.spec.handlers()[h].help_long.trim().is_empty());
        let home = match (*help, handler) {
            (Some((shown, home)), Some(handler)) if shown == handler => home,
            (_, Some(handler)) => {
                *help = Some((handler, index));
                index
            }
            (_, None) => index,
        };
        let shows_help = handler.filter(|_| home == index);
        let returns = self.node_type(
            edge,
            type_name,
            path,
            &name,
            handler.map(|h| (h, home)),
            shows_help,
        );
        let from_trait = if scope.word.is_none() { "nodes::" } else { "" };
        let link = handler.map(|_| format!("{from_trait}{}", self.types[home].name));
        let doc = docs::method(
            self.spec,
            &self.types[returns].path,
            &params,
            edge,
            link.as_deref(),
        );
        Method {
            name,
            params,
            pushes,
            returns,
            doc,
        }
    }

    /// The type an edge returns, with its own methods; `shows_help` is the
    /// handler whose long help it shows.
    fn node_type(
        &mut self,
        edge: &Edge<'_>,
        name: String,
        path: String,
        word: &str,
        help: Option<(usize, usize)>,
        shows_help: Option<usize>,
    ) -> usize {
        let node = edge.target;
        let index = self.types.len();
        self.types.push(NodeType {
            name: name.clone(),
            path: path.clone(),
            complete: node.complete.clone(),
            methods: Vec::new(),
            doc: docs::node_type(self.spec, &path, node, shows_help),
        });
        let scope = Scope {
            type_prefix: name,
            path,
            word: Some(word.to_owned()),
            help,
        };
        self.types[index].methods = self.methods(node, edge.pruned, &scope);
        index
    }
}

/// The one handler every pattern through a node belongs to, if there is one.
fn only_handler(reachable: &[minimega_spec::PatternId]) -> Option<usize> {
    let first = reachable.first()?.handler;
    reachable
        .iter()
        .all(|id| id.handler == first)
        .then_some(first)
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

/// The name an edge asks for, before clashes are settled.
fn method_name(edge: &Edge<'_>, params: &[Param], parent: Option<&str>) -> String {
    let base = match edge.steps[0] {
        Step::Word(word) => snake(word),
        Step::Arg(slot) if slot.kind == ParamKind::Flag => "enabled".to_owned(),
        Step::Arg(slot) => snake(naming::key_words(&slot.text)),
    };
    let wanted = match edge.naming {
        Naming::First => base,
        Naming::Bare => format!("{base}_bare"),
        Naming::WordAndKey(key) => format!("{base}_{}", snake(key)),
    };
    naming::method(wanted, params.last().map(|p| p.key.as_str()), parent)
}
