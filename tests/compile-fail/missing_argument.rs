use minimega::prelude::*;

fn main() {
    // `vm launch kvm <name or count>` needs the name or count.
    let _ = Cmd.vm().launch().kvm();
}
