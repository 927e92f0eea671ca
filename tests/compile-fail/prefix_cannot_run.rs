use minimega::prelude::*;
use minimega::runtime::Client;

fn connect(mm: &mut Client) {
    // `vm net` alone is not a command.
    let _ = mm.vm().net().run();
}

fn main() {}
