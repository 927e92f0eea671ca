//! The async client beside the blocking one, in the same run: round trips
//! and the client's CPU per command (the async side on a current-thread
//! runtime, whose reactor runs on the client thread, so its CPU is
//! counted), and the throughput of many `vm info`s across 16 connections
//! (an async pool of 16 against 16 blocking clients on threads).

use std::hint::black_box;
use std::time::Instant;

use minimega::prelude::*;
use minimega::runtime::{AsyncClient, Client};
use tokio::runtime::Runtime;

use crate::cpu::{thread_cpu, time, Took};
use crate::server::Server;
use crate::{bench_namespace, print, Goal, Options, Result, Runs, BATCH};

/// Connections in the throughput figure.
const CONNECTIONS: usize = 16;

pub fn compare(server: &Server, options: &Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    round_trips(&runtime, server, options)?;
    throughput(&runtime, server, options)
}

fn round_trips(runtime: &Runtime, server: &Server, options: &Options) -> Result<()> {
    let mut blocking = Client::connect_to(server.socket())?;
    let mut mm = runtime.block_on(AsyncClient::connect_to(server.socket()))?;
    let n = options.commands;
    let mut results = Vec::new();
    for name in ["echo", "vm config memory"] {
        let blocking_batch = |mm: &mut Client, count: usize| -> Result<()> {
            for _ in 0..count {
                match name {
                    "echo" => black_box(mm.echo_args("hello").run()?),
                    _ => black_box(mm.vm().config().memory(2048).run()?),
                };
            }
            Ok(())
        };
        let async_batch = |mm: &mut AsyncClient, count: usize| -> Result<()> {
            runtime.block_on(async {
                for _ in 0..count {
                    match name {
                        "echo" => black_box(mm.echo_args("hello").run().await?),
                        _ => black_box(mm.vm().config().memory(2048).run().await?),
                    };
                }
                Ok(())
            })
        };
        blocking_batch(&mut blocking, n / 10 + 1)?;
        async_batch(&mut mm, n / 10 + 1)?;
        let (mut sync_runs, mut async_runs) = (Runs::default(), Runs::default());
        for _ in 0..options.rounds {
            let (mut sync_took, mut async_took) = (Took::default(), Took::default());
            for batch in 0..n.div_ceil(BATCH) {
                let count = BATCH.min(n - batch * BATCH);
                let mut run_sync = || -> Result<()> {
                    let (result, took) = time(|| blocking_batch(&mut blocking, count));
                    sync_took += took;
                    result
                };
                let mut run_async = || -> Result<()> {
                    let (result, took) = time(|| async_batch(&mut mm, count));
                    async_took += took;
                    result
                };
                if batch % 2 == 0 {
                    run_sync()?;
                    run_async()?;
                } else {
                    run_async()?;
                    run_sync()?;
                }
            }
            sync_runs.record(sync_took, n);
            async_runs.record(async_took, n);
        }
        results.push((name, async_runs, sync_runs));
    }
    println!("== Async client: {n} commands a run, async vs the blocking client ==");
    for (name, async_runs, sync_runs) in &results {
        let what = format!("async round trip `{name}`, µs/command");
        print(
            &what,
            sync_runs.wall(),
            async_runs.wall(),
            Goal::AtMost(1.1),
            1,
        );
    }
    for (name, async_runs, sync_runs) in &results {
        let what = format!("async client CPU `{name}`, µs/command");
        print(
            &what,
            sync_runs.cpu(),
            async_runs.cpu(),
            Goal::AtMost(1.1),
            2,
        );
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
