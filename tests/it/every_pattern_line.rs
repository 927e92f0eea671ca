//! Every generated form of every pattern of the shipped spec, built through
//! the line macro and through the builders, makes the same command line:
//! the same tokens, each with the same origin (argument key, expansion,
//! value rule) and the same argument problem. The calls come from
//! `tests/generated/every_pattern_lines.rs`, generated beside the
//! every-pattern calls (`xtask`'s `generated_files` test keeps it current).

use minimega::cmd;
use minimega::prelude::*;
use minimega::runtime::CommandLine;

use crate::support::pattern_values;

use pattern_values::{list, value};

include!("../generated/every_pattern_lines.rs");

/// `nested()`, the command the builders put in `(command)` slots, and the
/// every-pattern calls it comes with.
#[allow(dead_code)]
mod calls {
    use minimega::prelude::*;
    use minimega::runtime::CommandLine;

    use super::pattern_values::{list, value};

    include!("../generated/every_pattern_calls.rs");
}

use calls::nested;

#[test]
fn every_form_through_the_line_macro_is_the_builders_command() {
    let cases = every_pattern_line();
    assert!(cases.len() > 500, "{}", cases.len());
    for (pattern, through_line, through_builders) in &cases {
        assert_eq!(through_line, through_builders, "{pattern}");
    }
}
