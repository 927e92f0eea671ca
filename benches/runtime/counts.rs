//! System calls and user-space instructions per command on the client's
//! thread, for each side of the async comparison. Thread CPU on a shared
//! VM moves between runs by more than the clients differ; these counts do
//! not, and they say whether a difference lies in the kernel or in the
//! client's own code.
//!
//! Each is taken by running this benchmark again, one side and one kind of
//! round trip at a time (`--count SIDE,KIND,N`), under `strace -c`, which
//! without `-f` follows the main thread alone (the client's, not the
//! mock's), and under valgrind's callgrind, which writes a file per thread
//! (the main thread's is read). A count per command is the difference
//! between a run of [`LONG`] commands and one of [`SHORT`], divided by the
//! difference, so that starting, connecting and warming cancel out. A tool
//! that is missing or fails skips its figures, and the output says so.
//!
//! A blocking read woken for nothing (when the server reads the request)
//! sleeps again within the same call, so these counts do not show it; the
//! context switches of the timed runs do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::asynchronous::{Sides, KINDS, SIDES};
use crate::server::Server;
use crate::Result;

/// The sides whose instructions are counted: the clients, not the raw
/// floor (whose system calls are what it shows).
const CLIENT_SIDES: usize = 3;

/// Commands in the shorter of the two counted runs.
const SHORT: usize = 100;
/// Commands in the longer one.
const LONG: usize = 300;

/// System calls a command makes, by name (per command).
type Calls = BTreeMap<String, f64>;

/// The child's part: runs `N` round trips of kind `KIND` on side `SIDE`
/// (`spec` is `SIDE,KIND,N`, indexes into [`SIDES`] and [`KINDS`]) and
/// prints nothing, for the parent to count under a tool.
pub fn child(server: &Server, spec: &str) -> Result<()> {
    let fields = spec
        .split(',')
        .map(str::parse)
        .collect::<std::result::Result<Vec<usize>, _>>()?;
    let [side, kind, count] = fields[..] else {
        return Err(format!("--count wants SIDE,KIND,N, not `{spec}`").into());
    };
    if side >= SIDES.len() || kind >= KINDS.len() {
        return Err(format!("--count: no side {side} or kind {kind}").into());
    }
    let mut sides = Sides::connect(server)?;
    sides.set_kind(KINDS[kind]);
    sides.run(side, KINDS[kind], count)
}

/// Prints, for every kind of round trip, the system calls per command of
/// each side and (when valgrind is present) the user-space instructions
/// per command of the clients, the async ones as a ratio of the blocking
/// client's.
pub fn compare(server: &Server) -> Result<()> {
    println!(
        "\nper command on the client thread, counted in runs of their own \
         ({LONG} minus {SHORT} commands):"
    );
    let exe = std::env::current_exe()?;
    let scratch = std::env::temp_dir().join(format!("bench-counts-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let child = Child {
        exe: &exe,
        socket: server.is_real().then(|| server.socket()),
        scratch: &scratch,
    };
    print_counts(&child);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// The lines [`compare`] prints, from runs of `child`.
fn print_counts(child: &Child<'_>) {
    for (kind, what) in KINDS.iter().enumerate() {
        println!("  {}", what.label());
        match (0..SIDES.len())
            .map(|side| child.per_command(side, kind, Child::syscalls))
            .collect::<std::result::Result<Vec<Calls>, String>>()
        {
            Ok(sides) => {
                for (side, calls) in sides.iter().enumerate() {
                    println!("    system calls, {:<18} {}", SIDES[side], show(calls));
                }
            }
            Err(why) => println!("    system calls: skipped ({why})"),
        }
        match (0..CLIENT_SIDES)
            .map(|side| child.per_command(side, kind, Child::instructions))
            .collect::<std::result::Result<Vec<Calls>, String>>()
        {
            Ok(sides) => {
                let count =
                    |side: usize| sides[side].get("instructions").copied().unwrap_or(f64::NAN);
                let shown: Vec<String> = (1..CLIENT_SIDES)
                    .map(|side| {
                        format!(
                            "{} {:.0} (ratio {:.3})",
                            SIDES[side],
                            count(side),
                            count(side) / count(0)
                        )
                    })
                    .collect();
                println!(
                    "    user-space instructions (callgrind): blocking {:.0}; {}",
                    count(0),
                    shown.join("; ")
                );
            }
            Err(why) => println!("    user-space instructions: skipped ({why})"),
        }
    }
}

/// `total` first, then each call made at least once in twenty commands.
fn show(calls: &Calls) -> String {
    let total = calls.get("total").copied().unwrap_or(f64::NAN);
    let each: Vec<String> = calls
        .iter()
        .filter(|(name, n)| *name != "total" && **n >= 0.05)
        .map(|(name, n)| format!("{name} {n:.2}"))
        .collect();
    format!("{total:.2} ({})", each.join(", "))
}

/// How to run this benchmark again as a counted child.
struct Child<'a> {
    exe: &'a Path,
    /// A real minimega's socket; `None` starts a mock in the child.
    socket: Option<&'a Path>,
    scratch: &'a Path,
}

impl Child<'_> {
    /// What `count` counts for one command of `kind` on `side`: its runs
    /// of [`LONG`] and [`SHORT`] commands, differenced.
    fn per_command(
        &self,
        side: usize,
        kind: usize,
        count: fn(&Self, &[String]) -> std::result::Result<Calls, String>,
    ) -> std::result::Result<Calls, String> {
        let args = |n: usize| {
            let mut args = vec!["--count".to_owned(), format!("{side},{kind},{n}")];
            if let Some(socket) = self.socket {
                args.push("--socket".to_owned());
                args.push(socket.display().to_string());
            }
            args
        };
        let long = count(self, &args(LONG))?;
        let short = count(self, &args(SHORT))?;
        let span = (LONG - SHORT) as f64;
        Ok(long
            .iter()
            .map(|(name, n)| {
                let fewer = short.get(name).copied().unwrap_or(0.0);
                (name.clone(), (n - fewer) / span)
            })
            .collect())
    }

    /// The system calls of the child's main thread, by name, with `total`.
    fn syscalls(&self, args: &[String]) -> std::result::Result<Calls, String> {
        let out = self.scratch.join("strace");
        self.run(Command::new("strace").arg("-c").arg("-o").arg(&out), args)?;
        let table = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        // Rows: % time, seconds, usecs/call, calls, [errors,] syscall.
        let calls = table
            .lines()
            .filter_map(|row| {
                let cells: Vec<&str> = row.split_whitespace().collect();
                let calls = cells.get(3)?.parse::<f64>().ok()?;
                Some((cells.last()?.to_string(), calls))
            })
            .collect::<Calls>();
        if calls.contains_key("total") {
            Ok(calls)
        } else {
            Err("strace printed no table".to_owned())
        }
    }

    /// The instructions callgrind counted on the child's main thread, as
    /// `instructions`.
    fn instructions(&self, args: &[String]) -> std::result::Result<Calls, String> {
        let out = self.scratch.join("callgrind");
        self.run(
            Command::new("valgrind")
                .arg("--tool=callgrind")
                .arg("--separate-threads=yes")
                .arg(format!("--callgrind-out-file={}", out.display())),
            args,
        )?;
        // Thread 1, the main thread, is written with the suffix `-01`.
        let main_thread = PathBuf::from(format!("{}-01", out.display()));
        let text = std::fs::read_to_string(&main_thread).map_err(|e| e.to_string())?;
        let total = text
            .lines()
            .find_map(|line| line.strip_prefix("summary:"))
            .and_then(|n| n.trim().parse::<f64>().ok())
            .ok_or("callgrind wrote no summary")?;
        Ok(Calls::from([("instructions".to_owned(), total)]))
    }

    /// Runs the child under `tool`; a tool that is missing or fails is an
    /// `Err` saying so.
    fn run(&self, tool: &mut Command, args: &[String]) -> std::result::Result<(), String> {
        let program = tool.get_program().to_string_lossy().into_owned();
        let output = tool
            .arg(self.exe)
            .args(args)
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        Err(format!("{program} failed ({}): {last}", output.status))
    }
}
