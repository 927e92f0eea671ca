use minimega::prelude::*;

fn main() {
    // A command built on `Cmd` has no connection to run on.
    let _ = Cmd.vm().info().run();
}
