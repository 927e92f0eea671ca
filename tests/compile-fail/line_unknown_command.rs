fn main() {
    // There is no command `vmm`: the error names `vm`.
    let _ = minimega::cmd!("vmm info");
}
