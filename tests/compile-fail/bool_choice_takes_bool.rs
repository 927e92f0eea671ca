use minimega::prelude::*;

fn main() {
    let _ = Cmd.vm().config().snapshot().enabled("yes");
}
