//! The command tree: every pattern of a spec laid out as chains of method
//! calls.
//!
//! Each pattern becomes a path of [`Step`]s from the root. A multi-option
//! choice becomes one word per option; a `true,false` choice becomes a `bool`
//! parameter; an optional last item makes the node before it a complete
//! command as well. Paths share nodes where their steps agree, so `vm launch`
//! and `vm launch kvm …` meet at the `launch` node. Forms that change
//! minimega for every client ([`minimega_spec::daemon_wide`]) are left out.
//!
//! Steps are then grouped into [`Edge`]s, one generated method each (see
//! [`Node::edges`] for the rules).

use minimega_spec::{daemon_wide, Item, PatternId, Spec};

/// What a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// Any `Display` value, written as one token; `optional` for a
    /// pattern's optional last item, whose empty value minimega reads as
    /// not given.
    Value {
        /// Whether the item is optional.
        optional: bool,
    },
    /// A `bool`, for a `true,false` choice.
    Flag,
    /// One value or any iterator of values.
    List {
        /// Whether at least one item is needed.
        required: bool,
    },
    /// Another complete command, built on `Cmd`.
    Command,
}

/// An argument step: what the caller gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The pattern's key (`name` for `<name or count>`); `enabled` for a flag.
    pub key: String,
    /// The text inside the brackets (`name or count`).
    pub text: String,
    /// The item as written in the pattern, brackets included.
    pub shown: String,
    /// What it takes.
    pub kind: ParamKind,
}

/// One step of a path through the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A literal word, or one option of a choice.
    Word(String),
    /// An argument.
    Arg(Slot),
}

impl Step {
    fn slot(&self) -> Option<&Slot> {
        match self {
            Step::Word(_) => None,
            Step::Arg(slot) => Some(slot),
        }
    }

    /// Whether two steps from one node lead to the same place: the same
    /// word, or an argument of the same kind and key.
    fn same_slot(&self, other: &Step) -> bool {
        match (self, other) {
            (Step::Word(a), Step::Word(b)) => a == b,
            (Step::Arg(a), Step::Arg(b)) => {
                a.key == b.key && std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind)
            }
            _ => false,
        }
    }
}

/// One way to write a pattern: with every item, or without its optional
/// last item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Form {
    /// The pattern.
    pub id: PatternId,
    /// Whether every item is given (always, for a pattern with no optional
    /// last item).
    pub full: bool,
}

/// A node of the tree: the state after some steps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    /// The forms that are complete at this node.
    pub complete: Vec<Form>,
    /// Every pattern whose path passes through or ends at this node.
    pub reachable: Vec<PatternId>,
    /// The steps out of this node and the nodes they lead to.
    pub children: Vec<(Step, Node)>,
}

/// One generated method: its steps and where it leads.
#[derive(Debug, Clone)]
pub(crate) struct Edge<'t> {
    /// The steps, first the one that names the method.
    pub steps: Vec<&'t Step>,
    /// The node the method returns.
    pub target: &'t Node,
    /// Whether the returned type leaves out the target's methods that start
    /// with an argument, because a longer method takes them.
    pub pruned: bool,
    /// How the method is named.
    pub naming: Naming<'t>,
}

/// How an edge's method is named (the names themselves come from
/// [`crate::naming`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming<'t> {
    /// After its first step: the word, or the argument's key.
    First,
    /// The first step's word and the key of its first argument: the second
    /// and later paths of a fork (`mirror_vm`), and stops on the way of a
    /// folded get-or-set with arguments (`tag_key`).
    WordAndKey(&'t str),
    /// The form of a folded get-or-set without its arguments (`memory_bare`).
    Bare,
}

impl Node {
    fn is_complete(&self) -> bool {
        !self.complete.is_empty()
    }

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

    /// Adds a path; `short` is the form without the optional last item,
    /// complete where the path's last step starts, if it is not refused.
    fn add(&mut self, steps: &[Step], full: Form, short: Option<Form>) {
        note(&mut self.reachable, full.id);
        match steps.split_first() {
            None => note(&mut self.complete, full),
            Some((step, rest)) => {
                if let (Some(short), true) = (short, rest.is_empty()) {
                    note(&mut self.complete, short);
                }
                self.child(step).add(rest, full, short);
            }
        }
    }

    /// The path's steps as far as it goes, without completing anything:
    /// for a refused full form whose short form is allowed.
    fn add_short(&mut self, steps: &[Step], short: Form) {
        note(&mut self.reachable, short.id);
        match steps.split_first() {
            Some((_, [])) | None => note(&mut self.complete, short),
            Some((step, rest)) => self.child(step).add_short(rest, short),
        }
    }

    /// Each step with the argument steps that must follow it: grouping
    /// stops where a command is complete or paths part.
    fn plain_edges(&self) -> Vec<Edge<'_>> {
        self.children
            .iter()
            .map(|(step, node)| {
                let mut steps = vec![step];
                let mut target = node;
                while !target.is_complete() && target.children.len() == 1 {
                    let (next, after) = &target.children[0];
                    if next.slot().is_none() {
                        break;
                    }
                    steps.push(next);
                    target = after;
                }
                Edge {
                    steps,
                    target,
                    pruned: false,
                    naming: Naming::First,
                }
            })
            .collect()
    }

    /// The edges out of this node, one per generated method.
    ///
    /// 1. A step takes the argument steps that must follow it, up to a node
    ///    that is complete or where paths part: `kvm(name)`.
    /// 2. A word whose ways on include arguments takes them, when its node
    ///    is complete or every way on is an argument. The first way keeps
    ///    the word (`mirror(src, dst)`, `memory(value)`); the others add
    ///    their first key (`mirror_vm(vm, ..)`); if the word alone is a
    ///    command, that form adds `_bare` and keeps only the word methods
    ///    (`memory_bare()`). So a call that forgets its arguments fails to
    ///    compile instead of becoming the read that the word alone is.
    /// 3. *Get-or-set chains*: the first way goes on through every further
    ///    complete node whose only way on is arguments, and each such stop
    ///    becomes a method that adds its last key (`tag(vm, key, value)`,
    ///    `tag_key(vm, key)`, `tag_bare(vm)`). A method that starts with a
    ///    word and takes arguments folds the same way when there are at
    ///    least two stops; one optional argument after arguments is an
    ///    option of the command (`kvm(name).config(c)`) and stays a method.
    pub fn edges(&self) -> Vec<Edge<'_>> {
        let mut edges = Vec::new();
        for edge in self.plain_edges() {
            match edge.steps[..] {
                [Step::Word(_)] => edges.extend(split(edge)),
                [Step::Word(_), ..] => edges.extend(fold(edge)),
                _ => edges.push(edge),
            }
        }
        edges
    }
}

fn leads_with_argument(edge: &Edge<'_>) -> bool {
    edge.steps[0].slot().is_some()
}

/// Rule 2 of [`Node::edges`], for an edge of one word.
fn split(edge: Edge<'_>) -> Vec<Edge<'_>> {
    let target = edge.target;
    let (arguments, words): (Vec<Edge<'_>>, Vec<Edge<'_>>) = target
        .plain_edges()
        .into_iter()
        .partition(leads_with_argument);
    if arguments.is_empty() || (!target.is_complete() && !words.is_empty()) {
        return vec![edge];
    }
    let mut edges = Vec::new();
    for (index, way) in arguments.into_iter().enumerate() {
        let mut steps = edge.steps.clone();
        steps.extend(way.steps.iter().copied());
        let longer = Edge {
            steps,
            target: way.target,
            pruned: false,
            naming: Naming::First,
        };
        if index == 0 {
            let chained = chain(longer.clone());
            if target.is_complete() || chained.len() > 2 {
                edges.extend(chained);
            } else {
                edges.push(longer);
            }
        } else {
            let key = &way.steps[0].slot().expect("an argument").key;
            edges.push(Edge {
                naming: Naming::WordAndKey(key),
                ..longer
            });
        }
    }
    if target.is_complete() {
        edges.push(Edge {
            pruned: true,
            naming: Naming::Bare,
            ..edge
        });
    }
    edges
}

/// Rule 3 of [`Node::edges`]: the edge carried on through complete nodes
/// whose only way on is arguments, then each stop on the way.
fn chain(edge: Edge<'_>) -> Vec<Edge<'_>> {
    let mut stops: Vec<Edge<'_>> = Vec::new();
    let mut long = edge;
    loop {
        let next = long.target.plain_edges();
        let [only] = &next[..] else { break };
        if !long.target.is_complete() || only.steps.iter().any(|s| s.slot().is_none()) {
            break;
        }
        let last = long.steps.last().and_then(|s| s.slot());
        stops.push(Edge {
            pruned: true,
            naming: Naming::WordAndKey(&last.expect("a stop ends in an argument").key),
            ..long.clone()
        });
        long.steps.extend(only.steps.iter().copied());
        long.target = only.target;
    }
    let mut edges = vec![long];
    edges.extend(stops);
    edges
}

/// Rule 3 of [`Node::edges`], for an edge of a word and its arguments.
fn fold(edge: Edge<'_>) -> Vec<Edge<'_>> {
    let mut edges = chain(edge.clone());
    if edges.len() < 3 {
        return vec![edge];
    }
    edges[1].naming = Naming::Bare;
    edges
}

/// Merging `[key]` into `<key>`: the text shown in docs is the first one's,
/// and a list needs items only if every path through it needs them.
fn merge_into(existing: &mut Step, other: &Step) {
    if let (Step::Arg(existing), Step::Arg(other)) = (existing, other) {
        if let (
            ParamKind::List { required },
            ParamKind::List {
                required: other, ..
            },
        ) = (&mut existing.kind, other.kind)
        {
            *required &= other;
        }
    }
}

fn note<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The command tree of a spec.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// The root: its edges are the top-level commands.
    pub root: Node,
    /// The forms left out because they change minimega for every client.
    pub refused: Vec<(Form, daemon_wide::DaemonWide)>,
}

impl Tree {
    /// Lays out every pattern of `spec`.
    pub fn new(spec: &Spec) -> Tree {
        let mut root = Node::default();
        let mut refused = Vec::new();
        for (id, pattern) in spec.patterns() {
            let full = Form { id, full: true };
            let has_tail = pattern.items.last().is_some_and(Item::is_optional);
            let short = has_tail.then_some(Form { id, full: false });
            let full_refusal = daemon_wide::refusal(pattern, true);
            let short_refusal = has_tail
                .then(|| daemon_wide::refusal(pattern, false))
                .flatten();
            refused.extend(full_refusal.map(|why| (full, why)));
            refused.extend(short.zip(short_refusal));
            let short = short.filter(|_| short_refusal.is_none());
            for steps in paths(&pattern.items) {
                match (full_refusal, short) {
                    (None, short) => root.add(&steps, full, short),
                    (Some(_), Some(short)) => root.add_short(&steps, short),
                    (Some(_), None) => {}
                }
            }
        }
        Tree { root, refused }
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
    let slot = |key: &str, text: &str, kind| {
        vec![Step::Arg(Slot {
            key: key.to_owned(),
            text: text.to_owned(),
            shown: item.to_string(),
            kind,
        })]
    };
    match item {
        Item::Literal(word) => vec![Step::Word(word.clone())],
        _ if item.is_bool_choice() => slot("enabled", "enabled", ParamKind::Flag),
        Item::Choice { options, .. } => options.iter().cloned().map(Step::Word).collect(),
        Item::Value {
            key,
            text,
            optional,
        } => slot(
            key,
            text,
            ParamKind::Value {
                optional: *optional,
            },
        ),
        Item::List {
            key,
            text,
            optional,
        } => slot(
            key,
            text,
            ParamKind::List {
                required: !optional,
            },
        ),
        Item::Command { key, text } => slot(key, text, ParamKind::Command),
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

    /// The edges out of `node`, each as its steps' names, with `~bare` or
    /// `~key` for a derived name.
    fn edges(node: &Node) -> Vec<Vec<String>> {
        node.edges()
            .iter()
            .map(|edge| {
                let mut names: Vec<String> = edge
                    .steps
                    .iter()
                    .map(|step| match step {
                        Step::Word(word) => word.clone(),
                        Step::Arg(slot) => format!("<{}>", slot.key),
                    })
                    .collect();
                match edge.naming {
                    Naming::First => {}
                    Naming::Bare => names.push("~bare".into()),
                    Naming::WordAndKey(key) => names.push(format!("~{key}")),
                }
                names
            })
            .collect()
    }

    fn walk<'t>(node: &'t Node, words: &[&str]) -> &'t Node {
        words.iter().fold(node, |node, word| {
            let edges = node.edges();
            let edge = edges
                .iter()
                .find(|e| matches!(e.steps[..], [Step::Word(w)] if w == word))
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
        let kvm = launch.edges()[0].target;
        assert_eq!(
            kvm.complete.len(),
            1,
            "complete without the optional config"
        );
        assert_eq!(edges(kvm), [vec!["<config>"]], "an option of the command");
    }

    #[test]
    fn grouping_stops_where_paths_part_or_a_command_is_complete() {
        let (_, tree) = tree(&[
            "cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>",
            "cc <tunnel,> <close,> <vm name or uuid> <id>",
        ]);
        let tunnel = walk(&tree.root, &["cc", "tunnel"]);
        assert_eq!(
            edges(tunnel),
            [
                vec!["<vm>", "<src>", "<host>", "<dst>"],
                vec!["close", "<vm>", "<id>"]
            ]
        );
    }

    #[test]
    fn a_get_or_set_takes_its_arguments_and_the_bare_form_is_its_own_method() {
        let (_, tree) = tree(&[
            "vm config memory [value]",
            "vm config snapshot [true,false]",
            "vm save",
            "vm save <vm name>",
            "vm save <vm name> <filename>",
            "vlans <range,>",
            "vlans <range,> <min> <max>",
        ]);
        assert_eq!(
            edges(walk(&tree.root, &["vm", "config"])),
            [
                vec!["memory", "<value>"],
                vec!["memory", "~bare"],
                vec!["snapshot", "<enabled>"],
                vec!["snapshot", "~bare"]
            ]
        );
        let vm = tree.root.edges()[0].target;
        assert_eq!(
            edges(vm)[1..],
            [
                vec!["save", "<vm>", "<filename>"],
                vec!["save", "<vm>", "~vm"],
                vec!["save", "~bare"]
            ]
        );
        let bare = &vm.edges()[3];
        assert!(bare.pruned, "the bare form has nothing to add");
        assert_eq!(
            edges(tree.root.edges()[1].target),
            [vec!["range", "<min>", "<max>"], vec!["range", "~bare"]]
        );
    }

    #[test]
    fn a_get_or_set_after_arguments_folds_only_with_two_stops() {
        let (_, tree) = tree(&[
            "vm tag <vm target> [key or all]",
            "vm tag <vm target> <key> <value>",
            "vm screenshot <vm name> file <filename> [maximum dimension]",
        ]);
        let vm = tree.root.edges()[0].target;
        assert_eq!(
            edges(vm),
            [
                vec!["tag", "<vm>", "<key>", "<value>"],
                vec!["tag", "<vm>", "~bare"],
                vec!["tag", "<vm>", "<key>", "~key"],
                vec!["screenshot", "<vm>"]
            ]
        );
        let screenshot = vm.edges()[3].target;
        assert_eq!(edges(screenshot), [vec!["file", "<filename>"]]);
        assert_eq!(
            edges(screenshot.edges()[0].target),
            [vec!["<maximum>"]],
            "one optional argument after arguments is an option"
        );
    }

    #[test]
    fn argument_forks_fold_into_the_word() {
        let (_, tree) = tree(&[
            "tap <mirror,> <src name> <dst name> [bridge]",
            "tap <mirror,> <vm name> <interface index> <vm2 name> <interface2 index>",
        ]);
        assert_eq!(
            edges(tree.root.edges()[0].target),
            [
                vec!["mirror", "<src>", "<dst>"],
                vec![
                    "mirror",
                    "<vm>",
                    "<interface>",
                    "<vm2>",
                    "<interface2>",
                    "~vm"
                ]
            ]
        );
    }

    #[test]
    fn a_complete_word_with_words_and_arguments_keeps_its_words_on_the_bare_form() {
        let (_, tree) = tree(&[
            "optimize <affinity,> <filter,> <filter>",
            "optimize <affinity,> [true,false]",
        ]);
        let optimize = walk(&tree.root, &["optimize"]);
        assert_eq!(
            edges(optimize),
            [vec!["affinity", "<enabled>"], vec!["affinity", "~bare"]]
        );
        let bare = &optimize.edges()[1];
        assert!(bare.pruned);
        let kept: Vec<_> = edges(bare.target)
            .into_iter()
            .filter(|steps| !steps[0].starts_with('<'))
            .collect();
        assert_eq!(kept, [vec!["filter", "<filter>"]]);
    }

    #[test]
    fn optional_and_required_arguments_of_one_key_share_a_node() {
        let (spec, tree) = tree(&[
            "vm tag <vm target> [key or all]",
            "vm tag <vm target> <key> <value>",
        ]);
        let key = tree.root.edges()[0].target.edges()[2].target;
        let patterns: Vec<&str> = key
            .complete
            .iter()
            .map(|form| spec.pattern(form.id).text.as_str())
            .collect();
        assert_eq!(patterns, ["vm tag <vm target> [key or all]"]);
    }

    #[test]
    fn true_false_is_a_flag_and_other_choices_are_words() {
        let (_, tree) = tree(&["log stderr [true,false]", "disk create <qcow2,raw> <image>"]);
        assert_eq!(
            edges(walk(&tree.root, &["log"])),
            [vec!["stderr", "<enabled>"], vec!["stderr", "~bare"]]
        );
        assert_eq!(
            edges(walk(&tree.root, &["disk", "create"])),
            [vec!["qcow2", "<image>"], vec!["raw", "<image>"]]
        );
    }

    #[test]
    fn forms_that_change_every_client_are_left_out() {
        let (_, tree) = tree(&[
            ".json [true,false]",
            ".json <true,false> (command)",
            ".unalias <alias>",
            "namespace [name]",
            "namespace <name> (command)",
            "clear namespace [name]",
        ]);
        assert_eq!(
            edges(&tree.root),
            [
                vec![".json", "<enabled>", "<command>"],
                vec![".json", "~bare"],
                vec!["namespace", "<name>", "<command>"],
                vec!["namespace", "~bare"],
                vec!["clear"],
            ]
        );
        assert_eq!(
            edges(walk(&tree.root, &["clear"])),
            [vec!["namespace", "<name>"]]
        );
        assert_eq!(tree.refused.len(), 4);
    }
}
