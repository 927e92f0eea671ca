//! The generator never panics: any spec either fails with an error or
//! expands into code that parses as Rust.

use minimega_codegen::{generate, SpecFn};
use proptest::prelude::*;

fn spec_json(handlers: &[Vec<String>]) -> String {
    let handlers: Vec<String> = handlers
        .iter()
        .map(|patterns| {
            let quoted: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
            format!(
                r#"{{"help_short": "h", "help_long": "", "patterns": [{}]}}"#,
                quoted.join(",")
            )
        })
        .collect();
    format!("[{}]", handlers.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_spec_gives_an_error_or_valid_rust(
        handlers in prop::collection::vec(
            prop::collection::vec(r"[a-z0-9 <>\[\](),.:/_'-]{0,24}", 1..4),
            1..4,
        )
    ) {
        if let Ok(tokens) = generate(&spec_json(&handlers), &SpecFn::Shipped) {
            prop_assert!(syn::parse2::<syn::File>(tokens).is_ok());
        }
    }

    #[test]
    fn wellformed_specs_with_odd_words_give_valid_rust(
        words in prop::collection::vec(r"[a-zA-Z0-9.:/_-]{1,10}", 1..5),
        keys in prop::collection::vec(r"[a-zA-Z0-9.:/_-]{1,10}", 0..3),
    ) {
        let mut pattern = words.join(" ");
        for key in &keys {
            pattern.push_str(&format!(" <{key}>"));
        }
        let tokens = generate(&spec_json(&[vec![pattern.clone()]]), &SpecFn::Shipped);
        let tokens = tokens.map_err(|e| TestCaseError::fail(format!("{pattern}: {e}")))?;
        prop_assert!(syn::parse2::<syn::File>(tokens).is_ok(), "{}", pattern);
    }
}
