use minimega::prelude::*;
use minimega::runtime::Client;

fn launch(mm: &mut Client) {
    // `vm` alone is not a command.
    let _ = mm.vm().run();
}

fn main() {}
