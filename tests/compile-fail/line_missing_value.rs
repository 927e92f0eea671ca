fn main() {
    // `vm launch kvm <name or count>` needs the name or count.
    let _ = minimega::cmd!("vm launch kvm");
}
