//! Streaming a long answer: a `read` script answers one message per command
//! as each finishes, and minimega's status lines arrive as progress, never
//! as part of the answer.
//!
//! ```sh
//! cargo run --example streaming
//! ```

mod common;

use std::io::Write;

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::Event;

fn main() -> std::process::ExitCode {
    common::report(script)
}

fn script() -> Result<(), Box<dyn std::error::Error>> {
    let mut minimega = common::connect(
        MockMinimega::builder()
            .hosts(["head", "node1", "node2"])
            .mesh_status(true),
    )?;
    let mm = &mut minimega.client;

    // A script minimega reads from its own file system; with the mock that
    // is this machine's.
    let script = std::env::temp_dir().join(format!("minimega-example-{}.mm", std::process::id()));
    let mut file = std::fs::File::create(&script)?;
    for i in 0..5 {
        writeln!(file, "vm launch kvm step{i}")?;
    }
    writeln!(file, "vm start all")?;
    writeln!(file, "echo script done")?;
    drop(file);

    // Status lines go to this handler wherever they arrive.
    mm.set_status_handler(|status| eprintln!("[status] {status}"));
    let mut stream = mm.read(script.display()).stream()?;
    let mut answered = 0;
    while let Some(event) = stream.next_event() {
        match event? {
            Event::Status(status) => println!("progress: {status}"),
            Event::Response(response) => {
                answered += 1;
                println!(
                    "answer {answered} from {}: {:?}",
                    response.host(),
                    response.text()
                );
            }
        }
    }
    drop(stream);

    // Across the mesh, minimega reports progress while hosts work.
    let everywhere = mm.mesh().send("all", Cmd.vm().info()).run()?;
    println!("mesh send answered by {} hosts", everywhere.hosts().count());
    std::fs::remove_file(script)?;
    Ok(())
}
