//! The classic minimega script: launch ten KVM VMs, look at them, start
//! them, look again, kill them and flush them away.
//!
//! ```sh
//! cargo run --example classic                      # against the embedded mock
//! cargo run --example classic -- --socket /tmp/minimega/minimega
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::{Client, Error};

fn show(mm: &mut Client, when: &str) -> Result<(), Error> {
    let info = mm
        .columns("id,name,state,memory,vcpus", Cmd.vm().info())
        .run()?;
    println!("\n== vm info {when} ({} VMs)", info.rows().count());
    println!("{}", info.rendered());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A failure prints as its sentence: the client's errors debug-print so.
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head"]))?;
    let mm = &mut minimega.client;

    let version = mm.check_version()?;
    if let Some(warning) = version.warning() {
        println!("warning: {warning}");
    }

    // An emulated CPU model: no KVM acceleration is needed.
    mm.vm().config().cpu("qemu64").run()?;
    mm.vm().config().memory(512).run()?;
    mm.vm().config().vcpus(1).run()?;
    mm.vm().launch().kvm(10).run()?;
    show(mm, "after launch")?;

    mm.vm().start("all").run()?;
    show(mm, "after start")?;

    mm.vm().kill("all").run()?;
    mm.vm().flush().run()?;
    show(mm, "after kill and flush")?;
    Ok(())
}
