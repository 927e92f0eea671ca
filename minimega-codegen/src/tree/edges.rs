//! Which steps make one generated method: rules 1 to 4 of the naming rules
//! in `docs/design.md` (the names themselves follow [`crate::naming`]).

use super::{Node, ParamKind, Slot, Step};

/// One generated method: its steps and where it leads.
#[derive(Debug, Clone)]
pub(crate) struct Edge<'t> {
    /// The steps, first the one that names the method.
    pub steps: Vec<&'t Step>,
    /// The node the method returns.
    pub target: &'t Node,
    /// Which of the target's methods the returned type leaves out.
    pub prune: Prune,
    /// How the method is named.
    pub naming: Naming<'t>,
}

/// Which of its target's methods an edge's type leaves out, because other
/// methods take those ways on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prune {
    /// None.
    Nothing,
    /// Those that start with an argument: the shorter form of a word whose
    /// arguments another method takes (`flush()` beside `flush_vm(vm)`).
    Arguments,
    /// All: a setting's read, whose words after it are methods of their own
    /// (`affinity_current()` beside `affinity_filter(filter)`).
    Everything,
}

/// How an edge's method is named (the names themselves come from
/// [`crate::naming`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming<'t> {
    /// After its first step: the word, or the argument's key.
    First,
    /// The first step's word joined with a key or a word: a later path of
    /// a fork (`mirror_vm`), an optional target given (`flush_vm`), a stop
    /// on the way of a setting with several arguments (`tag_key`), a word
    /// after a setting (`affinity_filter`).
    Joined(&'t str),
    /// A setting's read: the word alone (`memory_current`).
    Current,
    /// A `clear` of everything: the word alone under `clear`
    /// (`clear().vlans_all()`).
    All,
}

impl Node {
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
                    prune: Prune::Nothing,
                    naming: Naming::First,
                }
            })
            .collect()
    }

    /// The edges out of this node, one per generated method.
    ///
    /// - Rule 1: a step takes the argument steps that must follow it, up to
    ///   a node that is complete or where paths part: `kvm(name)`.
    /// - Rule 2, *optional tails*: where a word is a command alone and
    ///   arguments may follow it, the word alone is either the read of a
    ///   setting ([`Tail::is_setting`]) or the command on everything. A
    ///   setting keeps the word for the call with its arguments
    ///   (`memory(value)`, with every later complete stop on the way:
    ///   `tag(vm, key, value)`, `tag_key(vm, key)`) and names the read
    ///   `_current` (`memory_current()`, `tag_current(vm)`), so a call that
    ///   forgets its value fails to compile instead of reading; a word after
    ///   the read joins the setting's word (`affinity_filter(filter)`).
    ///   Under `clear` the word alone clears everything, so it is named
    ///   as a setting's read is, with `_all` for `_current`
    ///   (`clear().vlans(prefix)`, `clear().vlans_all()`): a call that
    ///   forgets what to clear fails to compile instead of clearing
    ///   everything. Otherwise the word alone keeps the word (`flush()`),
    ///   and each way on with arguments joins its first key
    ///   (`flush_vm(vm)`); optional arguments after that are methods of its
    ///   type.
    /// - Rule 3, *forks*: a word whose ways on are all arguments takes them;
    ///   the first way keeps the word (`mirror(src, dst)`), the others join
    ///   their first key (`mirror_vm(vm, ..)`). One optional argument after
    ///   arguments is an option of the command (`kvm(name).config(c)`) and
    ///   stays a method.
    /// - Rule 4: a `(command)` slot is an argument like the others, so it
    ///   joins the method before it (`json(enabled, command)`).
    pub fn edges(&self) -> Vec<Edge<'_>> {
        let plain = self.plain_edges();
        let tails: Vec<Option<Tail<'_>>> = self
            .children
            .iter()
            .zip(&plain)
            .map(|((_, word_node), edge)| Tail::of(edge, word_node))
            .collect();
        let settings: Vec<&Node> = tails
            .iter()
            .flatten()
            .filter(|tail| tail.word_alone && tail.shows_setting())
            .map(|tail| tail.word_node)
            .collect();
        let mut edges = Vec::new();
        for (edge, tail) in plain.into_iter().zip(tails) {
            match (tail, &edge.steps[..]) {
                (Some(tail), _) => {
                    let setting = tail.is_setting(&settings);
                    edges.extend(tail.edges(edge, setting));
                }
                (None, [Step::Word(_)]) => edges.extend(fork(edge)),
                (None, _) => edges.push(edge),
            }
        }
        edges
    }
}

fn leads_with_argument(edge: &Edge<'_>) -> bool {
    edge.steps[0].slot().is_some()
}

/// A word that is a command alone and that arguments may follow (rule 2).
struct Tail<'t> {
    /// The word.
    word: &'t str,
    /// The node after the word.
    word_node: &'t Node,
    /// Whether the word alone is the command (`vm flush`), rather than the
    /// word and the arguments that must follow it (`vm tag <vm target>`).
    word_alone: bool,
    /// The first argument that may follow.
    value: &'t Slot,
}

impl<'t> Tail<'t> {
    /// The optional tail of `edge`, which leaves this node through
    /// `word_node`, if it has one: a word whose node is complete and has
    /// ways on with arguments, or a word with arguments that stops at least
    /// twice on its way.
    fn of(edge: &Edge<'t>, word_node: &'t Node) -> Option<Tail<'t>> {
        let Step::Word(word) = edge.steps[0] else {
            return None;
        };
        let word_alone = edge.steps.len() == 1;
        // A way on starts with its node's child step, so the children say
        // which argument comes first without grouping the ways.
        let value = if word_alone {
            if !word_node.is_complete() {
                return None;
            }
            word_node
                .children
                .iter()
                .find_map(|(step, _)| step.slot())?
        } else {
            if chain(edge.clone()).len() < 3 {
                return None;
            }
            edge.target.children.first()?.0.slot()?
        };
        Some(Tail {
            word,
            word_node,
            word_alone,
            value,
        })
    }

    /// Whether the spec shows on its own that the word alone reads what its
    /// arguments set: the value is a `true,false` flag, a `clear` command
    /// resets it ([`Node::resettable`]), or the value is named after the
    /// word (`mesh degree [degree]`). Never under `clear`, which resets
    /// and shows nothing.
    fn shows_setting(&self) -> bool {
        !self.word_node.clears
            && (self.value.kind == ParamKind::Flag
                || self.word_node.resettable
                || self.value.key == self.word)
    }

    /// Whether the word alone reads a setting: [`Tail::shows_setting`], or
    /// the word alone is a pattern without its optional value and a word
    /// beside it (in `settings`) of the same command is a setting: settings
    /// come in groups (`deploy stdout [path]` beside `deploy flags`).
    fn is_setting(&self, settings: &[&Node]) -> bool {
        let node = self.word_node;
        let same_command = |other: &&Node| {
            other
                .reachable
                .iter()
                .any(|a| node.reachable.iter().any(|b| a.handler == b.handler))
        };
        self.shows_setting()
            || (!node.clears
                && self.word_alone
                && node.complete.iter().any(|form| !form.full)
                && settings.iter().any(same_command))
    }

    /// The edges of `edge`, this tail's, as a setting or not.
    fn edges(&self, edge: Edge<'t>, setting: bool) -> Vec<Edge<'t>> {
        if !self.word_alone {
            if !setting {
                return vec![edge];
            }
            let mut edges = chain(edge);
            edges[1].naming = Naming::Current;
            return edges;
        }
        let (arguments, words): (Vec<Edge<'_>>, Vec<Edge<'_>>) = edge
            .target
            .plain_edges()
            .into_iter()
            .partition(leads_with_argument);
        let longer = |way: &Edge<'t>, naming| {
            let mut steps = edge.steps.clone();
            steps.extend(way.steps.iter().copied());
            Edge {
                steps,
                target: way.target,
                prune: Prune::Nothing,
                naming,
            }
        };
        let key = |way: &Edge<'t>| &way.steps[0].slot().expect("an argument").key;
        let clears_everything = self.word_node.clears;
        if !setting && !clears_everything {
            let mut edges = vec![Edge {
                prune: Prune::Arguments,
                ..edge.clone()
            }];
            edges.extend(
                arguments
                    .iter()
                    .map(|way| longer(way, Naming::Joined(key(way)))),
            );
            return edges;
        }
        let mut edges = Vec::new();
        for (index, way) in arguments.iter().enumerate() {
            if index == 0 {
                edges.extend(chain(longer(way, Naming::First)));
            } else {
                edges.push(longer(way, Naming::Joined(key(way))));
            }
        }
        let prune = if words.is_empty() {
            Prune::Arguments
        } else {
            Prune::Everything
        };
        edges.push(Edge {
            prune,
            naming: if setting {
                Naming::Current
            } else {
                Naming::All
            },
            ..edge.clone()
        });
        edges.extend(words.iter().filter_map(|way| match way.steps[0] {
            Step::Word(word) => Some(longer(way, Naming::Joined(word))),
            Step::Arg(_) => None,
        }));
        edges
    }
}

/// Rule 3 of [`Node::edges`], for an edge of one word that is no command
/// alone: if every way on is an argument, the word takes them.
fn fork(edge: Edge<'_>) -> Vec<Edge<'_>> {
    let (arguments, words): (Vec<Edge<'_>>, Vec<Edge<'_>>) = edge
        .target
        .plain_edges()
        .into_iter()
        .partition(leads_with_argument);
    if arguments.is_empty() || !words.is_empty() {
        return vec![edge];
    }
    let mut edges = Vec::new();
    for (index, way) in arguments.into_iter().enumerate() {
        let mut steps = edge.steps.clone();
        steps.extend(way.steps.iter().copied());
        let longer = Edge {
            steps,
            target: way.target,
            prune: Prune::Nothing,
            naming: Naming::First,
        };
        if index == 0 {
            let chained = chain(longer.clone());
            if chained.len() > 2 {
                edges.extend(chained);
            } else {
                edges.push(longer);
            }
        } else {
            let key = &way.steps[0].slot().expect("an argument").key;
            edges.push(Edge {
                naming: Naming::Joined(key),
                ..longer
            });
        }
    }
    edges
}

/// The edge carried on through complete nodes whose only way on is
/// arguments, then each stop on the way, joined with its last key.
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
            prune: Prune::Arguments,
            naming: Naming::Joined(&last.expect("a stop ends in an argument").key),
            ..long.clone()
        });
        long.steps.extend(only.steps.iter().copied());
        long.target = only.target;
    }
    let mut edges = vec![long];
    edges.extend(stops);
    edges
}

#[cfg(test)]
mod tests;
