use minimega::prelude::*;

fn main() {
    // `vm config snapshot [true,false]` takes a `bool`.
    let _ = Cmd.vm().config().snapshot("yes");
}
