use minimega::prelude::*;

fn main() {
    // `vm launch` takes kvm, container or android.
    let _ = Cmd.vm().launch().qemu(1);
}
