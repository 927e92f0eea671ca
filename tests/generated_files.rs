//! Every generated file of the repository (the API map, the every-pattern
//! calls and the compiled expansions) is what the generator makes today.
//! With `MINIMEGA_BLESS=1` this test writes them instead.

use std::path::Path;

use minimega_codegen::files;

#[test]
fn generated_files_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var("MINIMEGA_BLESS").is_ok_and(|v| v == "1");
    let differ = files::sync(root, bless).expect("the generated files can be read and written");
    if bless {
        for path in &differ {
            println!("wrote {path}");
        }
        return;
    }
    assert!(
        differ.is_empty(),
        "stale generated files: {}; regenerate them with `{}`",
        differ.join(", "),
        files::BLESS
    );
}
