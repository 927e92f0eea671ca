//! Writes every generated file of the repository (the API map, the
//! every-pattern calls and the compiled expansions); the facade's
//! `generated_files` test checks them with the same function.

use std::path::Path;
use std::process::ExitCode;

use minimega_codegen::files;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match files::sync(&root, true) {
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
