//! The benchmarks' own logic, tested here: bench targets have their own
//! runners and no test harness.

#[path = "../benches/build/lsp.rs"]
#[allow(dead_code)] // the server itself needs a language server to test
mod lsp;
#[path = "../benches/runtime/report.rs"]
mod report;
#[path = "../benches/common/stats.rs"]
mod stats;
#[path = "../benches/build/timings.rs"]
mod timings;

mod summaries {

    use super::report::*;
    use super::stats::*;

    #[test]
    fn medians_and_ranges() {
        let odd = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((odd.median, odd.min, odd.max, odd.runs), (2.0, 1.0, 3.0, 3));
        let even = Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(even.median, 2.5);
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[1.0, f64::NAN]), None);
        assert_eq!(odd.show(1), "2.0 (1.0–3.0)");
    }

    #[test]
    fn verdicts_and_lines() {
        assert_eq!(Goal::AtMost(1.03).verdict(1.03), "met");
        assert_eq!(Goal::AtMost(1.03).verdict(1.04), "MISSED");
        assert_eq!(Goal::None.verdict(9.0), "");
        let line = Comparison {
            what: "x".into(),
            baseline: Summary::of(&[2.0]).unwrap(),
            measured: Summary::of(&[3.0]).unwrap(),
            goal: Goal::AtMost(1.1),
        }
        .line(1);
        assert!(line.contains("ratio 1.500  goal ≤ 1.1: MISSED"), "{line}");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(5.0 * 1024.0 * 1024.0), "5.0 MiB");
    }
}

mod build {
    use super::{lsp, timings};

    #[test]
    fn reads_unit_times_from_a_timings_report() {
        let html = r#"<script>
DURATION = 9;
const UNIT_DATA = [
  {"i": 0, "name": "minimega", "version": "0.1.0", "mode": "todo", "target": "", "start": 5.0, "duration": 1.25},
  {"i": 1, "name": "serde", "version": "1.0.0", "mode": "run-custom-build", "target": "", "start": 0.0, "duration": 0.5},
  {"i": 2, "name": "serde", "version": "1.0.0", "mode": "todo", "target": "", "start": 0.5, "duration": 2.0}
];
const CONCURRENCY_DATA = [];
</script>"#;
        let units = timings::units(html).unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(timings::compile_time(&units, "minimega"), Some(1.25));
        assert_eq!(timings::compile_time(&units, "serde"), Some(2.0));
        assert_eq!(timings::compile_time(&units, "syn"), None);
        assert_eq!(timings::units("<html>no data</html>"), None);
    }

    #[test]
    fn lsp_messages_round_trip_through_their_framing() {
        let message = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": "é"});
        let mut bytes = lsp::frame(&message);
        assert!(
            bytes.starts_with(b"Content-Length: 38\r\n\r\n"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.extend(lsp::frame(&serde_json::json!(null)));
        let mut reader = std::io::Cursor::new(bytes);
        assert_eq!(lsp::read_message(&mut reader).unwrap(), Some(message));
        assert_eq!(
            lsp::read_message(&mut reader).unwrap(),
            Some(serde_json::Value::Null)
        );
        assert_eq!(lsp::read_message(&mut reader).unwrap(), None);
        let mut headless = std::io::Cursor::new(b"X: 1\r\n\r\n{}".to_vec());
        assert!(lsp::read_message(&mut headless).is_err());
    }
}
