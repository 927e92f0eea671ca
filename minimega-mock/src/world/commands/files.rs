//! `file`: the files directory (minimega's iomeshage base), listed,
//! fetched and deleted as minimega 3.1.0 does on its own node. Paths are
//! taken inside the files directory whatever they say (`/x` and `../x` are
//! `files/x`), and may be globs (`*`, `?`, `[…]`). The mock has no mesh to
//! fetch from: `file get` of a file that is not here fails on a cluster,
//! and succeeds on one node, as minimega's does; `file stream` is not
//! simulated.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("file <list,>", Simple(file)),
        ("file <list,> <path> [recursive,]", Simple(file)),
        ("file <get,> <file>", Simple(file)),
        ("file <delete,> <file>", Simple(file)),
        ("file <status,>", Simple(file)),
    ])
}

/// Whether `name` matches the glob `pattern` (Go's `filepath.Match`
/// without escapes).
fn glob_match(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|i| glob_match(rest, &name[i..])),
        Some(('?', rest)) => !name.is_empty() && glob_match(rest, &name[1..]),
        Some(('[', rest)) => {
            let Some(end) = rest.iter().position(|c| *c == ']') else {
                return false;
            };
            let Some((first, tail)) = name.split_first() else {
                return false;
            };
            let (negate, class) = match rest[..end].split_first() {
                Some(('^', class)) => (true, class),
                _ => (false, &rest[..end]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= *first && *first <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == *first;
                    i += 1;
                }
            }
            hit != negate && glob_match(&rest[end + 1..], tail)
        }
        Some((c, rest)) => name.first() == Some(c) && glob_match(rest, &name[1..]),
    }
}

/// The paths in the files directory that `path` names, sorted.
fn glob(files: &Path, path: &str) -> Vec<PathBuf> {
    let clean = crate::preprocess::clean(&Path::new("/").join(path));
    let mut found = vec![files.to_path_buf()];
    for part in clean.components().skip(1) {
        let part = part.as_os_str().to_string_lossy().into_owned();
        let meta = part.contains(['*', '?', '[']);
        let mut next = Vec::new();
        for dir in &found {
            if !meta {
                let candidate = dir.join(&part);
                if candidate.symlink_metadata().is_ok() {
                    next.push(candidate);
                }
                continue;
            }
            let pattern: Vec<char> = part.chars().collect();
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name: Vec<char> = entry.file_name().to_string_lossy().chars().collect();
                if glob_match(&pattern, &name) {
                    next.push(entry.path());
                }
            }
        }
        next.sort();
        found = next;
    }
    found
}

/// A modification time as Go's `time.RFC3339` writes it, in UTC.
fn modified(path: &Path) -> String {
    let secs = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    super::super::gotime::rfc3339_seconds(secs)
}

/// One row of `file list`.
fn row(files: &Path, path: &Path) -> Vec<String> {
    let meta = std::fs::metadata(path).ok();
    let dir = meta.as_ref().is_some_and(|m| m.is_dir());
    vec![
        if dir { "<dir>" } else { "" }.to_owned(),
        path.strip_prefix(files)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        meta.map_or(0, |m| m.len()).to_string(),
        modified(path),
    ]
}

fn file(
    world: &mut World,
    _: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let files = world.files_dir();
    let name = m.value("file").unwrap_or_default();
    if m.chose("list") {
        r.header = Some(
            ["dir", "name", "size", "modified"]
                .map(str::to_owned)
                .to_vec(),
        );
        let mut rows = Vec::new();
        for found in glob(&files, m.value("path").unwrap_or("/")) {
            if !found.is_dir() {
                rows.push(row(&files, &found));
            } else if m.chose("recursive") {
                walk(&files, &found, &mut rows);
            } else {
                let mut inside: Vec<PathBuf> = std::fs::read_dir(&found)
                    .map(|d| d.flatten().map(|e| e.path()).collect())
                    .unwrap_or_default();
                inside.sort();
                rows.extend(inside.iter().map(|p| row(&files, p)));
            }
        }
        r.tabular = Some(rows);
    } else if m.chose("get") {
        // A directory is fetched as its files are.
        let here = files.join(name.trim_start_matches('/'));
        if world.nodes().len() > 1 && !here.exists() {
            return Err(format!("get {name}: file not found").into());
        }
    } else if m.chose("delete") {
        for found in glob(&files, name) {
            let gone = if found == files {
                std::fs::read_dir(&found)
                    .and_then(|d| d.flatten().try_for_each(|e| remove(&e.path())))
            } else {
                remove(&found)
            };
            gone.map_err(|e| e.to_string())?;
        }
    } else if m.chose("status") {
        r.header = Some(
            ["filename", "tempdir", "completed", "queued"]
                .map(str::to_owned)
                .to_vec(),
        );
        r.tabular = Some(Vec::new());
    }
    Ok(())
}

fn remove(path: &Path) -> std::io::Result<()> {
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Every file (not folder) under `dir`, in order.
fn walk(files: &Path, dir: &Path, rows: &mut Vec<Vec<String>>) {
    let mut inside: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    inside.sort();
    for path in inside {
        if path.is_dir() && !path.is_symlink() {
            walk(files, &path, rows);
        } else {
            rows.push(row(files, &path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_go() {
        let m = |p: &str, n: &str| {
            glob_match(
                &p.chars().collect::<Vec<_>>(),
                &n.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("foo*", "foo1") && m("*.txt", "a.txt") && !m("*.txt", "a.txt2"));
        assert!(m("foo[12]", "foo2") && !m("foo[12]", "foo3") && m("f?o", "fxo"));
        assert!(m("[a-c]", "b") && !m("[^a-c]", "b"));
    }
}
