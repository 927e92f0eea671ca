//! The generator's integration tests, in one binary: the shipped spec's
//! expansion stays within rust-analyzer's limit, and no spec makes the
//! generator panic.

mod expansion_size;
mod robustness;
