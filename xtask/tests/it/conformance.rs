//! The mock against recordings of a real minimega 3.1.0: every fixture's
//! requests replayed against a fresh mock set up like the recording, each
//! answer the mock simulates compared with minimega's after the one
//! normalization `xtask::fixture` describes. No daemon needed.
//!
//! The commands the mock knowingly leaves unsimulated are listed here and
//! in the crate docs; a command that becomes unsimulated, or stops being
//! so, fails this test until the list says so.

use std::path::Path;

use xtask::fixture::{replay, Recording, Session};

/// Commands of the fixtures the mock does not simulate (crate docs, "What
/// it does not simulate").
const UNSIMULATED: &[&str] = &[];

#[test]
fn the_mock_answers_as_the_recordings_do() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../minimega-mock/fixtures");
    let mut recordings: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("a fixture entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    recordings.sort();
    assert!(!recordings.is_empty(), "no recordings in {}", dir.display());

    let (mut requests, mut compared, mut lines) = (0, 0, 0);
    let mut unsimulated = Vec::new();
    let mut failures = Vec::new();
    for path in &recordings {
        let text = std::fs::read_to_string(path).expect("the recording reads");
        let recording =
            Recording::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let script_path = dir.join(&recording.header.script);
        let script = std::fs::read_to_string(&script_path)
            .map_err(|e| e.to_string())
            .and_then(|text| Session::parse(&text).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("{}: {e}", script_path.display()));
        let report =
            replay(&script, &recording).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        requests += report.requests;
        compared += report.compared;
        lines += report.lines;
        unsimulated.extend(report.unsimulated);
        for difference in report.differences {
            failures.push(format!(
                "{}: {}\n--- minimega\n{}\n--- mock\n{}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                difference.request,
                difference.recorded,
                difference.mock
            ));
        }
    }
    println!(
        "{} recordings: {requests} requests, {compared} answers ({lines} message lines) compared, \
         {} not simulated",
        recordings.len(),
        unsimulated.len()
    );
    assert!(
        failures.is_empty(),
        "{} answers differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    unsimulated.sort();
    unsimulated.dedup();
    assert_eq!(
        unsimulated, UNSIMULATED,
        "the commands the mock leaves unsimulated changed: update the list and the crate docs"
    );
}
