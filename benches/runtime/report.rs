//! The lines the runtime benchmark prints: a figure beside its baseline,
//! the ratio of their medians, and the goal that ratio is held to.

use crate::stats::Summary;

/// A goal a figure is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The figure must be at most this.
    AtMost(f64),
    /// Nothing to meet: the figure is shown for reference.
    None,
}

impl Goal {
    /// `met`, `MISSED` or nothing, for `value`.
    pub fn verdict(&self, value: f64) -> &'static str {
        match self {
            Goal::AtMost(limit) if value <= *limit => "met",
            Goal::AtMost(_) => "MISSED",
            Goal::None => "",
        }
    }

    /// The goal as printed, e.g. `≤ 1.03`.
    pub fn show(&self) -> String {
        match self {
            Goal::AtMost(limit) => format!("≤ {limit}"),
            Goal::None => String::new(),
        }
    }
}

/// One printed comparison: a figure, its baseline from the same run, the
/// ratio of their medians and the goal that ratio is held to.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What is measured, and its unit.
    pub what: String,
    /// The baseline's runs.
    pub baseline: Summary,
    /// The measured runs.
    pub measured: Summary,
    /// The goal for `measured.median / baseline.median`.
    pub goal: Goal,
}

impl Comparison {
    /// The ratio of the medians.
    pub fn ratio(&self) -> f64 {
        self.measured.median / self.baseline.median
    }

    /// One line: the figure, the baseline, the ratio and the verdict.
    pub fn line(&self, decimals: usize) -> String {
        let ratio = self.ratio();
        let goal = match self.goal {
            Goal::None => String::new(),
            goal => format!("  goal {}: {}", goal.show(), goal.verdict(ratio)),
        };
        format!(
            "{:<46} {:>26}  baseline {:>26}  ratio {:.3}{goal}",
            self.what,
            self.measured.show(decimals),
            self.baseline.show(decimals),
            ratio,
        )
    }
}

/// Bytes as `12.3 KiB`, `4.5 MiB`.
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
