use minimega::prelude::*;

fn main() {
    // `log level` takes debug, info, warn, error or fatal.
    let _ = Cmd.log().level().verbose();
}
