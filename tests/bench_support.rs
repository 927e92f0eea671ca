//! The benchmarks' own logic, tested here: bench targets have their own
//! runners and no test harness.

#[path = "../benches/common/stats.rs"]
#[allow(dead_code)] // each bench uses part of it
mod stats;

mod summaries {

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
