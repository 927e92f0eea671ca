use minimega::prelude::*;

fn main() {
    // `vm` alone is not a command.
    let _ = Cmd.vm().render();
}
