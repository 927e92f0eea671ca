//! The line and script macros' compile time: `cargo check` of binaries
//! in the scratch user crate, against builder chains, and against the
//! same chains passed through a proc macro that does nothing; in CPU time,
//! and in instructions when valgrind can count them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::stats::Summary;
use crate::{against_goal, cargo, copy_lock, run, summary, Result, REPO};

/// How many lines the line and script macro figures use.
const MACRO_LINES: usize = 1000;

/// The every-pattern forms as (line macro call, builder call), read from
/// the generated test file.
fn pattern_rows() -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(Path::new(REPO).join("tests/generated/every_pattern_lines.rs"))?;
    let rows: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| {
            let start = line.find(", cmd!(")? + 2;
            let (line_call, rest) = line[start..].split_once(".into_line(), ")?;
            let builder = rest.strip_suffix(".into_line()),")?;
            Some((line_call.to_owned(), builder.to_owned()))
        })
        .collect();
    if rows.len() < 500 {
        return Err(format!("only {} forms in every_pattern_lines.rs", rows.len()).into());
    }
    Ok(rows)
}

/// The CPU time (user and system, in seconds) of every child process
/// this process has waited for: cargo and the rustc it ran. A figure on a
/// shared machine, where wall time waits for other work.
fn children_cpu() -> f64 {
    // SAFETY: `getrusage` writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A proc-macro crate beside the user crate, with one macro, `same!`,
/// that returns its input unchanged: the least work a function-like proc
/// macro can do, so that a check of calls to it measures what rustc
/// charges for any proc macro call (loading the macro, the bridge, the
/// expansion's bookkeeping), which `cmd!` pays as well.
fn identity_macro_crate(user: &Path) -> Result<PathBuf> {
    let dir = user
        .parent()
        .ok_or("the user crate has no parent directory")?
        .join("identity-macro");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"identity-macro\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [lib]\nproc-macro = true\n",
    )?;
    std::fs::write(
        dir.join("src/lib.rs"),
        "/// Returns its input unchanged.\n#[proc_macro]\n\
         pub fn same(input: proc_macro::TokenStream) -> proc_macro::TokenStream {\n    input\n}\n",
    )?;
    Ok(dir)
}

/// Prints `figure` beside `baseline`, both medians from the same run,
/// with their ratio and, when there is one, the goal it is held to.
fn ratio_line(what: &str, figure: Summary, baseline: (&str, Summary), goal: Option<f64>) {
    let (baseline_name, baseline) = baseline;
    let ratio = figure.median / baseline.median;
    let verdict = goal
        .map(|goal| {
            let met = if ratio <= goal { "met" } else { "MISSED" };
            format!("  goal <= {goal}: {met}")
        })
        .unwrap_or_default();
    println!(
        "{what:<46} {:>26} ms  baseline ({baseline_name}) {:.1} ms  ratio {ratio:.3}{verdict}",
        figure.show(1),
        baseline.median,
    );
}

/// `cargo check` of 1,000 `cmd!` lines beside the same commands as
/// builders, and as builders each passed through a proc macro that
/// returns its input (the floor of any proc macro), and of a 1,000-line
/// `script!`, each binary checked after it was rewritten; CPU time of
/// cargo and rustc, not wall time, so that the ratio holds on a busy
/// machine. The user crate is left as it was found, so that later
/// figures build only the example.
pub fn line_macros(user: &Path, runs: usize) -> Result<()> {
    let rows = pattern_rows()?;
    let rows: Vec<&(String, String)> = rows.iter().cycle().take(MACRO_LINES).collect();
    let head = "#![allow(unused)]\nuse minimega::cmd;\nuse minimega::prelude::*;\nuse minimega::runtime::CommandLine;\n\
                fn value(key: &str) -> String { key.to_owned() }\n\
                fn list(key: &str) -> Vec<String> { vec![key.to_owned()] }\n\
                fn nested() -> impl Complete<Target = Cmd> { Cmd.alias() }\n";
    // Only the binary that calls the identity macro names it: rustc loads
    // a dependency when it is named, so the other binaries do not pay for
    // loading it.
    let body = |import: &str, calls: Vec<String>| -> String {
        let mut text =
            format!("{head}{import}fn main() {{\n    let lines: Vec<CommandLine> = vec![\n");
        for call in calls {
            text.push_str(&format!("        {call}.into_line(),\n"));
        }
        text.push_str("    ];\n    println!(\"{}\", lines.len());\n}\n");
        text
    };
    let script: String = rows
        .iter()
        .map(|(line_call, _)| {
            let line = line_call
                .strip_prefix("cmd!(\"")
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default();
            // A script may not `read`; the form stands for a line all the same.
            if line.starts_with("read") {
                return "vm info\n".to_owned();
            }
            format!("{}\n", line.replace("{}", "value"))
        })
        .collect();
    let manifest = user.join("Cargo.toml");
    let original_manifest = std::fs::read_to_string(&manifest)?;
    let identity = identity_macro_crate(user)?;
    std::fs::write(
        &manifest,
        original_manifest.replacen(
            "[dependencies]\n",
            &format!("[dependencies]\nidentity-macro = {{ path = {identity:?} }}\n"),
            1,
        ),
    )?;
    let bins = user.join("src/bin");
    std::fs::create_dir_all(&bins)?;
    std::fs::write(user.join("lab1000.mm"), script)?;
    let sources = [
        ("empty", format!("{head}fn main() {{}}\n")),
        (
            "builders",
            body(
                "",
                rows.iter().map(|(_, builder)| builder.clone()).collect(),
            ),
        ),
        (
            "identity",
            body(
                "use identity_macro::same;\n",
                rows.iter()
                    .map(|(_, builder)| format!("same!({builder})"))
                    .collect(),
            ),
        ),
        (
            "lines",
            body(
                "",
                rows.iter()
                    .map(|(line_call, _)| line_call.clone())
                    .collect(),
            ),
        ),
        (
            "script",
            "const S: minimega::runtime::Script = minimega::script!(\"lab1000.mm\");\n\
             fn main() { println!(\"{}\", S.lines().len()); }\n"
                .to_owned(),
        ),
    ];
    for (name, source) in &sources {
        std::fs::write(bins.join(format!("{name}.rs")), source)?;
    }
    run(cargo(user, &["check", "--bins"]))?;
    // Round after round, each bin once per round: a change in the
    // machine's load during the runs touches every bin alike, so the
    // ratios hold better than with one bin's runs after another's.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); sources.len()];
    for run_index in 0..runs {
        for ((name, source), times) in sources.iter().zip(&mut times) {
            // A changed file, so that every check has work to do.
            std::fs::write(
                bins.join(format!("{name}.rs")),
                format!("{source}// run {run_index}\n"),
            )?;
            let before = children_cpu();
            run(cargo(user, &["check", "--bin", name]))?;
            times.push((children_cpu() - before) * 1e3);
        }
    }
    let medians = times
        .iter()
        .map(|times| summary(times))
        .collect::<Result<Vec<_>>>()?;
    // Counted once each: a count does not move with the machine's load.
    let instructions = if valgrind_runs() {
        let counts = sources
            .iter()
            .map(|(name, source)| {
                std::fs::write(
                    bins.join(format!("{name}.rs")),
                    format!("{source}// counted\n"),
                )?;
                instructions_of_check(user, name)
            })
            .collect::<Result<Vec<f64>>>()?;
        Some(counts)
    } else {
        None
    };
    std::fs::remove_dir_all(&bins)?;
    std::fs::remove_file(user.join("lab1000.mm"))?;
    std::fs::write(&manifest, original_manifest)?;
    copy_lock(user)?;
    let [empty, builders, identity, lines, script] = medians[..] else {
        return Err("five figures".into());
    };
    println!(
        "== Line and script macros: `cargo check` of one binary, {MACRO_LINES} lines, CPU time =="
    );
    println!("{:<46} {:>26} ms", "an empty `main`", empty.show(1));
    println!("{:<46} {:>26} ms", "1,000 builder chains", builders.show(1));
    // No goal: what rustc charges any proc macro call, which no macro of
    // this project can lower.
    ratio_line(
        "the chains, each in an identity proc macro",
        identity,
        ("builders", builders),
        None,
    );
    ratio_line(
        "the same 1,000 commands as `cmd!` lines",
        lines,
        ("builders", builders),
        Some(1.5),
    );
    // What `cmd!` costs above that floor: its own work and its larger
    // expansion.
    ratio_line(
        "the `cmd!` lines against the identity macro",
        lines,
        ("identity", identity),
        None,
    );
    against_goal("a 1,000-line `script!`, ms", script, "ms", 300.0);
    match instructions.as_deref() {
        Some([empty, builders, identity, lines, script]) => {
            println!(
                "instructions of the same checks (callgrind, cargo and rustc, one count each; \
                 they leave out the kernel's part of the CPU time, the same for every bin):"
            );
            let millions = |count: f64| count / 1e6;
            println!("{:<46} {:>12.1} M", "an empty `main`", millions(*empty));
            println!(
                "{:<46} {:>12.1} M",
                "1,000 builder chains",
                millions(*builders)
            );
            for (what, count) in [
                ("the chains, each in an identity proc macro", identity),
                ("the same 1,000 commands as `cmd!` lines", lines),
                ("a 1,000-line `script!`", script),
            ] {
                println!(
                    "{what:<46} {:>12.1} M  ratio to the builders {:.3}",
                    millions(*count),
                    count / builders
                );
            }
        }
        _ => println!("instructions: skipped (no `valgrind` on PATH to count them with)"),
    }
    println!();
    Ok(())
}

/// Whether valgrind can be run (`valgrind --version` answers).
fn valgrind_runs() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The instructions that `cargo check --bin name` runs, cargo's and every
/// process it starts, counted by callgrind: a figure that holds whatever
/// else the machine is doing.
fn instructions_of_check(user: &Path, name: &str) -> Result<f64> {
    let logs = user.join("callgrind-logs");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs)?;
    let check = cargo(user, &["check", "--bin", name]);
    let mut command = Command::new("valgrind");
    command
        .args(["--tool=callgrind", "--trace-children=yes"])
        .arg(format!("--log-file={}/%p", logs.display()))
        .arg("--callgrind-out-file=/dev/null")
        .arg(check.get_program())
        .args(check.get_args())
        .current_dir(user);
    for (key, value) in check.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    run(command)?;
    let mut total = 0.0;
    for entry in std::fs::read_dir(&logs)? {
        let log = std::fs::read_to_string(entry?.path())?;
        for line in log.lines() {
            if let Some((_, count)) = line.split_once("Collected : ") {
                total += count.trim().replace(',', "").parse::<f64>()?;
            }
        }
    }
    std::fs::remove_dir_all(&logs)?;
    if total == 0.0 {
        return Err(format!("callgrind counted nothing for `cargo check --bin {name}`").into());
    }
    Ok(total)
}
