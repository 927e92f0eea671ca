//! The crate's modules form layers that point one way: read every file of
//! `src`, take the modules each one names (`crate::…`, `super::…`), and
//! check that no module names one in a layer above its own and that the
//! names form no circle. The layers are the ones `lib.rs`'s docs describe.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each module's layer, bottom first: a module may use its own layer and
/// those below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "data: values and answers as they are",
        &[
            "arg", "line", "cells", "excerpt", "failure", "response", "tables",
        ],
    ),
    ("errors", &["error"]),
    (
        "commands and reading answers",
        &[
            "options",
            "policy",
            "decode",
            "cc",
            "execute",
            "command",
            "handwritten",
            "preprocess",
            "outgoing",
        ],
    ),
    ("the connection", &["connection", "connect"]),
    (
        "running commands",
        &[
            "stream",
            "client",
            "namespace",
            "site",
            "wait",
            "script",
            "version",
            "asynchronous",
        ],
    ),
];

/// Every module of `src` (`a::b` for `src/a/b.rs` or `src/a/b/mod.rs`) and
/// its source without comments or unit tests.
fn modules() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|last| last == "mod") {
                parts.pop();
            }
            found.insert(parts.join("::"), code(&fs::read_to_string(&path).unwrap()));
        }
    }
    found
}

/// `source` without comments (doc links name modules too) and without its
/// unit tests, which may use anything; a grouped import
/// (`use super::{a, b::C}`) is spread into one path per item.
fn code(source: &str) -> String {
    let before_tests = source.split("#[cfg(test)]\nmod tests").next().unwrap();
    let mut code: String = before_tests
        .lines()
        .map(|line| line.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for prefix in ["crate::", "super::"] {
        let group = format!("{prefix}{{");
        while let Some(start) = code.find(&group) {
            let open = start + group.len();
            let close = open + code[open..].find('}').expect("a closed group");
            let spread: Vec<String> = code[open..close]
                .split(',')
                .map(|item| format!("{prefix}{}", item.trim()))
                .collect();
            code.replace_range(start..=close, &spread.join(" "));
        }
    }
    code
}

/// The modules that `module`'s code names, other than itself and its own
/// submodules.
fn uses(module: &str, code: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .collect();
    let own: Vec<&str> = module.split("::").collect();
    for word in words {
        let mut path: Vec<&str> = word.split("::").filter(|p| !p.is_empty()).collect();
        let base: Vec<&str> = match path.first() {
            Some(&"crate") => Vec::new(),
            Some(&"super") => own[..own.len() - 1].to_vec(),
            _ => continue,
        };
        path.remove(0);
        let named = (1..=path.len()).rev().find_map(|len| {
            let candidate = [&base[..], &path[..len]].concat().join("::");
            all.contains_key(&candidate).then_some(candidate)
        });
        if let Some(named) = named {
            if named != module && !named.starts_with(&format!("{module}::")) {
                used.insert(named);
            }
        }
    }
    used
}

/// The layer of `module`: a submodule is in its top module's layer.
fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap();
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&top))
}

#[test]
fn modules_import_only_their_own_layer_or_those_below() {
    let all = modules();
    let mut wrong = Vec::new();
    for (module, code) in &all {
        if module == "lib" {
            continue;
        }
        let Some(own) = layer(module) else {
            wrong.push(format!("`{module}` is in no layer: add it to LAYERS"));
            continue;
        };
        for used in uses(module, code, &all) {
            if used == "lib" {
                continue;
            }
            let theirs = layer(&used).expect("every module has a layer");
            if theirs > own {
                wrong.push(format!(
                    "`{module}` ({}) uses `{used}` ({}), a layer above it",
                    LAYERS[own].0, LAYERS[theirs].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn module_imports_form_no_circle() {
    let all = modules();
    let graph: BTreeMap<&str, BTreeSet<String>> = all
        .iter()
        .map(|(module, code)| (module.as_str(), uses(module, code, &all)))
        .collect();
    // Depth-first search from every module; a module met again on the
    // current path closes a circle.
    fn visit<'g>(
        module: &'g str,
        graph: &'g BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| *m == module) {
            let mut circle: Vec<String> = path[start..].iter().map(|m| m.to_string()).collect();
            circle.push(module.to_owned());
            return Some(circle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in &graph[module] {
            let next = graph.get_key_value(next.as_str()).unwrap().0;
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let circle = visit(module, &graph, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "a circle: {}",
            circle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_check_sees_imports() {
    // The graph is read, not assumed: the client runs commands on a
    // connection, and the errors know the answers they carry.
    let all = modules();
    assert!(uses("client", &all["client"], &all).contains("connection"));
    assert!(uses("error", &all["error"], &all).contains("response"));
    assert!(all.len() >= 30, "{} modules", all.len());
}
