//! The async client beside the blocking one, in the same run: round trips
//! and the client's CPU per command, and the throughput of many `vm info`s
//! across 16 connections (an async pool of 16 against 16 blocking clients
//! on threads).
//!
//! The async side runs on a current-thread runtime, whose reactor, timers
//! and tasks all run on the client thread, so the client's CPU is that
//! thread's CPU, as it is for the blocking client (`cpu::thread_cpu`); the
//! mock serves on threads of its own, which are not counted on either side.
//! Each command is awaited two ways: in a task spawned on the runtime, as
//! a service's code runs, and directly in `block_on`. tokio wakes
//! `block_on`'s own future through the reactor's eventfd (a `write` a
//! command) where it wakes a task through its run queue, so the second
//! costs that much more whatever the client does; both are printed. Beside
//! them run the raw clients of the floor (see [`SIDES`]), and the counts of
//! [`counts`].

use std::hint::black_box;
use std::time::{Duration, Instant};

use minimega::prelude::*;
use minimega::runtime::{AsyncClient, Client, Error};
use tokio::runtime::Runtime;

use crate::counts;
use crate::cpu::{thread_cpu, time, Took};
use crate::raw::RawClient;
use crate::server::Server;
use crate::{bench_namespace, print, Goal, Options, Result, Runs, BATCH};

/// Connections in the throughput figure.
const CONNECTIONS: usize = 16;

/// The timeout of the round trips that have one: long enough never to
/// pass, so that only what keeping a deadline costs is measured.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn compare(server: &Server, options: &Options) -> Result<()> {
    let mut sides = Sides::connect(server)?;
    round_trips(&mut sides, options)?;
    counts::compare(server)?;
    throughput(&sides.runtime, server, options)
}

/// One kind of round trip: a command, with or without a timeout.
#[derive(Clone, Copy)]
pub struct Kind {
    name: &'static str,
    /// The line the raw clients send (they keep no timeout).
    line: &'static str,
    timeout: Option<Duration>,
}

/// The round trips measured, in the order they are printed.
pub const KINDS: [Kind; 3] = [
    Kind {
        name: "echo",
        line: "echo hello",
        timeout: None,
    },
    Kind {
        name: "vm config memory",
        line: "vm config memory 2048",
        timeout: None,
    },
    Kind {
        name: "echo",
        line: "echo hello",
        timeout: Some(TIMEOUT),
    },
];

impl Kind {
    /// The kind as printed.
    pub fn label(&self) -> String {
        match self.timeout {
            None => format!("`{}`", self.name),
            Some(t) => format!("`{}` ({}s timeout)", self.name, t.as_secs()),
        }
    }

    fn blocking(self, mm: &mut Client, count: usize) -> Result<()> {
        for _ in 0..count {
            match self.name {
                "vm config memory" => black_box(mm.vm().config().memory(2048).run()?),
                _ => black_box(mm.echo_args("hello").run()?),
            };
        }
        Ok(())
    }

    async fn awaited(self, mm: &mut AsyncClient, count: usize) -> std::result::Result<(), Error> {
        for _ in 0..count {
            match self.name {
                "vm config memory" => black_box(mm.vm().config().memory(2048).run().await?),
                _ => black_box(mm.echo_args("hello").run().await?),
            };
        }
        Ok(())
    }
}

/// The sides of a round-trip figure, in the order a batch runs them
/// (rotated from batch to batch, so that drift falls on all alike): the
/// blocking client, the async client awaited two ways, and the floor, a
/// raw client (see `raw`) that waits in a blocking read or in
/// `epoll_wait` as the async client's reactor does: what waiting that way
/// costs on this machine, before any client code.
pub const SIDES: [&str; 5] = [
    "blocking",
    "in a task",
    "in block_on",
    "raw, blocking read",
    "raw, epoll_wait",
];

/// A client for each side, the async ones on one current-thread runtime.
pub struct Sides {
    runtime: Runtime,
    blocking: Client,
    in_block_on: AsyncClient,
    /// Moved into each batch's task and back.
    in_task: Option<AsyncClient>,
    raw_blocking: RawClient,
    raw_epoll: RawClient,
}

impl Sides {
    pub fn connect(server: &Server) -> Result<Sides> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let blocking = Client::connect_to(server.socket())?;
        let in_block_on = runtime.block_on(AsyncClient::connect_to(server.socket()))?;
        let in_task = Some(runtime.block_on(AsyncClient::connect_to(server.socket()))?);
        Ok(Sides {
            runtime,
            blocking,
            in_block_on,
            in_task,
            raw_blocking: RawClient::connect(server.socket())?,
            raw_epoll: RawClient::connect_epoll(server.socket())?,
        })
    }

    /// Sets every side's timeout to `kind`'s.
    pub fn set_kind(&mut self, kind: Kind) {
        self.blocking.set_timeout(kind.timeout);
        self.in_block_on.set_timeout(kind.timeout);
        if let Some(mm) = &mut self.in_task {
            mm.set_timeout(kind.timeout);
        }
    }

    /// Runs `count` round trips of `kind` on `side` (an index of [`SIDES`]).
    pub fn run(&mut self, side: usize, kind: Kind, count: usize) -> Result<()> {
        match side {
            0 => kind.blocking(&mut self.blocking, count),
            1 => {
                let mut mm = self.in_task.take().ok_or("the task's client was lost")?;
                let task = self.runtime.spawn(async move {
                    let done = kind.awaited(&mut mm, count).await;
                    (mm, done)
                });
                let (mm, done) = self.runtime.block_on(task)?;
                self.in_task = Some(mm);
                Ok(done?)
            }
            2 => Ok(self
                .runtime
                .block_on(kind.awaited(&mut self.in_block_on, count))?),
            _ => {
                let raw = match side {
                    3 => &mut self.raw_blocking,
                    _ => &mut self.raw_epoll,
                };
                for _ in 0..count {
                    black_box(raw.command(kind.line)?);
                }
                Ok(())
            }
        }
    }
}

fn round_trips(sides: &mut Sides, options: &Options) -> Result<()> {
    let n = options.commands;
    let mut results = Vec::new();
    for kind in KINDS {
        sides.set_kind(kind);
        let mut run = |side: usize, count: usize| -> Result<Took> {
            let (result, took) = time(|| sides.run(side, kind, count));
            result.map(|()| took)
        };
        // Warm every side (and the server) before measuring.
        for side in 0..SIDES.len() {
            run(side, n / 10 + 1)?;
        }
        let mut runs: [Runs; SIDES.len()] = Default::default();
        for _ in 0..options.rounds {
            let mut took = [Took::default(); SIDES.len()];
            for batch in 0..n.div_ceil(BATCH) {
                let count = BATCH.min(n - batch * BATCH);
                for turn in 0..SIDES.len() {
                    let side = (batch + turn) % SIDES.len();
                    took[side] += run(side, count)?;
                }
            }
            for (runs, took) in runs.iter_mut().zip(took) {
                runs.record(took, n);
            }
        }
        results.push((kind, runs));
    }
    println!("== Async client: {n} commands a run, async vs the blocking client ==");
    for side in 1..=2 {
        for (kind, runs) in &results {
            let what = format!("round trip {}, µs/cmd, {}", kind.label(), SIDES[side]);
            print(
                &what,
                runs[0].wall(),
                runs[side].wall(),
                Goal::AtMost(1.1),
                1,
            );
        }
    }
    for side in 1..=2 {
        for (kind, runs) in &results {
            let what = format!("client CPU {}, µs/cmd, {}", kind.label(), SIDES[side]);
            print(&what, runs[0].cpu(), runs[side].cpu(), Goal::AtMost(1.1), 2);
        }
    }
    // The floor: the same hand-written client waiting in `epoll_wait` as
    // the async client does, against waiting in a blocking read. The
    // async client's ratio cannot be below this, whatever its own code.
    println!(
        "\nthe floor: the raw client waiting in epoll_wait as the async client does, \
         vs in a blocking read (no timeout)"
    );
    for (kind, runs) in results.iter().filter(|(kind, _)| kind.timeout.is_none()) {
        let what = format!("client CPU {}, µs/cmd, raw epoll", kind.label());
        print(&what, runs[3].cpu(), runs[4].cpu(), Goal::None, 2);
    }
    // Where the CPU goes, from the same runs: the kernel's user/system
    // split of the client thread, summed over every run.
    println!(
        "\nclient CPU split, user + system µs/cmd, and context switches/cmd (slept + \
         preempted), over all runs (the kernel samples the split at its tick):"
    );
    for (kind, runs) in &results {
        let split = |side: usize| {
            let usage = runs[side].usage_per_operation();
            format!(
                "{} {:.2} + {:.2}, {:.2} + {:.2} sw",
                SIDES[side], usage.user, usage.system, usage.voluntary, usage.involuntary
            )
        };
        let sides: Vec<String> = (0..SIDES.len()).map(split).collect();
        println!("  {:<28} {}", kind.label(), sides.join(";  "));
    }
    Ok(())
}

/// `commands` `vm info`s of a namespace of 10 VMs across [`CONNECTIONS`]
/// connections: a pool on one thread, against a blocking client per
/// thread.
fn throughput(runtime: &Runtime, server: &Server, options: &Options) -> Result<()> {
    let namespace = bench_namespace();
    let total = options.commands.max(CONNECTIONS);
    let mut setup = Client::connect_to(server.socket())?;
    let mut ns = setup.in_namespace(&namespace)?;
    if server.is_real() && !std::path::Path::new("/dev/kvm").exists() {
        // Without KVM, qemu needs a CPU model it can emulate.
        ns.vm().config().cpu("qemu64").run()?;
    }
    ns.vm().launch().kvm(10).run()?;
    drop(ns);
    let outcome = (|| -> Result<()> {
        let builder = || {
            Client::builder()
                .socket(server.socket())
                .namespace(&namespace)
        };
        let pool = builder().pool(CONNECTIONS)?;
        let mut clients = (0..CONNECTIONS)
            .map(|_| builder().connect())
            .collect::<std::result::Result<Vec<Client>, _>>()?;
        let per = total / CONNECTIONS;
        let (mut sync_runs, mut async_runs) = (Runs::default(), Runs::default());
        for round in 0..=options.rounds {
            let started = Instant::now();
            // Each thread's own CPU, summed: the clients' share, not the
            // mock's.
            let sync_cpu = std::thread::scope(|scope| -> Result<f64> {
                let threads: Vec<_> = clients
                    .iter_mut()
                    .map(|mm| {
                        scope.spawn(
                            move || -> std::result::Result<f64, minimega::runtime::Error> {
                                let cpu = thread_cpu();
                                for _ in 0..per {
                                    black_box(mm.vm().info().run()?);
                                }
                                Ok(thread_cpu() - cpu)
                            },
                        )
                    })
                    .collect();
                let mut cpu = 0.0;
                for thread in threads {
                    cpu += thread.join().map_err(|_| "a client thread panicked")??;
                }
                Ok(cpu)
            })?;
            let sync_took = Took {
                wall: started.elapsed().as_secs_f64(),
                cpu: sync_cpu,
                ..Took::default()
            };
            // A current-thread runtime: its reactor and every task run on
            // this thread, so its CPU is the whole async side's.
            let (result, async_took) = time(|| {
                runtime.block_on(async {
                    let mut tasks = tokio::task::JoinSet::new();
                    for _ in 0..CONNECTIONS {
                        let pool = pool.clone();
                        tasks.spawn(async move {
                            for _ in 0..per {
                                black_box(pool.get().await?.vm().info().run().await?);
                            }
                            Ok::<_, minimega::runtime::Error>(())
                        });
                    }
                    while let Some(done) = tasks.join_next().await {
                        done??;
                    }
                    Ok::<_, Box<dyn std::error::Error>>(())
                })
            });
            result?;
            // The first round warms both sides (and opens the pool's
            // connections); it is not counted.
            if round > 0 {
                sync_runs.record(sync_took, per * CONNECTIONS);
                async_runs.record(async_took, per * CONNECTIONS);
            }
        }
        println!(
            "\n== Throughput: {} `vm info`s of 10 VMs across {CONNECTIONS} connections ==",
            per * CONNECTIONS
        );
        print(
            "async pool on 1 thread vs 16 threads, wall µs/cmd",
            sync_runs.wall(),
            async_runs.wall(),
            Goal::None,
            1,
        );
        print(
            "the same, client CPU µs/command",
            sync_runs.cpu(),
            async_runs.cpu(),
            Goal::AtMost(1.1),
            2,
        );
        println!();
        Ok(())
    })();
    if server.is_real() {
        let mut ns = setup.in_namespace(&namespace)?;
        ns.vm().kill("all").run()?;
        ns.vm().flush().run()?;
        drop(ns);
    }
    setup.clear().namespace(&namespace).run()?;
    outcome
}
