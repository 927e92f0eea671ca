//! Writes `docs/api-map.md` and `tests/generated/every_pattern_calls.rs` for
//! the shipped spec; `--check` only reports whether they are up to date.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use minimega_codegen::{api_map, Api};

fn main() -> ExitCode {
    let check = std::env::args().any(|arg| arg == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = minimega_spec::shipped();
    let api = Api::new(spec);
    let outputs: [(PathBuf, String); 2] = [
        (root.join("docs/api-map.md"), api_map::markdown(spec, &api)),
        (
            root.join("tests/generated/every_pattern_calls.rs"),
            api_map::pattern_calls(spec, &api),
        ),
    ];
    let mut stale = false;
    for (path, text) in outputs {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            println!("up to date: {}", path.display());
            continue;
        }
        if check {
            eprintln!("stale: {} (run `{}`)", path.display(), api_map::REGENERATE);
            stale = true;
        } else if let Err(error) = std::fs::create_dir_all(path.parent().unwrap_or(&root))
            .and_then(|()| std::fs::write(&path, text))
        {
            eprintln!("cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {}", path.display());
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
