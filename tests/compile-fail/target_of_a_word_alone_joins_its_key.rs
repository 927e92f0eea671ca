use minimega::prelude::*;
use minimega::runtime::Client;

fn flush_one(mm: &mut Client) {
    // `flush()` is `vm flush`, on every VM that quit; one VM is
    // `flush_vm(vm)`. rustc offers to drop the argument, which compiles
    // into the flush of them all: the message is recorded here so that a
    // change to it shows.
    let _ = mm.vm().flush("a").run();
}

fn main() {}
