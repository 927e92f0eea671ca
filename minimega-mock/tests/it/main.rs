//! The mock's integration tests, in one binary: what a test can set up and
//! inspect (`programmable`), the simulation of what minimega's own suite
//! uses (`simulation`), and the mock under abuse (`hardening`). The
//! mock against recordings of a real minimega and against every pattern
//! lives in `xtask`, which holds the recordings' tooling.

mod hardening;
mod programmable;
mod simulation;
