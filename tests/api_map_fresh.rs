//! `docs/api-map.md` and the every-pattern calls are generated; they must
//! match what the generator makes of the shipped spec today.

use minimega_codegen::{api_map, Api};

#[test]
fn api_map_is_fresh() {
    let spec = minimega::spec::shipped();
    let api = Api::new(spec);
    let root = env!("CARGO_MANIFEST_DIR");
    for (file, want) in [
        ("docs/api-map.md", api_map::markdown(spec, &api)),
        (
            "tests/generated/every_pattern_calls.rs",
            api_map::pattern_calls(spec, &api),
        ),
    ] {
        let have = std::fs::read_to_string(format!("{root}/{file}")).unwrap_or_default();
        assert!(
            have == want,
            "{file} is stale: run `{}`",
            api_map::REGENERATE
        );
    }
}
