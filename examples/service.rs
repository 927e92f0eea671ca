//! A small service on the async client: it launches a lab on a schedule,
//! gates the web VMs' start on the database being up, and meanwhile reports
//! progress and runs health checks, all at once over a pool of
//! connections.
//!
//! ```sh
//! cargo run --example service
//! sudo -E cargo run --example service -- --socket /tmp/minimega/minimega --gate cc
//! ```
//!
//! `--gate cc` waits for the database's cc agent to check in (a real
//! minimega whose VM image runs `miniccc`); the default waits for it to be
//! RUNNING, which the embedded mock simulates.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::tables::{VmInfo, VmState};
use minimega::runtime::{Error, Pool};
use tokio::sync::Notify;

/// The lab's namespace: every command of the service runs in it.
const LAB: &str = "service";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (builder, _mock) = common::builder(MockMinimega::builder().hosts(["head"]))?;
    // Four connections: the launcher, the reporter and two health checks
    // run commands at the same time; a fifth task would wait its turn.
    let pool = builder
        .namespace(LAB)
        .timeout(Duration::from_secs(30))
        .pool(4)?;
    let args: Vec<String> = std::env::args().collect();
    let gate_on_cc = args
        .windows(2)
        .any(|pair| pair[0] == "--gate" && pair[1] == "cc");

    let done = Arc::new(Notify::new());
    let reporter = tokio::spawn(report(pool.clone(), Arc::clone(&done)));
    let checks = tokio::spawn(health_checks(pool.clone(), Arc::clone(&done)));
    let launched = launch(&pool, gate_on_cc).await;
    done.notify_waiters();
    let (reports, checked) = (reporter.await?, checks.await??);
    println!("{reports} progress reports, {checked} health checks while launching");

    // Clean up, come what may, then say how the launch went.
    let mut mm = pool.get().await?;
    mm.unscoped().clear().namespace(LAB).run().await?;
    let vms = launched?;
    for vm in &vms {
        println!("{:<5} {:<8} on {}", vm.name, vm.state, vm.host);
    }
    Ok(())
}

/// Launches the database, then the web VMs a moment apart; starts the
/// database, waits for it (state or cc agent), then starts the web VMs.
async fn launch(pool: &Pool, gate_on_cc: bool) -> Result<Vec<VmInfo>, Error> {
    let mut mm = pool.get().await?;
    mm.vm().config().memory(512).run().await?;
    mm.vm().launch().kvm("db1").run().await?;
    for web in 1..=3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        mm.vm().launch().kvm(format!("web{web}")).run().await?;
    }
    mm.vm().start("db1").run().await?;
    if gate_on_cc {
        mm.wait_for_cc("db1", Duration::from_secs(120)).await?;
    } else {
        mm.wait_for_state("db1", VmState::Running, Duration::from_secs(60))
            .await?;
    }
    println!("db1 is up: starting the web VMs");
    mm.vm().start("web[1-3]").run().await?;
    mm.wait_for_state("db1,web[1-3]", VmState::Running, Duration::from_secs(60))
        .await
}

/// Prints how many VMs are in each state every 100 ms, until `done`.
async fn report(pool: Pool, done: Arc<Notify>) -> usize {
    let mut reports = 0;
    let finished = done.notified();
    tokio::pin!(finished);
    loop {
        tokio::select! {
            _ = &mut finished => return reports,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        let Ok(mut mm) = pool.get().await else {
            continue;
        };
        let Ok(vms) = mm
            .vm()
            .info()
            .run()
            .await
            .and_then(|a| a.rows_as::<VmInfo>())
        else {
            continue;
        };
        let count = |state| vms.iter().filter(|vm| vm.state == state).count();
        println!(
            "progress: {} VMs, {} building, {} running",
            vms.len(),
            count(VmState::Building),
            count(VmState::Running)
        );
        reports += 1;
    }
}

/// Two health checks at once every 50 ms (a round trip each), until
/// `done`; a slow one is cut short by its own timeout, which costs its
/// connection only the rest of that answer.
async fn health_checks(pool: Pool, done: Arc<Notify>) -> Result<usize, Error> {
    let mut checked = 0;
    let finished = done.notified();
    tokio::pin!(finished);
    loop {
        tokio::select! {
            _ = &mut finished => return Ok(checked),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        let started = Instant::now();
        let (a, b) = tokio::join!(check(&pool), check(&pool));
        a?;
        b?;
        checked += 2;
        if checked % 20 == 0 {
            println!("health: 2 checks in {:?}", started.elapsed());
        }
    }
}

async fn check(pool: &Pool) -> Result<(), Error> {
    let mut mm = pool.get().await?;
    let cut = tokio::time::timeout(Duration::from_secs(1), mm.host().run()).await;
    match cut {
        Ok(answer) => answer.map(drop),
        // Dropped part-way: the pool closes that connection.
        Err(_) => Ok(()),
    }
}
