// trybuild builds this file from its own crate under target/tests/trybuild.
minimega::generate_api!("../../../../tests/compile-fail/specs/malformed.json");

fn main() {}
