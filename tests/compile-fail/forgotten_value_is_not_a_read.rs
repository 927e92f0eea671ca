use minimega::prelude::*;
use minimega::runtime::Client;

fn configure(mm: &mut Client) {
    // Setting memory takes the value; the read is `memory_current()`.
    let _ = mm.vm().config().memory().run();
}

fn main() {}
