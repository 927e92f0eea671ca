//! `cargo run -p xtask`: writes every generated file of the repository (the
//! API map, the every-pattern calls and lines, the compiled expansions).

use std::process::ExitCode;

fn main() -> ExitCode {
    match xtask::sync(&xtask::root(), true) {
        Ok(written) if written.is_empty() => {
            println!("every generated file is up to date");
            ExitCode::SUCCESS
        }
        Ok(written) => {
            for path in written {
                println!("wrote {path}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot write the generated files: {error}");
            ExitCode::FAILURE
        }
    }
}
