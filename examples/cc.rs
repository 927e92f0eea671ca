//! A small cc experiment: two VMs whose agents check in, a command on one
//! of them through a filter, its answer typed, a file sent there and one
//! received back, then clean-up, come what may.
//!
//! ```sh
//! cargo run --example cc                           # against the embedded mock
//! sudo -E cargo run --example cc -- --socket /tmp/minimega/minimega --cc-image DIR
//! ```
//!
//! Against a real minimega the VMs must run an agent: `--cc-image DIR` (or
//! `MINIMEGA_CC_IMAGE`) names a folder holding `cc.kernel` and `cc.initrd`,
//! a guest kernel and an initramfs whose init runs minimega's agent,
//! `miniccc`, on the `cc` virtio-serial port. From `vm start` on,
//! the experiment is 11 statements (23 lines as rustfmt lays them out).
//! The same steps with minimega's Python bindings take 27 lines, most of
//! them the two hand-written waits and the splitting of `cc responses`, and
//! they still read neither exit codes nor the received file:
//!
//! ```text
//! try:
//!     with mm.namespace("cclab") as lab:
//!         lab.vm_launch_kvm("cc[1-2]")
//!         lab.vm_start("all")
//!         deadline = time.time() + 240
//!         while len(lab.cc_clients()[0]["Tabular"] or []) < 2:
//!             if time.time() > deadline:
//!                 raise Exception("agents did not check in")
//!             time.sleep(0.25)
//!         def run(*command):
//!             cid = lab.cc_exec(" ".join(command))[0]["Data"]
//!             deadline = time.time() + 60
//!             while True:
//!                 rows = lab.cc_commands()[0]
//!                 row = [r for r in rows["Tabular"] if r[0] == str(cid)][0]
//!                 if int(row[rows["Header"].index("responses")]) >= 1:
//!                     break
//!                 if time.time() > deadline:
//!                     raise Exception("no answer")
//!                 time.sleep(0.25)
//!             text = lab.cc_responses(str(cid))[0]["Response"]
//!             return [block.split(":\n", 1) for block in text.split("\n\n") if block]
//!         lab.cc_filter("hostname=cc1")
//!         for name, out in run("uname", "-a"):
//!             print(name, out)
//!         lab.cc_send("greeting.txt")
//!         for name, out in run("cat", "/tmp/miniccc/files/greeting.txt"):
//!             print(name, out)
//!         lab.cc_recv("/etc/hostname")
//!         ...  # a third wait, and the received file's block
//! finally:
//!     mm.clear_namespace("cclab")
//! ```

mod common;

use std::time::Duration;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::cc::{self, CcResponse};
use minimega::runtime::{Error, Namespace, Responses};

/// Waits for every answer to the cc command `queued` made.
fn answers(lab: &mut Namespace<'_>, queued: Responses) -> Result<Vec<CcResponse>, Error> {
    lab.wait_for_cc_responses(cc::command_id(&queued)?, Duration::from_secs(60))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(MockMinimega::builder().hosts(["head"]))?;
    let mm = &mut minimega.client;
    // The folder of the guest's kernel and initrd (the mock needs only
    // their names, and takes a VM that boots something to run an agent).
    let image = std::env::args()
        .skip_while(|arg| arg != "--cc-image")
        .nth(1)
        .or_else(|| std::env::var("MINIMEGA_CC_IMAGE").ok())
        .unwrap_or_else(|| ".".to_owned());

    // The file to send, in minimega's files directory (beside its socket,
    // where minimega runs on this machine).
    if let Some(base) = mm.socket_path().parent() {
        std::fs::create_dir_all(base.join("files"))?;
        std::fs::write(base.join("files/greeting.txt"), "hello from the host\n")?;
    }

    let ran = mm.with_namespace("cclab", |lab| {
        // A guest that boots under software emulation and runs miniccc.
        lab.vm().config().cpu("qemu64").run()?;
        lab.vm().config().qemu_append("-accel tcg").run()?;
        lab.vm().config().memory(128).run()?;
        lab.vm()
            .config()
            .kernel(format!("{image}/cc.kernel"))
            .run()?;
        lab.vm()
            .config()
            .initrd(format!("{image}/cc.initrd"))
            .run()?;
        for name in ["cc1", "cc2"] {
            let append = format!("console=ttyS0 quiet hostname={name}");
            lab.vm().config().append(append.as_str()).run()?;
            lab.vm().launch().kvm(name).run()?;
        }
        lab.vm().start("all").run()?;
        lab.wait_for_cc("all", Duration::from_secs(240))?;

        lab.cc().filter("hostname=cc1").run()?;
        let queued = lab.cc().exec("uname -a").run()?;
        for answer in answers(lab, queued)? {
            println!(
                "{} (exit {:?}): {}",
                answer.uuid,
                answer.exit_code,
                answer.stdout.trim_end()
            );
        }
        let queued = lab.cc().send("greeting.txt").run()?;
        answers(lab, queued)?;
        let queued = lab.cc().exec("cat /tmp/miniccc/files/greeting.txt").run()?;
        for answer in answers(lab, queued)? {
            println!("{} read: {}", answer.uuid, answer.stdout.trim_end());
        }
        let queued = lab.cc().recv("/etc/hostname").run()?;
        for answer in answers(lab, queued)? {
            println!("{} sent back: {:?}", answer.uuid, answer.files);
        }
        Ok(())
    });
    // Clean up whatever happened above.
    let mut lab = mm.in_namespace("cclab")?;
    lab.vm().kill("all").run()?;
    lab.vm().flush().run()?;
    drop(lab);
    mm.clear().namespace("cclab").run()?;
    Ok(ran?)
}
