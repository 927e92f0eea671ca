use minimega::prelude::*;

fn main() {
    let _ = Cmd.mesh().send("all", "vm info");
}
