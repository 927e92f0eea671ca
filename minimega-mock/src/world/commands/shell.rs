//! `shell` and `background`: the mock never starts a process.
//!
//! A program that is not on the `PATH` (nor, given with a `/`, a file)
//! gets minimega's error, as looking it up runs nothing. A few programs are
//! simulated in-process: `echo`, `true`, `false` and `sleep` (answered at
//! once); `cat`, `sort` (reading a regular file) and `ls` (without
//! flags), `mkdir`, `touch` and
//! `rm` on paths inside the mock's own base directory, and also in the
//! system's temporary directory for paths the mock makes there itself
//! (`touch` and `mkdir` make only new ones there, `rm` removes only those):
//! minimega's own test scripts make their test files with these.
//! Everything else (another program, another path) is answered with an
//! empty success and marked not simulated, so a test can see that it
//! relied on it.

use std::path::{Path, PathBuf};

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Batch, Ctx, MatchedCommand, ReadScript, World};
use super::fixed;

/// The most of a file `cat` or `sort` reads.
const MAX_READ: u64 = 1 << 20;

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("shell <command>...", Simple(shell)),
        ("background <command>...", Whole(background)),
    ])
}

/// Go's `exec.LookPath`, as far as finding goes (nothing is run).
fn look_path(program: &str) -> Result<(), String> {
    if program.contains('/') {
        return match std::fs::metadata(program) {
            Ok(m) if m.is_file() => Ok(()),
            Ok(_) => Err(format!("exec: {program:?}: permission denied")),
            Err(_) => Err(format!(
                "exec: {program:?}: stat {program}: no such file or directory"
            )),
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(program)).is_ok_and(|m| {
            use std::os::unix::fs::PermissionsExt;
            m.is_file() && m.permissions().mode() & 0o111 != 0
        })
    });
    if found {
        Ok(())
    } else {
        Err(format!(
            "exec: {program:?}: executable file not found in $PATH"
        ))
    }
}

/// `path` made absolute and clean, if it lies inside the mock's base, or
/// is one the mock made (or, to make it, may make: `new` and new) in the
/// system's temporary directory.
pub(super) fn allowed(world: &World, path: &str, new: bool) -> Option<PathBuf> {
    let files = world.files_dir();
    let base = files.parent()?;
    let path = crate::preprocess::clean(Path::new(path));
    if !path.is_absolute() || path == base {
        return None;
    }
    if path.starts_with(base) || world.made_paths.contains(&path) {
        return Some(path);
    }
    let temp = std::env::temp_dir();
    let fresh = new && path.symlink_metadata().is_err();
    (fresh && path.starts_with(&temp) && path != temp).then_some(path)
}

/// A regular file's text, at most [`MAX_READ`] bytes of it.
fn read_regular(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path)
        .map_err(|_| format!("{}: No such file or directory", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_READ).read_to_string(&mut text))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text)
}

/// What one program does, in-process; `None` when the mock does not
/// simulate it (with these arguments).
fn simulate(world: &mut World, args: &[String]) -> Option<Result<String, String>> {
    let (program, rest) = args.split_first()?;
    let flags: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with('-'))
        .collect();
    let operands: Vec<&String> = rest.iter().filter(|a| !a.starts_with('-')).collect();
    let making = matches!(program.as_str(), "mkdir" | "touch");
    let paths: Option<Vec<PathBuf>> = operands.iter().map(|p| allowed(world, p, making)).collect();
    match program.as_str() {
        "echo" => Some(Ok(format!("{}\n", rest.join(" ")))),
        "true" | "sleep" => Some(Ok(String::new())),
        "false" => Some(Err("exit status 1".to_owned())),
        "cat" | "sort" if flags.is_empty() && !operands.is_empty() => {
            let paths = paths?;
            let mut text = String::new();
            for path in paths {
                match read_regular(&path) {
                    Ok(more) => text.push_str(&more),
                    Err(_) => return Some(Err("exit status 2".to_owned())),
                }
            }
            if program == "sort" {
                let mut lines: Vec<&str> = text.lines().collect();
                lines.sort_unstable();
                text = lines.iter().map(|l| format!("{l}\n")).collect();
            }
            Some(Ok(text))
        }
        "ls" if flags.is_empty() && !operands.is_empty() => {
            let mut text = String::new();
            for path in paths? {
                if path.is_dir() {
                    let mut names: Vec<String> = std::fs::read_dir(&path)
                        .map(|d| {
                            d.flatten()
                                .map(|e| e.file_name().to_string_lossy().into_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    names.sort();
                    names.iter().for_each(|n| text.push_str(&format!("{n}\n")));
                } else if path.symlink_metadata().is_ok() {
                    text.push_str(&format!("{}\n", path.display()));
                } else {
                    return Some(Err("exit status 2".to_owned()));
                }
            }
            Some(Ok(text))
        }
        "mkdir" | "touch" | "rm" if !operands.is_empty() => {
            let paths = paths?;
            let recursive = flags.iter().any(|f| f.contains('r') || f.contains('R'));
            let parents = flags.iter().any(|f| f.contains('p'));
            let mut failed = false;
            for path in paths {
                let done = match program.as_str() {
                    "mkdir" if parents => std::fs::create_dir_all(&path),
                    "mkdir" => std::fs::create_dir(&path),
                    "touch" => std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .map(|_| ()),
                    _ if recursive && path.is_dir() => std::fs::remove_dir_all(&path),
                    _ => std::fs::remove_file(&path),
                };
                failed |= done.is_err();
                if done.is_ok() && program != "rm" {
                    world.made_paths.insert(path);
                } else if done.is_ok() {
                    world.made_paths.retain(|p| !p.starts_with(&path));
                }
            }
            Some(if failed {
                Err("exit status 1".to_owned())
            } else {
                Ok(String::new())
            })
        }
        _ => None,
    }
}

/// `shell <command>...`: the program's output, for the programs the mock
/// simulates.
fn shell(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let args = cmd.m.list("command");
    look_path(args.first().map_or("", String::as_str))?;
    match simulate(world, args) {
        Some(result) => r.response = result?,
        None => ctx.unsimulated(),
    }
    Ok(())
}

/// `background <command>...`: started, and nothing answered; minimega's
/// error (from no host in particular) for a program it cannot find.
fn background(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: Option<&ReadScript>,
) -> Vec<Batch> {
    let args = cmd.m.list("command");
    if let Err(error) = look_path(args.first().map_or("", String::as_str)) {
        return vec![Batch::of(vec![WireResponse {
            error,
            ..WireResponse::default()
        }])];
    }
    if simulate(world, args).is_none() {
        ctx.unsimulated();
    }
    world.ok(ctx)
}
