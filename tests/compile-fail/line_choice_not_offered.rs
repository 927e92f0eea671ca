fn main() {
    // `log level` takes debug, info, warn, error or fatal.
    let _ = minimega::cmd!("log level verbose");
}
