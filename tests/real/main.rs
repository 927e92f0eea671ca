//! The real-daemon tier: the client and the typed API against a real
//! minimega, and the spec against minimega's own parser. (The examples take
//! `--socket PATH` to run against one by hand.)
//!
//! It runs when a minimega binary is available: `MINIMEGA_BIN`, else
//! `minimega` on `PATH` (it must run as root, as minimega does). It starts
//! its own daemon (scratch `-base`, its own `-port` and `-context`) and stops
//! it at the end. Without a binary it prints that it skipped and why.
//!
//! - `MINIMEGA_ORACLE`: the `oracle` program that links minimega's own
//!   `minicli` (default: `oracle` beside the minimega binary); every line the
//!   every-pattern test builds is checked by it.
//! - `MINIMEGA_CLUSTER_SOCKET`: the head node's socket of a running cluster
//!   of at least three nodes; the cluster tests run against it.
//!
//! `cargo test --test real -- NAME` runs the tests whose name contains NAME.

mod async_cluster;
mod asynchronous;
mod cc;
mod cluster;
mod daemon;
mod killers;
mod oracle;
#[path = "../it/support/pattern_values.rs"]
mod pattern_values;
mod single;
mod values;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use daemon::Daemon;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// What a test can use.
pub struct Tier {
    pub daemon: Daemon,
    /// The minimega binary, for tests that need a daemon of their own.
    pub bin: PathBuf,
    pub oracle: Option<PathBuf>,
    pub cluster: Option<PathBuf>,
}

/// Totals printed at the end, so a run shows how much it checked.
pub static VALUES_CHECKED: AtomicUsize = AtomicUsize::new(0);
pub static VALUES_REFUSED: AtomicUsize = AtomicUsize::new(0);
static LINES_SENT: AtomicUsize = AtomicUsize::new(0);

pub fn count_values(n: usize) {
    VALUES_CHECKED.fetch_add(n, Ordering::Relaxed);
}

pub fn count_refused(n: usize) {
    VALUES_REFUSED.fetch_add(n, Ordering::Relaxed);
}

/// Counts the command lines the client sent to a real minimega, from its
/// own `sent` events, so that the total is what went over the sockets.
struct SentLines;

/// Whether an event's message is `sent`.
struct IsSent(bool);

impl Visit for IsSent {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0 |= field.name() == "message" && format!("{value:?}") == "sent";
    }
}

impl Subscriber for SentLines {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("minimega")
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut sent = IsSent(false);
        event.record(&mut sent);
        if sent.0 {
            LINES_SENT.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// One test of the tier.
pub struct Case {
    pub name: &'static str,
    pub run: fn(&Tier),
}

fn find_binary() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("MINIMEGA_BIN") {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("MINIMEGA_BIN={} is not a file", bin.display()))
        };
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("minimega"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "no minimega binary: set MINIMEGA_BIN=/path/to/minimega (3.1.0), or put minimega on PATH"
                .to_owned()
        })
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let bin = match find_binary() {
        Ok(bin) => bin,
        Err(why) => {
            println!("real-daemon tier: skipped ({why})");
            return;
        }
    };
    let oracle = std::env::var_os("MINIMEGA_ORACLE")
        .map(PathBuf::from)
        .or_else(|| Some(bin.with_file_name("oracle")))
        .filter(|oracle| oracle.is_file());
    let cluster = std::env::var_os("MINIMEGA_CLUSTER_SOCKET").map(PathBuf::from);
    println!("real-daemon tier: minimega at {}", bin.display());
    tracing::subscriber::set_global_default(SentLines).expect("the tier's only subscriber");
    let daemon = match Daemon::start(&bin) {
        Ok(daemon) => daemon,
        Err(why) => {
            println!("real-daemon tier: the daemon did not start: {why}");
            std::process::exit(1);
        }
    };
    let tier = Tier {
        daemon,
        bin,
        oracle,
        cluster,
    };

    let mut cases: Vec<Case> = single::cases();
    cases.extend(values::cases());
    cases.extend(killers::cases());
    cases.extend(cc::cases());
    cases.extend(oracle::cases());
    cases.extend(asynchronous::cases());
    match &tier.cluster {
        Some(socket) => {
            println!("cluster tests: head socket {}", socket.display());
            cases.extend(cluster::cases());
            cases.extend(async_cluster::cases());
        }
        None => println!(
            "cluster tests: skipped (set MINIMEGA_CLUSTER_SOCKET to the head node's socket of a running cluster of three)"
        ),
    }
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|case| filter.is_empty() || filter.iter().any(|f| case.name.contains(f.as_str())))
        .collect();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in &selected {
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| (case.run)(&tier)));
        let took = started.elapsed();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("test {} ... ok ({took:.1?})", case.name);
            }
            Err(_) => {
                failed.push(case.name);
                println!("test {} ... FAILED ({took:.1?})", case.name);
            }
        }
    }
    println!(
        "sent {} command lines to the real minimega, checking {} values; {} values refused unsent",
        LINES_SENT.load(Ordering::Relaxed),
        VALUES_CHECKED.load(Ordering::Relaxed),
        VALUES_REFUSED.load(Ordering::Relaxed)
    );
    if !failed.is_empty() {
        println!("failed: {}", failed.join(", "));
        println!("daemon log (tail):\n{}", tail(&tier.daemon.log(), 40));
    }
    println!("{passed} passed, {} failed", failed.len());
    drop(tier);
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
