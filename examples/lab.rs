//! A small lab, as a script would build it: a VLAN, three named web VMs on
//! it, tagged; wait until they run (failing at once, with minimega's reason,
//! if one cannot); print them as a typed table; clean up, come what may.
//!
//! ```sh
//! cargo run --example lab
//! sudo -E cargo run --example lab -- --socket /tmp/minimega/minimega
//! ```
//!
//! VMs with a network need Open vSwitch on the host. The same lab with
//! minimega's Python bindings needs a hand-written wait loop: 24 lines
//! against the 14 statements below (the script itself, below the
//! connection):
//!
//! ```text
//! try:
//!     with mm.namespace("lab") as lab:
//!         lab.vlans_add("dmz", 100)
//!         lab.vm_config_cpu("qemu64")
//!         lab.vm_config_memory(512)
//!         lab.vm_config_networks("dmz")
//!         lab.vm_launch_kvm("web[1-3]")
//!         lab.vm_tag("web[1-3]", "role", "web")
//!         lab.vm_start("all")
//!         deadline = time.time() + 60
//!         while True:
//!             rows = [dict(zip(r["Header"], row)) for r in lab.vm_info() for row in r["Tabular"] or []]
//!             failed = [row for row in rows if row["state"] == "ERROR"]
//!             if failed:
//!                 raise Exception("%s failed: %s" % (failed[0]["name"], failed[0]["tags"]))
//!             if len(rows) == 3 and all(row["state"] == "RUNNING" for row in rows):
//!                 break
//!             if time.time() > deadline:
//!                 raise Exception("timed out")
//!             time.sleep(0.25)
//!         for row in rows:
//!             print("%-6s %-8s %-12s %s" % (row["name"], row["state"], row["vlan"], row["tags"]))
//! finally:
//!     mm.clear_namespace("lab")
//! ```

mod common;

use std::time::Duration;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::tables::VmState;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head"]))?;
    let mm = &mut minimega.client;

    let lab_ran = mm.with_namespace("lab", |lab| {
        lab.vlans().add("dmz", 100).run()?;
        lab.vm().config().cpu("qemu64").run()?; // no KVM acceleration needed
        lab.vm().config().memory(512).run()?;
        lab.vm().config().networks("dmz").run()?;
        lab.vm().launch().kvm("web[1-3]").run()?;
        lab.vm().tag("web[1-3]", "role", "web").run()?;
        lab.vm().start("all").run()?;
        let vms = lab.wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(60))?;
        for vm in &vms {
            println!(
                "{:<6} {:<8} {:<12} {:?}",
                vm.name,
                vm.state,
                vm.vlan.join(","),
                vm.tags
            );
        }
        Ok(())
    });
    // Clearing the namespace kills its VMs, whether or not they came up.
    mm.clear().namespace("lab").run()?;
    lab_ran?;
    Ok(())
}
