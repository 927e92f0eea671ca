//! A typed nested command: `mesh send all (vm config memory)` is
//! `mm.mesh().send("all", Cmd.vm().config().memory_bare())`, checked end to end
//! at compile time, and its answer keeps one response per host.
//!
//! ```sh
//! cargo run --example mesh
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;

fn main() -> std::process::ExitCode {
    common::report(script)
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega =
        common::connect(MockMinimega::builder().hosts(["head", "node1", "node2", "node3"]))?;
    let mm = &mut minimega.client;

    let bigger = Cmd.vm().config().memory(4096);
    println!("sending `{}` to node1 and node2", bigger.clone().render()?);
    mm.mesh().send("node[1-2]", bigger).run()?;

    let answer = mm
        .mesh()
        .send("all", Cmd.vm().config().memory_bare())
        .run()?;
    for response in answer.iter() {
        println!("{}: memory {} MiB", response.host(), response.text());
    }
    Ok(())
}
