//! The runtime benchmark: the typed API against a minimal hand-written
//! client, on the same server in the same run.
//!
//! `cargo bench --bench runtime` runs against the embedded mock;
//! `cargo bench --bench runtime -- --socket PATH` against a real minimega.
//! Options: `--rounds R` (runs of each figure, default 7), `--commands N`
//! (commands per round-trip run, default 2000), `--vms V` (VMs in the large
//! `vm info`, default 10000 on the mock, 20 on a real minimega, which
//! starts a process per VM), `--stream S` (responses in the `read` stream,
//! default 1000), `--only round-trip|large|async` (one part), `--no-pin` (leave
//! the threads where the scheduler puts them: by default the clients run
//! on CPU 0 and the mock on CPU 1, since where the scheduler puts them
//! moves a round trip by more than the clients differ).
//!
//! Every figure is printed as its median with the lowest and highest run,
//! beside its baseline from the same run and the ratio of the medians. The
//! runs of the two sides alternate, so that drift on a noisy machine falls
//! on both.

mod alloc;
mod asynchronous;
mod counts;
mod cpu;
mod raw;
mod report;
mod server;
#[path = "../common/stats.rs"]
mod stats;

use std::error::Error;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use minimega::prelude::*;
use minimega::runtime::protocol::Message;
use minimega::runtime::tables::VmInfo;
use minimega::runtime::{Client, Namespace, Response};
use serde_json::Value;

use cpu::{summary, time, Runs, Took};
use raw::RawClient;
use report::{bytes, Comparison, Goal};
use server::Server;
use stats::Summary;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// Commands each side runs before the other takes its turn.
const BATCH: usize = 50;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The command line.
struct Options {
    socket: Option<PathBuf>,
    rounds: usize,
    commands: usize,
    vms: Option<usize>,
    stream: usize,
    pin: bool,
    only: Option<String>,
    /// `SIDE,KIND,N`: run as a child that [`counts`] counts.
    count: Option<String>,
}

impl Options {
    fn parse() -> Result<Options> {
        let mut options = Options {
            socket: None,
            rounds: 7,
            commands: 2000,
            vms: None,
            stream: 1000,
            pin: true,
            only: None,
            count: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} wants a value"));
            match arg.as_str() {
                "--socket" => options.socket = Some(PathBuf::from(value()?)),
                "--rounds" => options.rounds = value()?.parse()?,
                "--commands" => options.commands = value()?.parse()?,
                "--vms" => options.vms = Some(value()?.parse()?),
                "--stream" => options.stream = value()?.parse()?,
                "--no-pin" => options.pin = false,
                "--only" => options.only = Some(value()?),
                "--count" => options.count = Some(value()?),
                // `cargo bench` passes `--bench`; a filter means nothing here.
                _ => {}
            }
        }
        if options.rounds == 0 || options.commands == 0 {
            return Err("--rounds and --commands must be at least 1".into());
        }
        Ok(options)
    }
}

fn main() -> Result<()> {
    let options = Options::parse()?;
    let pinned = options.pin && std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    let server = match &options.socket {
        Some(path) => Server::Real(path.clone()),
        None => {
            // The mock's threads inherit the affinity of the thread that
            // starts them: the server gets CPU 1, the clients CPU 0.
            if pinned {
                cpu::pin_to(1);
            }
            Server::mock()?
        }
    };
    let pinned = pinned && cpu::pin_to(0);
    if let Some(spec) = &options.count {
        return counts::child(&server, spec);
    }
    println!("runtime benchmark against {}", server.describe());
    if pinned {
        println!(
            "the clients run on CPU 0{}",
            if server.is_real() {
                ""
            } else {
                ", the mock on CPU 1"
            }
        );
    }
    println!(
        "each figure: median (lowest–highest) of {} runs; baseline measured in the same run\n",
        options.rounds
    );
    let wanted = |part: &str| options.only.as_deref().map_or(true, |only| only == part);
    if wanted("round-trip") {
        round_trips(&server, &options)?;
    }
    if wanted("large") {
        large_answers(&server, &options)?;
    }
    if wanted("async") {
        asynchronous::compare(&server, &options)?;
    }
    Ok(())
}

fn print(what: &str, baseline: Summary, measured: Summary, goal: Goal, decimals: usize) {
    let comparison = Comparison {
        what: what.to_owned(),
        baseline,
        measured,
        goal,
    };
    println!("{}", comparison.line(decimals));
}

/// Round trips of small commands, and the client's CPU for each.
fn round_trips(server: &Server, options: &Options) -> Result<()> {
    let mut mm = Client::connect_to(server.socket())?;
    let mut raw = RawClient::connect(server.socket())?;
    let n = options.commands;
    let kinds: [(&str, &str); 2] = [
        ("echo", "echo hello"),
        ("vm config memory", "vm config memory 2048"),
    ];
    let mut results = Vec::new();
    for (name, line) in kinds {
        let typed_one = |mm: &mut Client| -> Result<()> {
            match name {
                "echo" => black_box(mm.echo_args("hello").run()?),
                _ => black_box(mm.vm().config().memory(2048).run()?),
            };
            Ok(())
        };
        // Warm both paths (and the server) before measuring.
        for _ in 0..n / 10 + 1 {
            typed_one(&mut mm)?;
            black_box(raw.command(line)?);
        }
        let (mut typed, mut baseline) = (Runs::default(), Runs::default());
        for _ in 0..options.rounds {
            // Within a run the two sides take turns in short batches, so
            // that both meet the same scheduling: which cores the client
            // and the server land on moves a round trip more than the
            // clients differ.
            let (mut raw_took, mut typed_took) = (Took::default(), Took::default());
            for batch in 0..n.div_ceil(BATCH) {
                let count = BATCH.min(n - batch * BATCH);
                let mut run_raw = || -> Result<()> {
                    let (result, took) =
                        time(|| (0..count).try_for_each(|_| raw.command(line).map(drop)));
                    result?;
                    raw_took += took;
                    Ok(())
                };
                let mut run_typed = |mm: &mut Client| -> Result<()> {
                    let (result, took) = time(|| (0..count).try_for_each(|_| typed_one(mm)));
                    result?;
                    typed_took += took;
                    Ok(())
                };
                if batch % 2 == 0 {
                    run_raw()?;
                    run_typed(&mut mm)?;
                } else {
                    run_typed(&mut mm)?;
                    run_raw()?;
                }
            }
            baseline.record(raw_took, n);
            typed.record(typed_took, n);
        }
        results.push((name, typed, baseline));
    }
    println!("== Round trip: {n} commands a run, typed API vs the raw client ==");
    for (name, typed, baseline) in &results {
        let what = format!("round trip `{name}`, µs/command");
        print(&what, baseline.wall(), typed.wall(), Goal::AtMost(1.03), 1);
    }
    println!("\n== Client CPU (user+sys of the client thread, server excluded) ==");
    for (name, typed, baseline) in &results {
        let what = format!("client CPU `{name}`, µs/command");
        print(&what, baseline.cpu(), typed.cpu(), Goal::AtMost(1.1), 2);
    }
    println!();
    Ok(())
}

/// The namespace the large answers live in, so that a real minimega's
/// other VMs are neither counted nor touched.
fn bench_namespace() -> String {
    format!("bench-{}", std::process::id())
}

/// Large answers: a big `vm info` and a long `read` stream.
fn large_answers(server: &Server, options: &Options) -> Result<()> {
    let namespace = bench_namespace();
    let vms = options
        .vms
        .unwrap_or(if server.is_real() { 20 } else { 10_000 });
    let mut mm = Client::connect_to(server.socket())?;
    let script = std::env::temp_dir().join(format!("{namespace}.mm"));
    let outcome = (|| -> Result<()> {
        let mut ns = mm.in_namespace(&namespace)?;
        if server.is_real() && !Path::new("/dev/kvm").exists() {
            // Without KVM, qemu needs a CPU model it can emulate.
            ns.vm().config().cpu("qemu64").run()?;
        }
        ns.vm().launch().kvm(vms).run()?;
        vm_info(&mut ns, server, &namespace, vms, options)?;
        write_script(&script, options.stream)?;
        read_stream(&mut ns, server, &namespace, &script, options)
    })();
    let _ = std::fs::remove_file(&script);
    // Leave a real minimega as it was, whatever happened above.
    if server.is_real() {
        let mut ns = mm.in_namespace(&namespace)?;
        ns.vm().kill("all").run()?;
        ns.vm().flush().run()?;
        drop(ns);
        mm.clear().namespace(&namespace).run()?;
    }
    outcome
}

/// `vm info` of many VMs: decoding its one line, and the whole command.
fn vm_info(
    ns: &mut Namespace<'_>,
    server: &Server,
    namespace: &str,
    vms: usize,
    options: &Options,
) -> Result<()> {
    let line = format!("namespace {namespace} vm info");
    let mut raw = RawClient::connect(server.socket())?;
    let mut captured = Vec::new();
    raw.answer(&line, |bytes, _| captured.push(bytes.to_vec()))?;
    let [answer] = captured.as_slice() else {
        return Err(format!("`vm info` came in {} messages, not one", captured.len()).into());
    };
    println!(
        "== Large answer: `vm info` of {vms} VMs, one line of {} ==",
        bytes(answer.len() as f64)
    );

    // Decoding the same bytes in memory: nothing else in the figure.
    let (mut value, mut rows, mut typed) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        let (n, took) = time(|| value_rows(answer));
        assert_eq!(n?, vms, "the baseline saw every VM");
        value.push(took.wall * 1e3);
        let (n, took) = time(|| typed_rows(answer));
        assert_eq!(n?, vms, "the typed decode saw every VM");
        rows.push(took.wall * 1e3);
        let (n, took) = time(|| vm_info_rows(answer));
        assert_eq!(n?, vms, "every VM read into VmInfo");
        typed.push(took.wall * 1e3);
    }
    let baseline = summary(&value);
    print(
        "decode + deliver rows (Row), ms",
        baseline,
        summary(&rows),
        Goal::AtMost(1.0),
        2,
    );
    print(
        "decode + typed rows (Vec<VmInfo>), ms",
        baseline,
        summary(&typed),
        Goal::AtMost(1.5),
        2,
    );

    // The whole command through each client: the client's CPU, and the
    // wall clock, which also holds the server's time to build the answer.
    let (mut raw_runs, mut row_runs, mut typed_runs) =
        (Runs::default(), Runs::default(), Runs::default());
    for _ in 0..options.rounds {
        let (n, took) = time(|| -> Result<usize> {
            let mut n = 0;
            raw.answer(&line, |_, message| n += walk_value(&message))?;
            Ok(n)
        });
        assert_eq!(n?, vms);
        raw_runs.record_ms(took);
        let (n, took) = time(|| -> Result<usize> {
            let answer = ns.vm().info().run()?;
            Ok(answer
                .rows()
                .map(|row| black_box(row.get("name")).map_or(0, |_| 1))
                .sum())
        });
        assert_eq!(n?, vms);
        row_runs.record_ms(took);
        let (n, took) = time(|| -> Result<usize> {
            let all: Vec<VmInfo> = ns.vm().info().run()?.rows_as()?;
            Ok(black_box(all).len())
        });
        assert_eq!(n?, vms);
        typed_runs.record_ms(took);
    }
    print(
        "whole `vm info`, rows: client CPU ms",
        raw_runs.cpu(),
        row_runs.cpu(),
        Goal::AtMost(1.0),
        2,
    );
    print(
        "whole `vm info`, VmInfo: client CPU ms",
        raw_runs.cpu(),
        typed_runs.cpu(),
        Goal::AtMost(1.5),
        2,
    );
    print(
        "whole `vm info`, rows: wall ms (with server)",
        raw_runs.wall(),
        row_runs.wall(),
        Goal::None,
        2,
    );

    // Memory: the most the client thread held at once.
    let (_, raw_peak) = alloc::peak_during(|| {
        raw.answer(&line, |_, message| {
            black_box(walk_value(&message));
        })
    });
    let (_, typed_peak) = alloc::peak_during(|| -> Result<()> {
        let answer = ns.vm().info().run()?;
        black_box(answer.rows().count());
        Ok(())
    });
    println!(
        "{:<46} {:>26}  baseline {:>26}  ratio {:.3}  (the line: {})",
        "peak client heap during `vm info`",
        bytes(typed_peak as f64),
        bytes(raw_peak as f64),
        typed_peak as f64 / raw_peak as f64,
        bytes(answer.len() as f64),
    );
    // What the client reckons, before decoding, that the line may cost: the
    // figure its `max_decoded_bytes` cap is held against.
    let bound = minimega::runtime::protocol::decoded_bound(answer);
    println!(
        "{:<46} {:>26}  the peak above {:.3}× it  (cap {})",
        "decoded bound of that line",
        bytes(bound as f64),
        typed_peak as f64 / bound as f64,
        bytes(minimega::runtime::DEFAULT_MAX_DECODED_BYTES as f64),
    );
    println!();
    Ok(())
}

/// The baseline: the line into a `Value`, then every row of every host.
fn value_rows(line: &[u8]) -> Result<usize> {
    let message: Value = serde_json::from_slice(line)?;
    Ok(walk_value(&message))
}

/// Delivers every row of a parsed message, reading its `name` cell as the
/// typed side does; the number of rows.
fn walk_value(message: &Value) -> usize {
    let mut n = 0;
    for resp in message["Resp"].as_array().into_iter().flatten() {
        let header = resp["Header"].as_array();
        let name = header
            .and_then(|h| h.iter().position(|c| c == "name"))
            .unwrap_or(0);
        for row in resp["Tabular"].as_array().into_iter().flatten() {
            black_box(row.get(name).and_then(Value::as_str));
            n += 1;
        }
    }
    n
}

/// The typed side's decode, as the client does it: the line into a
/// `Message`, each host's part into a `Response`, then every row.
fn typed_rows(line: &[u8]) -> Result<usize> {
    let responses = decode(line)?;
    Ok(responses
        .iter()
        .flat_map(Response::rows)
        .map(|row| black_box(row.get("name")).map_or(0, |_| 1))
        .sum())
}

/// As [`typed_rows`], reading every row into the ready `VmInfo`.
fn vm_info_rows(line: &[u8]) -> Result<usize> {
    let mut n = 0;
    for response in decode(line)? {
        let rows: Vec<VmInfo> = response.rows_as()?;
        n += black_box(rows).len();
    }
    Ok(n)
}

fn decode(line: &[u8]) -> Result<Vec<Response>> {
    let message = Message::parse(line)?;
    Ok(message
        .resp
        .unwrap_or_default()
        .into_iter()
        .map(Response::from)
        .collect())
}

/// A script of `count` `echo` commands, each answered with a kilobyte of
/// text, so that the whole answer is far larger than one message.
fn write_script(path: &Path, count: usize) -> Result<()> {
    let payload = "x".repeat(1000);
    let script: String = (0..count)
        .map(|i| format!("echo {i} {payload}\n"))
        .collect();
    std::fs::write(path, script)?;
    Ok(())
}

/// A `read` of many commands, one message each, as a stream.
fn read_stream(
    ns: &mut Namespace<'_>,
    server: &Server,
    namespace: &str,
    script: &Path,
    options: &Options,
) -> Result<()> {
    let line = format!("namespace {namespace} read {}", script.display());
    let mut raw = RawClient::connect(server.socket())?;
    let mut captured = Vec::new();
    raw.answer(&line, |bytes, _| captured.push(bytes.to_vec()))?;
    let total: usize = captured.iter().map(Vec::len).sum();
    let largest = captured.iter().map(Vec::len).max().unwrap_or(0);
    println!(
        "== Large answer: `read` of {} commands, {} messages, {} in all ==",
        options.stream,
        captured.len(),
        bytes(total as f64)
    );

    let (mut value, mut typed) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        let (n, took) =
            time(|| -> Result<usize> { captured.iter().map(|line| value_messages(line)).sum() });
        black_box(n?);
        value.push(took.wall * 1e3);
        let (n, took) =
            time(|| -> Result<usize> { captured.iter().map(|line| Ok(decode(line)?.len())).sum() });
        black_box(n?);
        typed.push(took.wall * 1e3);
    }
    print(
        "decode + deliver responses, ms",
        summary(&value),
        summary(&typed),
        Goal::AtMost(1.0),
        2,
    );

    let (mut raw_runs, mut typed_runs) = (Runs::default(), Runs::default());
    for _ in 0..options.rounds {
        let (n, took) = time(|| -> Result<usize> {
            let mut n = 0;
            raw.answer(&line, |_, message| n += value_messages_of(&message))?;
            Ok(n)
        });
        black_box(n?);
        raw_runs.record_ms(took);
        let (n, took) = time(|| stream_all(ns, script));
        black_box(n?);
        typed_runs.record_ms(took);
    }
    print(
        "whole `read` stream: client CPU ms",
        raw_runs.cpu(),
        typed_runs.cpu(),
        Goal::AtMost(1.0),
        2,
    );
    print(
        "whole `read` stream: wall ms (with server)",
        raw_runs.wall(),
        typed_runs.wall(),
        Goal::None,
        2,
    );

    let (n, peak) = alloc::peak_during(|| stream_all(ns, script));
    let n = n?;
    println!(
        "{:<46} {:>26}  for {n} responses: {:.1}× the largest message ({}), {:.3}× the whole answer ({})",
        "peak client heap while streaming `read`",
        bytes(peak as f64),
        peak as f64 / largest as f64,
        bytes(largest as f64),
        peak as f64 / total as f64,
        bytes(total as f64),
    );
    println!();
    Ok(())
}

/// Streams the script's answer, taking each response as it comes.
fn stream_all(ns: &mut Namespace<'_>, script: &Path) -> Result<usize> {
    let mut n = 0;
    for response in ns.read(script.display().to_string()).stream()? {
        black_box(response?.text().len());
        n += 1;
    }
    Ok(n)
}

/// The baseline for a stream: each line into a `Value`, then its responses.
fn value_messages(line: &[u8]) -> Result<usize> {
    let message: Value = serde_json::from_slice(line)?;
    Ok(value_messages_of(&message))
}

fn value_messages_of(message: &Value) -> usize {
    let mut n = 0;
    for resp in message["Resp"].as_array().into_iter().flatten() {
        black_box(resp["Response"].as_str().map(str::len));
        n += 1;
    }
    n
}
