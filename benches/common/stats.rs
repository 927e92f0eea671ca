//! Summaries of repeated measurements, and the lines the benchmarks print.
//!
//! Every figure is measured several times on a noisy machine, so a figure
//! is its median with the lowest and highest run beside it, and a
//! comparison is the ratio of two medians measured in the same run.

/// The median and the range of a set of runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The middle run (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The lowest run.
    pub min: f64,
    /// The highest run.
    pub max: f64,
    /// How many runs.
    pub runs: usize,
}

impl Summary {
    /// Summarises `runs`; `None` when there are none or one is not a number.
    pub fn of(runs: &[f64]) -> Option<Summary> {
        if runs.is_empty() || runs.iter().any(|r| r.is_nan()) {
            return None;
        }
        let mut sorted = runs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 0 {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        } else {
            sorted[mid]
        };
        Some(Summary {
            median,
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            runs: sorted.len(),
        })
    }

    /// `median (min–max)` with `decimals` decimals.
    pub fn show(&self, decimals: usize) -> String {
        format!(
            "{:.d$} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = decimals
        )
    }
}

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
