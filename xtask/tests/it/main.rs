//! The repository tooling's integration tests, in one binary: the mock
//! against recordings of a real minimega (`conformance`) and against every
//! pattern (`every_pattern_answered`), and the generated files' freshness
//! (`generated_files`; `MINIMEGA_BLESS=1` writes them).

mod conformance;
mod every_pattern_answered;
mod generated_files;
