use minimega::prelude::*;
use minimega::runtime::Client;

fn tidy(mm: &mut Client) {
    // Clearing takes what to clear; clearing every VLAN alias is `vlans_all()`.
    let _ = mm.clear().vlans().run();
}

fn main() {}
