//! A typed nested command: `mesh send <hosts> (vm config memory 4096)` is
//! `mm.mesh().send(hosts, Cmd.vm().config().memory(4096))`, checked end to
//! end at compile time, and its answer keeps one response per host. A host
//! that does not answer (a name the mesh does not know, or the node the
//! command was sent from) is named, never passed over in silence.
//!
//! ```sh
//! cargo run --example mesh
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::RunOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega =
        common::connect(MockMinimega::builder().hosts(["head", "node1", "node2", "node3"]))?;
    let mm = &mut minimega.client;

    // `all` is every mesh peer of the node the client talks to.
    let names = mm.mesh().send("all", Cmd.host().name()).run()?;
    let peers: Vec<&str> = names.iter().map(|r| r.text()).collect();
    let Some(first) = peers.first().copied() else {
        println!("no mesh peers: start minimega on more hosts to see the rest");
        return Ok(());
    };
    println!("mesh peers: {}", peers.join(", "));

    let bigger = Cmd.vm().config().memory(4096);
    println!("sending `{}` to {first}", bigger.command_line());
    mm.mesh().send(first, bigger).run()?;
    let answer = mm
        .mesh()
        .send("all", Cmd.vm().config().memory_current())
        .run()?;
    for response in answer.iter() {
        println!("{}: memory {} MiB", response.host(), response.text());
    }

    // A host that says nothing is named: here one that does not exist.
    let targets = format!("{first},no-such-host");
    let kept = mm
        .mesh()
        .send(&targets, Cmd.vm().config().memory(2048))
        .run_with(RunOptions::new().keep_failures())?;
    println!(
        "sent to {targets}: answered by {}, silent: {}",
        kept.hosts().collect::<Vec<_>>().join(", "),
        kept.missing_hosts().join(", ")
    );
    Ok(())
}
