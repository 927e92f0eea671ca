//! Every generated file of the repository is what the generator makes
//! today. With `MINIMEGA_BLESS=1` this test writes them instead.

#[test]
fn generated_files_are_fresh() {
    let root = xtask::root();
    let bless = std::env::var("MINIMEGA_BLESS").is_ok_and(|v| v == "1");
    let differ = xtask::sync(&root, bless).expect("the generated files can be made and read");
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
        xtask::BLESS
    );
}
