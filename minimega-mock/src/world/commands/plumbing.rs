//! `plumb` and `pipe` (and their `clear`s): minimega's plumber, one per
//! host, with pipes named `namespace//name`. Pipelines join pipes to
//! pipes: a message written to a pipe goes to its readers (all of them,
//! or one in turn for `round-robin`, and for `random` too: the mock picks
//! in turn) and on into the pipes they feed. The mock runs no programs:
//! an element of a pipeline that is a program on the `PATH` (and a pipe's
//! `via`) passes nothing on.

use std::collections::BTreeMap;

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;

/// How deep a message may travel from pipe to pipe (a loop of pipes
/// would never end).
const MAX_HOPS: usize = 64;

/// One named pipe.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pipe {
    mode: String,
    /// Reader ids, in the order they were made.
    readers: Vec<u64>,
    writers: usize,
    count: u64,
    last: String,
    via: Vec<String>,
    next_reader: usize,
}

/// A host's plumber.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plumber {
    pipes: BTreeMap<String, Pipe>,
    /// Pipeline (its production joined by spaces) → its elements.
    pipelines: BTreeMap<String, Vec<Element>>,
    /// Reader id → the pipe it feeds, if any.
    feeds: BTreeMap<u64, Option<String>>,
    next_id: u64,
}

#[derive(Debug, Clone)]
enum Element {
    Pipe(String),
    Program,
}

impl Plumber {
    /// Forgets every pipeline and pipe (`clear all`).
    pub(crate) fn clear(&mut self) {
        *self = Plumber::default();
    }

    fn pipe(&mut self, name: &str) -> &mut Pipe {
        self.pipes.entry(name.to_owned()).or_insert_with(|| Pipe {
            mode: "all".to_owned(),
            ..Pipe::default()
        })
    }

    fn plumb(&mut self, production: Vec<Element>, name: String) -> Result<(), String> {
        if self.pipelines.contains_key(&name) {
            return Err(format!("pipeline already exists: [{name}]"));
        }
        for (i, element) in production.iter().enumerate() {
            let Element::Pipe(pipe) = element else {
                continue;
            };
            if i > 0 {
                self.pipe(pipe).writers += 1;
            }
            if i + 1 < production.len() {
                let feeds = match &production[i + 1] {
                    Element::Pipe(next) => Some(next.clone()),
                    Element::Program => None,
                };
                self.next_id += 1;
                let id = self.next_id;
                self.feeds.insert(id, feeds);
                self.pipe(pipe).readers.push(id);
            }
        }
        self.pipelines.insert(name, production);
        Ok(())
    }

    fn delete_pipeline(&mut self, name: &str) -> Result<(), String> {
        let Some(production) = self.pipelines.remove(name) else {
            return Err(format!("no such pipeline: [{name}]"));
        };
        for (i, element) in production.iter().enumerate() {
            let Element::Pipe(pipe) = element else {
                continue;
            };
            let Some(p) = self.pipes.get_mut(pipe) else {
                continue;
            };
            if i > 0 {
                p.writers = p.writers.saturating_sub(1);
            }
            if i + 1 < production.len() {
                // The pipeline's reader is the latest one it made here.
                if let Some(id) = p.readers.pop() {
                    self.feeds.remove(&id);
                }
            }
        }
        Ok(())
    }

    fn delete_pipe(&mut self, name: &str) -> Result<(), String> {
        let Some(pipe) = self.pipes.get(name) else {
            return Err(format!("no such pipe: {name}"));
        };
        if pipe.writers != 0 {
            return Err("cannot delete named pipe with open writers".to_owned());
        }
        for id in pipe.readers.clone() {
            self.feeds.remove(&id);
        }
        self.pipes.remove(name);
        Ok(())
    }

    fn write(&mut self, name: &str, data: &str, hops: usize) {
        if hops > MAX_HOPS {
            return;
        }
        let pipe = self.pipe(name);
        pipe.count += 1;
        pipe.last = data.to_owned();
        if !pipe.via.is_empty() || pipe.readers.is_empty() {
            return;
        }
        let chosen: Vec<u64> = if pipe.mode == "all" {
            pipe.readers.clone()
        } else {
            let at = pipe.next_reader % pipe.readers.len();
            pipe.next_reader = at + 1;
            vec![pipe.readers[at]]
        };
        for id in chosen {
            if let Some(Some(next)) = self.feeds.get(&id).cloned() {
                self.write(&next, data, hops + 1);
            }
        }
    }
}

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("plumb <src> <dst>...", Simple(plumb)),
        ("plumb", Broadcast(plumb_list)),
        ("clear plumb [pipeline]...", Broadcast(clear_plumb)),
        ("pipe", Broadcast(pipe)),
        (
            "pipe <pipe> <mode,> <all,round-robin,random>",
            Broadcast(pipe),
        ),
        ("pipe <pipe> <log,> <true,false>", Broadcast(pipe)),
        ("pipe <pipe> <data>", Simple(pipe)),
        ("pipe <pipe> <via,> <command>...", Simple(pipe)),
        ("clear pipe [pipe]", Broadcast(clear_pipe)),
        ("clear pipe <pipe> <mode,>", Broadcast(clear_pipe)),
        ("clear pipe <pipe> <log,>", Broadcast(clear_pipe)),
        ("clear pipe <pipe> <via,>", Broadcast(clear_pipe)),
    ])
}

/// minimega's `fqnsPipe`: a name without `//` is in the namespace.
fn qualified(ns: &str, name: &str) -> String {
    if name.contains("//") {
        name.to_owned()
    } else {
        format!("{ns}//{name}")
    }
}

/// Whether the first word of `element` is a program on the `PATH`.
fn program(element: &str) -> bool {
    let word = element
        .trim_matches('"')
        .split_whitespace()
        .next()
        .unwrap_or("");
    let path = std::env::var_os("PATH").unwrap_or_default();
    !word.is_empty() && std::env::split_paths(&path).any(|dir| dir.join(word).is_file())
}

fn plumb(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns_name(ctx);
    let mut words = vec![cmd.m.value("src").unwrap_or_default().to_owned()];
    words.extend(cmd.m.list("dst").iter().cloned());
    let mut production = Vec::new();
    let mut names = Vec::new();
    for word in words {
        if !word.contains("//") && program(&word) {
            production.push(Element::Program);
            names.push(word);
        } else {
            let name = qualified(&ns, &word);
            production.push(Element::Pipe(name.clone()));
            names.push(name);
        }
    }
    world
        .node_mut(ctx.node)
        .plumber
        .plumb(production, names.join(" "))
        .map_err(Failure::from)
}

fn plumb_list(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let marker = format!("{}//", world.ns_name(ctx));
    r.header = Some(vec!["pipeline".to_owned()]);
    r.tabular = Some(
        world
            .node(ctx.node)
            .plumber
            .pipelines
            .keys()
            .filter(|name| name.contains(&marker))
            .map(|name| vec![name.clone()])
            .collect(),
    );
    Ok(())
}

fn clear_plumb(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let plumber = &mut world.node_mut(ctx.node).plumber;
    let production = cmd.m.list("pipeline");
    if !production.is_empty() {
        return plumber
            .delete_pipeline(&production.join(" "))
            .map_err(Failure::from);
    }
    let all: Vec<String> = plumber.pipelines.keys().cloned().collect();
    for name in all {
        plumber.delete_pipeline(&name)?;
    }
    Ok(())
}

fn pipe(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let ns = world.ns_name(ctx);
    let plumber = &mut world.node_mut(ctx.node).plumber;
    let Some(name) = m.value("pipe").map(|p| qualified(&ns, p)) else {
        let marker = format!("{ns}//");
        r.header = Some(
            [
                "name", "mode", "readers", "writers", "count", "via", "previous",
            ]
            .map(str::to_owned)
            .to_vec(),
        );
        r.tabular = Some(
            plumber
                .pipes
                .iter()
                .filter(|(name, _)| name.contains(&marker))
                .map(|(name, p)| {
                    vec![
                        name.clone(),
                        p.mode.clone(),
                        p.readers.len().to_string(),
                        p.writers.to_string(),
                        p.count.to_string(),
                        p.via.join(" "),
                        p.last.trim().to_owned(),
                    ]
                })
                .collect(),
        );
        return Ok(());
    };
    if m.chose("mode") {
        let mode = ["all", "round-robin", "random"]
            .into_iter()
            .find(|mode| m.chose(mode))
            .unwrap_or("all");
        plumber.pipe(&name).mode = mode.to_owned();
    } else if m.chose("log") {
        plumber.pipe(&name);
    } else if m.chose("via") {
        plumber.pipe(&name).via = m.list("command").to_vec();
    } else {
        let data = m.value("data").unwrap_or_default().to_owned();
        plumber.write(&name, &data, 0);
    }
    Ok(())
}

fn clear_pipe(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let ns = world.ns_name(ctx);
    let plumber = &mut world.node_mut(ctx.node).plumber;
    let given = m.value("pipe").map(|p| qualified(&ns, p));
    if m.chose("mode") || m.chose("log") || m.chose("via") {
        let name = given.unwrap_or_else(|| format!("{ns}//"));
        let pipe = plumber.pipe(&name);
        if m.chose("mode") {
            pipe.mode = "all".to_owned();
        } else if m.chose("via") {
            pipe.via.clear();
        }
        return Ok(());
    }
    match given {
        Some(name) => plumber.delete_pipe(&name).map_err(Failure::from),
        None => {
            let all: Vec<String> = plumber.pipes.keys().cloned().collect();
            all.iter()
                .try_for_each(|name| plumber.delete_pipe(name))
                .map_err(Failure::from)
        }
    }
}
