//! Invalid use of the generated API, and broken specs, must not compile;
//! each case's `.stderr` shows the error a user would see.

#[test]
fn invalid_use_fails_to_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
