//! Facts about minimega's `host` command that its spec does not hold: the
//! columns of its table, in the order minimega prints them, and which of
//! them measure the machine (and so differ between any two runs or hosts).
//! The mock prints the table from them, and the recordings' normalization
//! masks the measurements.
//!
//! ```
//! use minimega_spec::host_table::{COLUMNS, MEASUREMENTS};
//!
//! assert_eq!(COLUMNS[0], "cpus");
//! assert!(MEASUREMENTS.iter().all(|m| COLUMNS.contains(m)));
//! ```

/// The columns of `host`'s table, in order; `host <column>` prints one of
/// them (as does `host name`, which is not a column).
pub const COLUMNS: [&str; 13] = [
    "cpus",
    "load",
    "memused",
    "memtotal",
    "rx",
    "tx",
    "vms",
    "vmlimit",
    "androidvms",
    "cpucommit",
    "memcommit",
    "netcommit",
    "uptime",
];

/// The columns that measure the machine rather than minimega's state.
pub const MEASUREMENTS: [&str; 7] = ["cpus", "load", "memused", "memtotal", "rx", "tx", "uptime"];
