//! Tests against a running cluster of three (see `MINIMEGA_CLUSTER_SOCKET`).

use crate::Case;

pub fn cases() -> Vec<Case> {
    Vec::new()
}
