//! The shipped spec's expansion must stay small enough for rust-analyzer,
//! which drops any macro expansion above 1,048,576 tokens.

use minimega_codegen::{generate, token_count, SpecFn};
use minimega_spec::MINIMEGA_JSON;

const RUST_ANALYZER_TOKEN_LIMIT: usize = 1_048_576;

#[test]
fn shipped_expansion_fits_rust_analyzer() {
    let tokens = generate(MINIMEGA_JSON, &SpecFn::Shipped).unwrap();
    let count = token_count(&tokens);
    let text = tokens.to_string();
    println!(
        "expansion: {count} tokens ({:.1}% of rust-analyzer's limit), {} types, {} bytes",
        100.0 * count as f64 / RUST_ANALYZER_TOKEN_LIMIT as f64,
        text.matches("pub struct ").count(),
        text.len()
    );
    assert!(count < RUST_ANALYZER_TOKEN_LIMIT / 4, "{count} tokens");
}
