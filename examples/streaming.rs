//! Streaming a long answer: a `read` script answers one message per
//! command as each finishes, and the stream hands each over as it comes.
//! Status lines (minimega sends them while it copies files between hosts,
//! such as a disk image a VM on another host needs) arrive as progress,
//! never as part of an answer; the mock sends some around `mesh send` to
//! show them, and a real minimega only during a copy.
//!
//! ```sh
//! cargo run --example streaming
//! ```

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::Event;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    script()
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(
        MockMinimega::builder()
            .hosts(["head", "node1", "node2"])
            .mesh_status(true),
    )?;
    let mm = &mut minimega.client;

    // A script minimega reads from its own file system; with the mock, or a
    // minimega on this machine, that is this machine's.
    let script = std::env::temp_dir().join(format!("minimega-example-{}.mm", std::process::id()));
    let mut file = std::fs::File::create(&script)?;
    for i in 1..=5 {
        writeln!(file, "echo step {i}")?;
        writeln!(file, "shell sleep 0.2")?;
    }
    writeln!(file, "echo script done")?;
    drop(file);

    // Status lines go to this handler wherever they arrive.
    let statuses = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&statuses);
    mm.set_status_handler(move |status| {
        seen.fetch_add(1, Ordering::Relaxed);
        eprintln!("[status] {status}");
    });
    let started = Instant::now();
    let mut stream = mm.read(script.display()).stream()?;
    while let Some(event) = stream.next_event() {
        match event? {
            Event::Status(status) => println!("progress: {status}"),
            Event::Response(response) if !response.text().is_empty() => println!(
                "{:>5} ms  {}: {}",
                started.elapsed().as_millis(),
                response.host(),
                response.text()
            ),
            Event::Response(_) => {}
        }
    }
    drop(stream);
    std::fs::remove_file(script)?;

    let everywhere = mm.mesh().send("all", Cmd.vm().info()).run()?;
    println!(
        "mesh send answered by {} hosts; {} status lines so far",
        everywhere.hosts().count(),
        statuses.load(Ordering::Relaxed)
    );
    Ok(())
}
