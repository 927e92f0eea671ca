//! Namespaces: a scoped handle runs every command as `namespace NAME …`,
//! handles nest (the innermost wins), and minimega's active namespace is
//! never switched for other clients. The script clears its namespaces when
//! done.
//!
//! ```sh
//! cargo run --example namespaces
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head", "node1", "node2"]))?;
    let mm = &mut minimega.client;

    let mut red = mm.in_namespace("red-team")?;
    red.vm().launch().kvm("attacker[1-2]").run()?;
    {
        // Nested: commands on `blue` run in `blue-team`, not `red-team`.
        let mut blue = red.in_namespace("blue-team")?;
        blue.vm().launch().kvm("defender").run()?;
        println!("blue-team hosts: {}", blue.ns().hosts().run()?.rendered());
    }
    let red_vms = red.vm().info().run()?;
    println!("red-team has {} VMs:", red_vms.rows().count());
    for row in red_vms.rows() {
        println!("  {} on {}", row.get("name").unwrap_or("?"), row.host());
    }

    // Clearing a namespace kills its VMs on every host and forgets it.
    mm.clear().namespace("red-team").run()?;
    mm.clear().namespace("blue-team").run()?;

    // Names are checked before anything is sent.
    match mm.in_namespace("not a name!") {
        Err(error) => println!("refused: {error}"),
        Ok(_) => unreachable!("spaces and `!` are not allowed in namespace names"),
    }
    Ok(())
}
