//! Runs minimega's own test suite (`tests/` in minimega's source) against
//! the mock, or against any minimega, and says how many output blocks
//! equal the `.want` files.
//!
//! ```text
//! suite --tests DIR [--minitest PATH] [--base DIR | --socket PATH | --got DIR]
//!       [--run REGEX] [--hosts "localhost mm1 mm2 mm3"] [--json OUT]
//!       [--reproducible JSON] [--timeout SECONDS] [--differences first|all]
//! ```
//!
//! `DIR` is minimega's `tests/` folder (from minimega's checkout: its
//! scripts and `.want` files are minimega's and never enter this project).
//! Its single-host scripts run against a mock of one host; the scripts of
//! `DIR/distributed` (without `enter` and `exit`, which build a nested
//! cluster) against a mock of `--hosts`, by default `localhost mm1 mm2
//! mm3`: the head the suite's client talks to and the peers its `.want`
//! files name. Each test runs as minimega's runner runs it: `prolog`, the
//! script, `epilog`, one request a line; the output is minitest's (`##
//! line`, the sorted errors as `E: …`, the rendered text).
//!
//! - The mock is served at `--base` (default `/tmp/minimega`, where the
//!   `.want` files' paths point, when no socket is there; else a fresh
//!   directory, with its path written `/tmp/minimega` before comparing).
//! - `--minitest PATH` runs minimega's own runner, once per test (`-run`),
//!   on a scratch folder of links to the scripts; without it the suite's
//!   built-in runner writes the same output.
//! - `--socket PATH` runs against a running minimega instead of the mock
//!   (its directory standing for `/tmp/minimega`); `--got DIR` compares
//!   `NAME.got` files minitest wrote earlier (`DIR/distributed` for the
//!   distributed ones). Either with `--json OUT` saves which blocks were
//!   equal; `--reproducible` that file then counts the blocks equal on
//!   the mock among those.
//!
//! Per test it prints the blocks, how many equal the `.want`, the requests
//! the mock answered "not simulated", and the first block that differs
//! (every one with `--differences all`);
//! then the totals and the unsimulated requests by their first words.

mod blocks;
mod runner;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use blocks::{compare, Comparison};
use runner::{Group, Runner, Target};

const USAGE: &str = "usage: suite --tests DIR [--minitest PATH] [--base DIR | --socket PATH | --got DIR] \
[--run REGEX] [--hosts \"localhost mm1 mm2 mm3\"] [--json OUT] [--reproducible JSON] [--timeout SECONDS] [--differences first|all]";

/// The path the `.want` files hold.
const WANT_BASE: &str = "/tmp/minimega";

/// What the command line asked for.
struct Options {
    tests: PathBuf,
    minitest: Option<PathBuf>,
    target: Target,
    run: Option<String>,
    hosts: Vec<String>,
    json: Option<PathBuf>,
    reproducible: Option<PathBuf>,
    timeout: Duration,
    /// Print every block that differs, not only each test's first.
    every_difference: bool,
}

fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("suite: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("suite: {message}");
            ExitCode::FAILURE
        }
    }
}

fn options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut flags = xtask::Flags::parse(args)?;
    let mut take = |name: &str| flags.take(name);
    let tests = take("--tests").ok_or("--tests is required")?;
    let target = match (take("--base"), take("--socket"), take("--got")) {
        (base, None, None) => Target::Mock {
            base: base.map(PathBuf::from),
        },
        (None, Some(socket), None) => Target::Socket(socket.into()),
        (None, None, Some(dir)) => Target::Got(dir.into()),
        _ => return Err("give at most one of --base, --socket and --got".to_owned()),
    };
    let timeout = match take("--timeout") {
        Some(text) => text
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("--timeout {text}: not a number of seconds"))?,
        None => Duration::from_secs(120),
    };
    let every_difference = match take("--differences").as_deref() {
        None | Some("first") => false,
        Some("all") => true,
        Some(other) => return Err(format!("--differences {other}: give `first` or `all`")),
    };
    let hosts = take("--hosts")
        .unwrap_or_else(|| "localhost mm1 mm2 mm3".to_owned())
        .split_whitespace()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    if hosts.is_empty() {
        return Err("--hosts names no host".to_owned());
    }
    let options = Options {
        tests: tests.into(),
        minitest: take("--minitest").map(PathBuf::from),
        target,
        run: take("--run"),
        hosts,
        json: take("--json").map(PathBuf::from),
        reproducible: take("--reproducible").map(PathBuf::from),
        timeout,
        every_difference,
    };
    flags.finish()?;
    Ok(options)
}

/// One test's figures.
struct TestResult {
    name: String,
    comparison: Comparison,
    unsimulated: Vec<String>,
}

fn run(options: &Options) -> Result<(), String> {
    let filter = match &options.run {
        Some(text) => Some(Regex::new(text)?),
        None => None,
    };
    let reproducible = match &options.reproducible {
        Some(path) => Some(load_equal(path)?),
        None => None,
    };
    let groups = [
        Group::single(&options.tests)?,
        Group::distributed(&options.tests, &options.hosts)?,
    ];
    let mut saved: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    let mut all_unsimulated: Vec<String> = Vec::new();
    for group in groups.iter().flatten() {
        println!(
            "== {} ({} tests, hosts {})",
            group.label,
            group.tests.len(),
            group.hosts.join(" ")
        );
        let mut runner = Runner::new(options, group)?;
        let mut results = Vec::new();
        for test in &group.tests {
            if filter.as_ref().is_some_and(|re| !re.is_match(test)) {
                continue;
            }
            let outcome = match runner.run_test(test) {
                Ok(outcome) => outcome,
                // A run of minitest that stopped part-way wrote no more.
                Err(error) if runner.reads_got() => {
                    println!("{test:<24} skipped: {error}");
                    continue;
                }
                Err(error) => return Err(error),
            };
            let want = match std::fs::read_to_string(group.dir.join(format!("{test}.want"))) {
                Ok(want) => want,
                Err(_) => {
                    println!("{test:<24} no .want file: run as minitest runs it, not counted");
                    continue;
                }
            };
            let got = outcome.got.replace(&runner.base_prefix(), WANT_BASE);
            let comparison = compare(&got, &want);
            results.push(TestResult {
                name: test.clone(),
                comparison,
                unsimulated: outcome.unsimulated,
            });
        }
        drop(runner);
        let key = group.label.to_owned();
        let repro = reproducible.as_ref().and_then(|r| r.get(&key));
        print_group(&results, repro, options.every_difference);
        saved.insert(
            key,
            results
                .iter()
                .map(|r| (r.name.clone(), r.comparison.equal.clone()))
                .collect(),
        );
        all_unsimulated.extend(results.iter().flat_map(|r| r.unsimulated.iter().cloned()));
    }
    print_unsimulated(&all_unsimulated);
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&saved).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn print_group(
    results: &[TestResult],
    repro: Option<&BTreeMap<String, Vec<usize>>>,
    every_difference: bool,
) {
    let (mut blocks, mut equal, mut unsim, mut r_blocks, mut r_equal) = (0, 0, 0, 0, 0);
    for r in results {
        let c = &r.comparison;
        blocks += c.blocks;
        equal += c.equal.len();
        unsim += r.unsimulated.len();
        let mut line = format!(
            "{:<24} blocks {:>4}  equal {:>4}  not simulated {:>4}",
            r.name,
            c.blocks,
            c.equal.len(),
            r.unsimulated.len()
        );
        if let Some(real) = repro.and_then(|m| m.get(&r.name)) {
            let both = c.equal.iter().filter(|i| real.contains(i)).count();
            r_blocks += real.len();
            r_equal += both;
            line.push_str(&format!("  reproducible {both:>4} of {:>4}", real.len()));
        }
        println!("{line}");
        let shown = if every_difference {
            c.differences.len()
        } else {
            1
        };
        for difference in c.differences.iter().take(shown) {
            println!("{}", indent(difference));
        }
    }
    println!(
        "TOTAL {} tests: blocks {blocks}, equal {equal}, not simulated {unsim}",
        results.len()
    );
    if repro.is_some() {
        println!("TOTAL of the blocks the reference reproduces: {r_equal} of {r_blocks}");
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The unsimulated requests, counted by their first two words.
fn print_unsimulated(lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for line in lines {
        let key: Vec<&str> = line.split_whitespace().take(2).collect();
        *by.entry(key.join(" ")).or_default() += 1;
    }
    let mut by: Vec<(String, usize)> = by.into_iter().collect();
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!("not simulated, by first words ({} requests):", lines.len());
    for (key, count) in by {
        println!("  {count:>5}  {key}");
    }
}

/// The equal blocks a `--json` file saved: group → test → block indices.
fn load_equal(path: &Path) -> Result<BTreeMap<String, BTreeMap<String, Vec<usize>>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A `--run` pattern: minitest takes a Go regular expression; the suite
/// takes the forms used in practice, `^name$`, a prefix `^name`, or a
/// substring, with `|` between alternatives.
struct Regex {
    alternatives: Vec<(bool, String, bool)>,
}

impl Regex {
    fn new(text: &str) -> Result<Regex, String> {
        let alternatives = text
            .split('|')
            .map(|alt| {
                let start = alt.starts_with('^');
                let end = alt.ends_with('$') && alt.len() > usize::from(start);
                let body = alt.trim_start_matches('^').trim_end_matches('$');
                if body.chars().any(|c| "[](){}*+?.\\".contains(c)) {
                    Err(format!(
                        "--run {text}: only names, ^, $ and | are supported"
                    ))
                } else {
                    Ok((start, body.to_owned(), end))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Regex { alternatives })
    }

    fn is_match(&self, name: &str) -> bool {
        self.alternatives
            .iter()
            .any(|(start, body, end)| match (start, end) {
                (true, true) => name == body,
                (true, false) => name.starts_with(body.as_str()),
                (false, true) => name.ends_with(body.as_str()),
                (false, false) => name.contains(body.as_str()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_run_patterns() {
        let parse = |line: &str| options(line.split_whitespace().map(str::to_owned));
        let o = parse("--tests t --socket /s --run ^vm").unwrap();
        assert!(matches!(o.target, Target::Socket(_)));
        assert_eq!(o.hosts, ["localhost", "mm1", "mm2", "mm3"]);
        assert!(parse("--tests t --socket a --got b").is_err());
        assert!(parse("--base b").is_err());
        let re = Regex::new("^vm_config$|cc").unwrap();
        assert!(re.is_match("vm_config") && re.is_match("cc_io"));
        assert!(!re.is_match("vm_config_net"));
        assert!(Regex::new("a.*").is_err());
    }
}
