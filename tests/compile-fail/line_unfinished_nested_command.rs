fn main() {
    // The command nested in `mesh send` is not whole.
    let _ = minimega::cmd!("mesh send all vm");
}
