//! The command tree: every pattern of a spec laid out as chains of method
//! calls.
//!
//! Each pattern becomes a path of [`Step`]s from the root. A multi-option
//! choice becomes one word per option; a `true,false` choice becomes a `bool`
//! parameter; an optional last item makes the node before it a complete
//! command as well. Paths share nodes where their steps agree, so `vm launch`
//! and `vm launch kvm …` meet at the `launch` node.
//!
//! Steps are then grouped into [`Edge`]s, one generated method each: an edge
//! is one step followed by the argument steps that must come next, so
//! `vm launch <kvm,> <name or count>` gives the method `kvm(name)` rather than
//! `kvm().name(…)`. Grouping stops at a node that is a complete command or
//! where paths part, so `cc tunnel <vm> …` and `cc tunnel close …` become
//! `tunnel().vm(…)` and `tunnel().close(…)` without clashing.

use minimega_spec::{Item, PatternId, Spec};

/// One step of a path through the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A literal word, or one option of a choice.
    Word(String),
    /// A `true,false` choice, taken as a `bool`.
    Flag,
    /// A free string argument.
    Value {
        /// The argument's key.
        key: String,
        /// The item as written in the pattern, brackets included.
        shown: String,
    },
    /// A list of strings.
    List {
        /// The list's key.
        key: String,
        /// The item as written in the pattern.
        shown: String,
        /// Whether at least one item is needed.
        required: bool,
    },
    /// A nested command.
    Command {
        /// The item's key.
        key: String,
        /// The item as written in the pattern.
        shown: String,
    },
}

impl Step {
    /// Whether the step takes a value from the caller.
    pub fn is_argument(&self) -> bool {
        !matches!(self, Step::Word(_))
    }

    /// Whether two steps from one node lead to the same place: the same
    /// word, or an argument of the same kind and key.
    fn same_slot(&self, other: &Step) -> bool {
        match (self, other) {
            (Step::Word(a), Step::Word(b)) => a == b,
            (Step::Flag, Step::Flag) => true,
            (Step::Value { key: a, .. }, Step::Value { key: b, .. })
            | (Step::List { key: a, .. }, Step::List { key: b, .. })
            | (Step::Command { key: a, .. }, Step::Command { key: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// A node of the tree: the state after some steps.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// The patterns that are complete at this node.
    pub complete: Vec<PatternId>,
    /// The patterns whose every item, optional ones included, leads here.
    pub ends: Vec<PatternId>,
    /// Every pattern whose path passes through or ends at this node.
    pub reachable: Vec<PatternId>,
    /// The steps out of this node and the nodes they lead to.
    pub children: Vec<(Step, Node)>,
}

impl Node {
    fn child(&mut self, step: &Step) -> &mut Node {
        let index = match self.children.iter().position(|(s, _)| s.same_slot(step)) {
            Some(index) => {
                merge_into(&mut self.children[index].0, step);
                index
            }
            None => {
                self.children.push((step.clone(), Node::default()));
                self.children.len() - 1
            }
        };
        &mut self.children[index].1
    }

    fn add(&mut self, steps: &[Step], optional_tail: bool, id: PatternId) {
        note(&mut self.reachable, id);
        match steps.split_first() {
            None => {
                note(&mut self.complete, id);
                note(&mut self.ends, id);
            }
            Some((step, rest)) => {
                if optional_tail && rest.is_empty() {
                    note(&mut self.complete, id);
                }
                self.child(step).add(rest, optional_tail, id);
            }
        }
    }

    /// Groups the steps out of this node into edges (generated methods).
    pub fn edges(&self) -> Vec<Edge<'_>> {
        self.children
            .iter()
            .map(|(step, node)| {
                let mut steps = vec![step];
                let mut target = node;
                while target.complete.is_empty() && target.children.len() == 1 {
                    let (next, after) = &target.children[0];
                    if !next.is_argument() {
                        break;
                    }
                    steps.push(next);
                    target = after;
                }
                Edge { steps, target }
            })
            .collect()
    }
}

/// Merging `[key]` into `<key>`: the text shown in docs is the first one's,
/// and a list needs items only if every path through it needs them.
fn merge_into(existing: &mut Step, other: &Step) {
    if let (
        Step::List { required, .. },
        Step::List {
            required: other, ..
        },
    ) = (existing, other)
    {
        *required &= *other;
    }
}

fn note(ids: &mut Vec<PatternId>, id: PatternId) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

/// One generated method: a step and the argument steps folded into it.
#[derive(Debug, Clone)]
pub struct Edge<'t> {
    /// The steps, first the one that names the method.
    pub steps: Vec<&'t Step>,
    /// The node the method returns.
    pub target: &'t Node,
}

/// The command tree of a spec.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The root: its edges are the top-level commands.
    pub root: Node,
}

impl Tree {
    /// Lays out every pattern of `spec`.
    pub fn new(spec: &Spec) -> Tree {
        let mut root = Node::default();
        for (id, pattern) in spec.patterns() {
            let optional_tail = pattern.items.last().is_some_and(Item::is_optional);
            for steps in paths(&pattern.items) {
                root.add(&steps, optional_tail, id);
            }
        }
        Tree { root }
    }
}

/// Every path of steps a pattern allows: one per combination of choice
/// options.
fn paths(items: &[Item]) -> Vec<Vec<Step>> {
    let mut paths = vec![Vec::new()];
    for item in items {
        let alternatives = steps_of(item);
        paths = paths
            .into_iter()
            .flat_map(|path| {
                alternatives.iter().map(move |step| {
                    let mut longer = path.clone();
                    longer.push(step.clone());
                    longer
                })
            })
            .collect();
    }
    paths
}

fn steps_of(item: &Item) -> Vec<Step> {
    match item {
        Item::Literal(word) => vec![Step::Word(word.clone())],
        _ if item.is_bool_choice() => vec![Step::Flag],
        Item::Choice { options, .. } => options.iter().cloned().map(Step::Word).collect(),
        Item::Value { key, .. } => vec![Step::Value {
            key: key.clone(),
            shown: item.to_string(),
        }],
        Item::List { key, optional, .. } => vec![Step::List {
            key: key.clone(),
            shown: item.to_string(),
            required: !optional,
        }],
        Item::Command { key, .. } => vec![Step::Command {
            key: key.clone(),
            shown: item.to_string(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(patterns: &[&str]) -> (Spec, Tree) {
        let quoted: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
        let spec =
            Spec::from_json(&format!(r#"[{{"patterns": [{}]}}]"#, quoted.join(","))).unwrap();
        let tree = Tree::new(&spec);
        (spec, tree)
    }

    /// The edges out of `node`, each as its steps' names.
    fn edges(node: &Node) -> Vec<Vec<String>> {
        node.edges()
            .iter()
            .map(|edge| {
                edge.steps
                    .iter()
                    .map(|step| match step {
                        Step::Word(word) => word.clone(),
                        Step::Flag => "<bool>".into(),
                        Step::Value { key, .. }
                        | Step::List { key, .. }
                        | Step::Command { key, .. } => {
                            format!("<{key}>")
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn walk<'t>(node: &'t Node, words: &[&str]) -> &'t Node {
        words.iter().fold(node, |node, word| {
            let edges = node.edges();
            let edge = edges
                .iter()
                .find(|e| matches!(e.steps[0], Step::Word(w) if w == word))
                .unwrap_or_else(|| panic!("no edge {word}"));
            edge.target
        })
    }

    #[test]
    fn required_arguments_fold_into_the_word_before_them() {
        let (_, tree) = tree(&["vm launch <kvm,container> <name or count> [config]"]);
        let launch = walk(&tree.root, &["vm", "launch"]);
        assert_eq!(
            edges(launch),
            [vec!["kvm", "<name>"], vec!["container", "<name>"]]
        );
        let kvm = walk(launch, &["kvm"]);
        assert_eq!(
            kvm.complete.len(),
            1,
            "complete without the optional config"
        );
        assert!(kvm.ends.is_empty(), "but not every item was consumed");
        assert_eq!(edges(kvm), [vec!["<config>"]]);
    }

    #[test]
    fn grouping_stops_where_paths_part_or_a_command_is_complete() {
        let (_, tree) = tree(&[
            "cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>",
            "cc <tunnel,> <close,> <vm name or uuid> <id>",
            "vm save",
            "vm save <vm name>",
            "vm save <vm name> <filename>",
        ]);
        let tunnel = walk(&tree.root, &["cc", "tunnel"]);
        assert_eq!(
            edges(tunnel),
            [
                vec!["<vm>", "<src>", "<host>", "<dst>"],
                vec!["close", "<vm>", "<id>"]
            ]
        );
        let save = walk(&tree.root, &["vm", "save"]);
        assert_eq!(edges(save), [vec!["<vm>"]]);
        assert_eq!(edges(save.edges()[0].target), [vec!["<filename>"]]);
    }

    #[test]
    fn optional_and_required_arguments_of_one_key_share_a_node() {
        let (spec, tree) = tree(&[
            "vm tag <vm target> [key or all]",
            "vm tag <vm target> <key> <value>",
        ]);
        let tag = walk(&tree.root, &["vm", "tag"]);
        let key = tag.edges()[0].target;
        let patterns: Vec<&str> = key
            .complete
            .iter()
            .map(|&id| spec.pattern(id).text.as_str())
            .collect();
        assert_eq!(patterns, ["vm tag <vm target> [key or all]"]);
        assert_eq!(edges(key), [vec!["<value>"]]);
    }

    #[test]
    fn true_false_is_a_flag_and_other_choices_are_words() {
        let (_, tree) = tree(&[
            ".csv [true,false]",
            ".csv <true,false> (command)",
            "disk create <qcow2,raw> <image>",
        ]);
        assert_eq!(edges(walk(&tree.root, &[".csv"])), [vec!["<bool>"]]);
        assert_eq!(
            edges(walk(&tree.root, &["disk", "create"])),
            [vec!["qcow2", "<image>"], vec!["raw", "<image>"]]
        );
    }
}
