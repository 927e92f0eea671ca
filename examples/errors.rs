//! Handling errors: a failing command is an `Err` that names every failing
//! host; scripts that tolerate partial failure keep the failures in the
//! answer instead; bad input is refused before anything is sent.
//!
//! ```sh
//! cargo run --example errors
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::{Error, RunOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head", "node1", "node2"]))?;
    let mm = &mut minimega.client;

    // Three VMs, spread over the namespace's hosts (the head node's peers);
    // only db1 runs. (An emulated CPU model, so no KVM is needed.)
    let mut lab = mm.in_namespace("lab")?;
    lab.vm().config().cpu("qemu64").run()?;
    lab.vm().config().memory(128).run()?;
    lab.vm().launch().kvm("db[1-3]").run()?;
    lab.vm().start("db1").run()?;

    // Scripts that tolerate partial failure keep the failures in the
    // answer: starting all three fails only on the host where db1 already
    // runs.
    let answer = lab
        .vm()
        .start("db[1-3]")
        .run_with(RunOptions::new().keep_failures())?;
    // A host with several failing VMs reports one line for each.
    for response in answer.iter() {
        match response.error() {
            Some(message) => println!("{}: {}", response.host(), message.replace('\n', "; ")),
            None => println!("{}: started", response.host()),
        }
    }

    // By default a failure on any host is an `Err` naming every one: now
    // that all three run, starting them again fails everywhere.
    match lab.vm().start("db[1-3]").run() {
        Err(Error::Command { failures, .. }) => {
            for failure in failures {
                println!(
                    "{} failed: {}",
                    failure.host,
                    failure.message.replace('\n', "; ")
                );
            }
        }
        other => println!("unexpected: {other:?}"),
    }

    lab.vm().kill("all").run()?;
    lab.vm().flush().run()?;
    drop(lab);
    mm.clear().namespace("lab").run()?;

    // A hand-written line is checked against the spec before it is sent.
    if let Err(error) = mm.raw("vm lanch kvm 1") {
        println!("not sent: {error}");
    }
    // A line minimega itself rejects, sent unchecked, comes back as an error.
    if let Err(error) = mm.raw_unchecked("vm launch kvm")?.run() {
        println!("minimega said: {error}");
    }
    // An empty list cannot be put on a command line.
    if let Err(error) = mm.shell(Vec::<String>::new()).run() {
        println!("not sent: {error}");
    }
    Ok(())
}
