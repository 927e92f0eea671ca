use minimega::prelude::*;

fn main() {
    let _ = Cmd.vm().lunch();
}
