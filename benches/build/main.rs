//! The build benchmark: what the typed API costs a user at compile time and
//! in the IDE.
//!
//! `cargo bench --bench build` measures, in a scratch user crate that
//! depends on this repository (a copy of the `classic` example):
//!
//! - the expansion of the shipped spec: time and tokens, in this optimised
//!   build and at opt-level 0, as cargo builds proc macros by default;
//! - clean builds of the user crate, and the facade's share of each
//!   (`cargo build --timings`);
//! - `cargo check` after a one-line edit of the example, checking that
//!   the facade (the spec's expansion) is not built again;
//! - rust-analyzer: indexing, and completion after `mm.vm().` through its
//!   LSP interface, when a rust-analyzer is given (`--rust-analyzer PATH`,
//!   `RUST_ANALYZER`, or on `PATH`); otherwise that figure is skipped, and
//!   the report says so.
//!
//! - the line and script macros: `cargo check` of a binary of 1,000
//!   `cmd!` lines (the every-pattern forms, repeated) beside the same
//!   1,000 commands as builder chains, the same chains each passed
//!   through a proc macro that returns its input (the floor any proc
//!   macro call pays), and of a 1,000-line `script!`, each beside an
//!   empty `main` (CPU time of cargo and rustc, and, when valgrind is
//!   there, their instructions, which do not move with the load).
//!
//! `--runs N` sets the runs of each figure (default 3); `--only macros`
//! measures only the line and script macros. Clean builds take about a
//! minute each on two cores.

mod lsp;
mod macros;
#[path = "../common/stats.rs"]
mod stats;
mod timings;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use minimega_codegen::{generate, token_count, SpecFn};
use minimega_spec::MINIMEGA_JSON;
use serde_json::{json, Value};

use stats::Summary;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The repository, whose facade the scratch crates depend on.
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The line of the example that each incremental run edits.
const EDITED: &str = "mm.vm().config().memory(512).run()?;";

fn main() -> Result<()> {
    let mut runs = 3usize;
    let mut analyzer = None;
    let mut only_macros = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs wants a number")?.parse()?,
            "--only" => {
                let what = args.next().ok_or("--only wants `macros`")?;
                if what != "macros" {
                    return Err(format!("--only takes `macros`, not `{what}`").into());
                }
                only_macros = true;
            }
            "--rust-analyzer" => {
                analyzer = Some(PathBuf::from(
                    args.next().ok_or("--rust-analyzer wants a path")?,
                ))
            }
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    let runs = runs.max(1);
    println!("build benchmark: median (lowest–highest) of {runs} runs\n");
    if only_macros {
        let scratch = scratch_dir()?;
        let outcome = user_crate(&scratch).and_then(|user| macros::line_macros(&user, runs));
        let _ = std::fs::remove_dir_all(&scratch);
        return outcome;
    }
    expansion(runs)?;
    let scratch = scratch_dir()?;
    let outcome = (|| -> Result<()> {
        expansion_unoptimised(&scratch, runs)?;
        let user = user_crate(&scratch)?;
        macros::line_macros(&user, runs)?;
        clean_builds(&user, runs)?;
        incremental_checks(&user, runs)?;
        match analyzer.or_else(find_rust_analyzer) {
            Some(program) => completion(&program, &user, runs)?,
            None => println!(
                "rust-analyzer completion: skipped (no rust-analyzer: give --rust-analyzer PATH, set RUST_ANALYZER, or put one on PATH)"
            ),
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

/// Prints a figure held to an upper bound, with the ratio to it.
fn against_goal(what: &str, figure: Summary, unit: &str, goal: f64) {
    let verdict = if figure.median < goal {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "{what:<46} {:>26} {unit}  goal < {goal} {unit}  ratio to goal {:.3}: {verdict}",
        figure.show(1),
        figure.median / goal
    );
}

fn summary(runs: &[f64]) -> Result<Summary> {
    Summary::of(runs).ok_or_else(|| "no runs".into())
}

/// The expansion in this (optimised) build.
fn expansion(runs: usize) -> Result<()> {
    let mut times = Vec::new();
    let mut tokens = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let expanded = generate(MINIMEGA_JSON, &SpecFn::Shipped)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        tokens = token_count(&expanded);
    }
    println!("== Expansion of the shipped spec: {tokens} tokens ==");
    against_goal(
        "expansion, optimised build, ms",
        summary(&times)?,
        "ms",
        300.0,
    );
    Ok(())
}

/// The expansion at opt-level 0, as the proc macro runs in a user's build
/// (cargo compiles proc macros unoptimised unless told otherwise): a
/// scratch program that calls the same code.
fn expansion_unoptimised(scratch: &Path, runs: usize) -> Result<()> {
    let dir = scratch.join("expand-probe");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"expand-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nminimega-codegen = {{ path = {:?} }}\nminimega-spec = {{ path = {:?} }}\n\n\
             [workspace]\n",
            Path::new(REPO).join("minimega-codegen"),
            Path::new(REPO).join("command-spec"),
        ),
    )?;
    std::fs::write(
        dir.join("src/main.rs"),
        format!(
            "fn main() {{\n    for _ in 0..{runs} {{\n        let started = std::time::Instant::now();\n        \
             let tokens = minimega_codegen::generate(minimega_spec::MINIMEGA_JSON, &minimega_codegen::SpecFn::Shipped).unwrap();\n        \
             println!(\"{{}} {{}}\", started.elapsed().as_secs_f64() * 1e3, minimega_codegen::token_count(&tokens));\n    }}\n}}\n"
        ),
    )?;
    copy_lock(&dir)?;
    let output = cargo(&dir, &["run", "--quiet"]).output()?;
    if !output.status.success() {
        return Err(format!(
            "the expansion probe failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let times: Vec<f64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next()?.parse().ok())
        .collect();
    against_goal(
        "expansion, opt-level 0 (as a proc macro), ms",
        summary(&times)?,
        "ms",
        300.0,
    );
    println!();
    Ok(())
}

/// A user crate: the `classic` example as its `main`, depending on this
/// repository's facade.
fn user_crate(scratch: &Path) -> Result<PathBuf> {
    let dir = scratch.join("user");
    std::fs::create_dir_all(dir.join("src/common"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"user\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nminimega = {{ path = {REPO:?}, features = [\"mock\"] }}\n\n[workspace]\n"
        ),
    )?;
    let example = std::fs::read_to_string(Path::new(REPO).join("examples/classic.rs"))?;
    if !example.contains(EDITED) {
        return Err(format!("examples/classic.rs no longer has the line `{EDITED}`").into());
    }
    std::fs::write(dir.join("src/main.rs"), example)?;
    std::fs::copy(
        Path::new(REPO).join("examples/common/mod.rs"),
        dir.join("src/common/mod.rs"),
    )?;
    copy_lock(&dir)?;
    Ok(dir)
}

/// The repository's lock file, so that scratch crates build the versions
/// the repository is tested with.
fn copy_lock(dir: &Path) -> Result<()> {
    std::fs::copy(Path::new(REPO).join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

/// `cargo ARGS` in `dir`, with its own target directory.
fn cargo(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS");
    command
}

/// Runs `command`, failing with its output when it fails; its stderr and
/// how long it took.
fn run(mut command: Command) -> Result<(String, f64)> {
    let started = Instant::now();
    let output = command.output()?;
    let took = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!("{command:?} failed:\n{stderr}").into());
    }
    Ok((stderr, took))
}

/// Clean builds of the user crate, and the facade's part of each.
fn clean_builds(user: &Path, runs: usize) -> Result<()> {
    let (mut walls, mut facades, mut shares) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(user.join("target"));
        let (_, wall) = run(cargo(user, &["build", "--timings"]))?;
        let report = std::fs::read_dir(user.join("target/cargo-timings"))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .find(|path| {
                path.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("cargo-timing-"))
            })
            .ok_or("cargo wrote no timings report")?;
        let units = timings::units(&std::fs::read_to_string(report)?)
            .ok_or("the timings report has no unit data cargo 1.95 would write")?;
        let facade = timings::compile_time(&units, "minimega").ok_or("no `minimega` unit")?;
        walls.push(wall);
        facades.push(facade);
        shares.push(facade / wall);
    }
    println!("== Clean build of a user crate (the classic example), dev profile ==");
    let (wall, facade, share) = (summary(&walls)?, summary(&facades)?, summary(&shares)?);
    println!(
        "{:<46} {:>26} s  baseline (whole build) {} s  ratio {:.3}  goal < 0.2: {}",
        "the facade `minimega` (expansion included)",
        facade.show(2),
        wall.show(1),
        share.median,
        if share.median < 0.2 { "met" } else { "MISSED" }
    );
    println!(
        "{:<46} {:>26}",
        "the facade's share, per build",
        share.show(3)
    );
    println!();
    Ok(())
}

/// `cargo check` after a one-line edit of the example.
fn incremental_checks(user: &Path, runs: usize) -> Result<()> {
    run(cargo(user, &["check"]))?;
    let main = user.join("src/main.rs");
    let original = std::fs::read_to_string(&main)?;
    let mut times = Vec::new();
    for run_index in 0..runs {
        // A different value each time, so that every check has work to do.
        let edited = original.replace(
            EDITED,
            &format!("mm.vm().config().memory({}).run()?;", 513 + run_index),
        );
        std::fs::write(&main, edited)?;
        let (stderr, took) = run(cargo(user, &["check"]))?;
        if stderr.contains("Checking minimega ") || stderr.contains("Compiling minimega") {
            return Err(format!("the edit rebuilt the facade:\n{stderr}").into());
        }
        if !stderr.contains("Checking user ") {
            return Err(format!("the edit was not checked:\n{stderr}").into());
        }
        times.push(took * 1e3);
    }
    std::fs::write(&main, original)?;
    println!(
        "== `cargo check` after a one-line edit of the example (the facade is not rebuilt) =="
    );
    against_goal("incremental check, ms", summary(&times)?, "ms", 1000.0);
    println!();
    Ok(())
}

fn find_rust_analyzer() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RUST_ANALYZER") {
        return Some(PathBuf::from(path));
    }
    // rustup puts a `rust-analyzer` stand-in on PATH even when the
    // component is not installed; only one that answers `--version` counts.
    let answers = |candidate: &PathBuf| {
        std::process::Command::new(candidate)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("rust-analyzer"))
            .find(|candidate| candidate.is_file() && answers(candidate))
    })
}

/// rust-analyzer: indexing the user crate, then completion after
/// `mm.vm().` in a function added to its `main.rs`.
fn completion(program: &Path, user: &Path, runs: usize) -> Result<()> {
    let main = user.join("src/main.rs");
    let original = std::fs::read_to_string(&main)?;
    let uri = format!("file://{}", main.display());
    let target = user.join("target").display().to_string();
    let mut server = lsp::Server::start(program, user, &[("CARGO_TARGET_DIR", &target)])?;
    let started = Instant::now();
    let outcome = (|| -> Result<()> {
        server.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": format!("file://{}", user.display()),
                "capabilities": {
                    "window": {"workDoneProgress": true},
                    "experimental": {"serverStatusNotification": true},
                    "textDocument": {"completion": {"completionItem": {"snippetSupport": false}}}
                }
            }),
            Duration::from_secs(60),
            &mut |_| {},
        )?;
        server.notify("initialized", json!({}))?;
        server.wait_for(Duration::from_secs(900), &mut |note| {
            note["method"] == "experimental/serverStatus" && note["params"]["quiescent"] == true
        })?;
        let indexed = started.elapsed().as_secs_f64();
        let mut times = Vec::new();
        for run_index in 0..=runs {
            // Each run types a new function, as a user would.
            let text = format!(
                "{original}\nfn probe{run_index}(mm: &mut minimega::runtime::Client) {{\n    mm.vm().\n}}\n"
            );
            let line = text.lines().count() - 2;
            if run_index == 0 {
                server.notify(
                    "textDocument/didOpen",
                    json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
                )?;
            } else {
                server.notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": run_index + 1}, "contentChanges": [{"text": text}]}),
                )?;
            }
            let asked = Instant::now();
            let result = server.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 12}}),
                Duration::from_secs(300),
                &mut |_| {},
            )?;
            let took = asked.elapsed().as_secs_f64() * 1e3;
            let labels = completion_labels(&result);
            if !["info", "launch", "config"]
                .iter()
                .all(|want| labels.iter().any(|l| l == want))
            {
                return Err(format!(
                    "completion after `mm.vm().` lacks info/launch/config: {:?}",
                    &labels[..labels.len().min(20)]
                )
                .into());
            }
            times.push(took);
        }
        println!("== rust-analyzer ({}) ==", program.display());
        println!("{:<46} {:>26.1} s", "indexing, until quiescent", indexed);
        against_goal(
            "first completion after `mm.vm().`, ms",
            summary(&times[..1])?,
            "ms",
            1000.0,
        );
        against_goal(
            "completion after each later edit, ms",
            summary(&times[1..])?,
            "ms",
            1000.0,
        );
        Ok(())
    })();
    server.stop();
    outcome
}

/// The labels of a completion result (a list, or a `CompletionList`),
/// without rust-analyzer's `(…)` and `(as Trait)` decorations.
fn completion_labels(result: &Value) -> Vec<String> {
    let items = result
        .as_array()
        .or_else(|| result["items"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| item["label"].as_str())
        .map(|label| {
            label
                .split(['(', ' '])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// A fresh scratch directory for the benchmark's crates.
fn scratch_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("minimega-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
