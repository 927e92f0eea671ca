//! The facade's integration tests, in one binary (one module per subject,
//! helpers in `support`): the generated API over the embedded mock, every
//! pattern of the spec, the line and script macros, specs of other
//! versions, compile-fail cases, and the mock's simulation seen through a
//! client. `tests/decoded_memory.rs` (a counting allocator for the whole
//! process), `tests/bench_support.rs` (the benchmarks' own modules, which
//! expect to be a crate's root) and the real-daemon tier (`tests/real`)
//! are binaries of their own.

mod support;

mod answers_stay_in_step;
mod async_answers_stay_in_step;
mod awkward_spec;
mod compile;
mod every_pattern;
mod every_pattern_line;
mod line_macro;
mod mock_minimega;
mod reserved_names;
mod script_as_rust;
mod script_macro;
mod spec_travels;
mod tracing_events;
mod typed_over_mock;
