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
//! Each node also records what the `clear` command says about it
//! ([`Node::resettable`], [`Node::clears`]), which rule 2 of the naming
//! rules reads. Steps are then grouped into [`Edge`]s, one generated method
//! each ([`Node::edges`], in `edges`).

use std::collections::HashSet;

use minimega_spec::{daemon_wide, Item, PatternId, Spec};

mod edges;

pub(crate) use edges::{Edge, Naming, Prune};

/// minimega's reset command: `clear <words>` puts back the state that
/// `<words>` alone shows (`clear vm config memory`, `clear cc filter`).
const CLEAR: &str = "clear";

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
    /// Whether a `clear` command resets the state this node's command
    /// shows: one with the same words (`clear cc filter` for `cc filter`),
    /// or with words before them from which only words lead here (`clear
    /// capture pcap` for `capture pcap snaplen`).
    pub resettable: bool,
    /// Whether the path is the `clear` command's, which resets and never
    /// shows a value.
    pub clears: bool,
}

impl Node {
    pub(crate) fn is_complete(&self) -> bool {
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

    /// Sets [`Node::resettable`] and [`Node::clears`] below this node, whose
    /// path has the literal words `words` (joined by spaces); `resets` holds
    /// the words of every `clear` form that takes nothing else.
    fn mark(&mut self, words: &mut String, resets: &HashSet<String>) {
        let at_root = words.is_empty();
        let (resettable, clears) = (self.resettable, self.clears);
        for (step, child) in &mut self.children {
            match step {
                Step::Word(word) => {
                    let before = words.len();
                    if !at_root {
                        words.push(' ');
                    }
                    words.push_str(word);
                    child.resettable = resettable || resets.contains(words.as_str());
                    child.clears = clears || (at_root && word == CLEAR);
                    child.mark(words, resets);
                    words.truncate(before);
                }
                Step::Arg(_) => {
                    child.clears = clears;
                    child.mark(words, resets);
                }
            }
        }
    }
}

/// The words, joined by spaces, of every `clear` form that takes only words
/// (`clear vm config memory`, and `clear cc mount` without its optional
/// last item), without `clear`.
fn reset_words(spec: &Spec) -> HashSet<String> {
    let mut resets = HashSet::new();
    for (_, pattern) in spec.patterns() {
        if !matches!(pattern.items.first(), Some(Item::Literal(word)) if word == CLEAR) {
            continue;
        }
        let has_tail = pattern.items.last().is_some_and(Item::is_optional);
        for steps in paths(&pattern.items[1..]) {
            let forms = [
                Some(&steps[..]),
                has_tail.then(|| &steps[..steps.len() - 1]),
            ];
            for form in forms.into_iter().flatten() {
                let words: Option<Vec<&str>> = form
                    .iter()
                    .map(|step| match step {
                        Step::Word(word) => Some(word.as_str()),
                        Step::Arg(_) => None,
                    })
                    .collect();
                resets.extend(words.filter(|words| !words.is_empty()).map(|w| w.join(" ")));
            }
        }
    }
    resets
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
        root.mark(&mut String::new(), &reset_words(spec));
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
pub(crate) mod tests {
    use super::*;

    /// The spec of `patterns`, one handler, and its tree.
    pub(crate) fn tree(patterns: &[&str]) -> (Spec, Tree) {
        tree_of_handlers(&[patterns])
    }

    /// The spec of one handler per list of patterns, and its tree.
    pub(crate) fn tree_of_handlers(handlers: &[&[&str]]) -> (Spec, Tree) {
        let handlers: Vec<String> = handlers
            .iter()
            .map(|patterns| {
                let quoted: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
                format!(r#"{{"patterns": [{}]}}"#, quoted.join(","))
            })
            .collect();
        let spec = Spec::from_json(&format!("[{}]", handlers.join(","))).unwrap();
        let tree = Tree::new(&spec);
        (spec, tree)
    }

    /// The node reached from `node` by the words `words`.
    pub(crate) fn child<'t>(node: &'t Node, words: &[&str]) -> &'t Node {
        words.iter().fold(node, |node, word| {
            let (_, child) = node
                .children
                .iter()
                .find(|(step, _)| matches!(step, Step::Word(w) if w == word))
                .unwrap_or_else(|| panic!("no step {word}"));
            child
        })
    }

    #[test]
    fn optional_and_required_arguments_of_one_key_share_a_node() {
        let (spec, tree) = tree(&[
            "vm tag <vm target> [key or all]",
            "vm tag <vm target> <key> <value>",
        ]);
        let (_, after_vm) = &child(&tree.root, &["vm", "tag"]).children[0];
        let (_, key) = &after_vm.children[0];
        let patterns: Vec<&str> = key
            .complete
            .iter()
            .map(|form| spec.pattern(form.id).text.as_str())
            .collect();
        assert_eq!(patterns, ["vm tag <vm target> [key or all]"]);
    }

    #[test]
    fn a_clear_of_the_same_words_or_of_words_before_them_marks_a_node_resettable() {
        let (_, tree) = tree(&[
            "vm config memory [value]",
            "clear vm config <memory,>",
            "capture <pcap,> <snaplen,> [size]",
            "clear capture [netflow,pcap]",
            "tap <create,> <vlan> <dhcp,> [tap name]",
            "clear tap",
            "clear cc mount [uuid or name or path]",
            "cc mount",
            "clear qos <vm target> [tap index]",
            "qos",
        ]);
        let resettable = |words: &[&str]| child(&tree.root, words).resettable;
        assert!(resettable(&["vm", "config", "memory"]));
        assert!(resettable(&["capture", "pcap", "snaplen"]));
        assert!(
            resettable(&["cc", "mount"]),
            "the clear's form without its tail"
        );
        assert!(resettable(&["tap", "create"]));
        let (_, vlan) = &child(&tree.root, &["tap", "create"]).children[0];
        assert!(
            !child(vlan, &["dhcp"]).resettable,
            "an argument lies between"
        );
        assert!(!resettable(&["qos"]), "that clear takes an argument");
        assert!(!resettable(&["clear"]) && child(&tree.root, &["clear", "tap"]).clears);
        assert!(!child(&tree.root, &["tap"]).clears);
    }

    #[test]
    fn true_false_is_a_flag_and_other_choices_are_words() {
        let (_, tree) = tree(&["log stderr [true,false]", "disk create <qcow2,raw> <image>"]);
        let (step, _) = &child(&tree.root, &["log", "stderr"]).children[0];
        assert!(matches!(step, Step::Arg(slot) if slot.kind == ParamKind::Flag));
        let create = child(&tree.root, &["disk", "create"]);
        let words: Vec<&Step> = create.children.iter().map(|(step, _)| step).collect();
        assert_eq!(
            words,
            [&Step::Word("qcow2".into()), &Step::Word("raw".into())]
        );
    }
}
