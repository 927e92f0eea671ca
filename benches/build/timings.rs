//! Reading `cargo build --timings`: how long each unit took to compile.

use serde_json::Value;

/// One compiled unit of a build.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The crate's name.
    pub name: String,
    /// What cargo did: `todo` (compile), `run-custom-build`, ….
    pub mode: String,
    /// How long it took, in seconds.
    pub duration: f64,
}

/// The units of a `cargo-timing.html` report, from its `UNIT_DATA`; `None`
/// when the report does not have them in the form cargo 1.95 writes.
pub fn units(html: &str) -> Option<Vec<Unit>> {
    let start = html.find("const UNIT_DATA = ")? + "const UNIT_DATA = ".len();
    let end = start + html[start..].find("];")? + 1;
    let data: Vec<Value> = serde_json::from_str(&html[start..end]).ok()?;
    data.iter()
        .map(|unit| {
            Some(Unit {
                name: unit["name"].as_str()?.to_owned(),
                mode: unit["mode"].as_str().unwrap_or_default().to_owned(),
                duration: unit["duration"].as_f64()?,
            })
        })
        .collect()
}

/// The seconds spent compiling `name` itself (not running its build
/// script), summed over its units.
pub fn compile_time(units: &[Unit], name: &str) -> Option<f64> {
    let mine: Vec<f64> = units
        .iter()
        .filter(|u| u.name == name && u.mode != "run-custom-build")
        .map(|u| u.duration)
        .collect();
    (!mine.is_empty()).then(|| mine.iter().sum())
}
