//! Reading `vm info` into your own struct: rows deserialize by column name,
//! and every row keeps the host that answered it.
//!
//! ```sh
//! cargo run --example typed_rows
//! ```

mod common;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use serde::Deserialize;

/// The columns of `vm info` this script cares about.
#[derive(Debug, Deserialize)]
struct Vm {
    host: String,
    id: u32,
    name: String,
    state: String,
    memory: u64,
    vcpus: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head"]))?;
    let mm = &mut minimega.client;

    // An emulated CPU model: no KVM acceleration is needed.
    mm.vm().config().cpu("qemu64").run()?;
    mm.vm().config().memory(1024).run()?;
    mm.vm().launch().kvm("web[1-3]").run()?;
    mm.vm().start("web2").run()?;

    let vms: Vec<Vm> = mm.vm().info().run()?.rows_as()?;
    for vm in &vms {
        println!(
            "{:>3} {:<6} {:<9} {} MiB, {} vCPU on {}",
            vm.id, vm.name, vm.state, vm.memory, vm.vcpus, vm.host
        );
    }
    let running: Vec<&str> = vms
        .iter()
        .filter(|vm| vm.state == "RUNNING")
        .map(|vm| vm.name.as_str())
        .collect();
    println!("running: {running:?}");

    mm.vm().kill("web[1-3]").run()?;
    mm.vm().flush().run()?;
    Ok(())
}
