//! Writes the shipped spec's line table, which `cmd!` reads back instead of
//! naming the whole API again in every crate that writes a line: cargo
//! builds proc macros unoptimised, and naming the API was most of what a
//! crate's first `cmd!` cost (see `minimega_codegen::line`).

fn main() {
    let text = minimega_codegen::line::LineApi::shipped()
        .table_text()
        .expect("the words of minimega's patterns have no whitespace");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let path = std::path::Path::new(&out).join("shipped-line-table.txt");
    if let Err(error) = std::fs::write(&path, text) {
        panic!("cannot write {}: {error}", path.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
}
