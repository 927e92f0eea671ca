//! The simulation answering as minimega 3.1.0 does, for behaviours that
//! minimega's own test suite showed the mock lacked: each test runs lines
//! of its own on a fresh mock and checks the answers.

use minimega::mock::MockClient;
use minimega::runtime::Client;
use minimega_mock::MockMinimega;

/// Runs `lines` (each must succeed), then `read`: its rows, every host's.
fn rows_after(mm: &mut Client, lines: &[&str], read: &str) -> Vec<Vec<String>> {
    for line in lines {
        mm.run_line(line)
            .unwrap_or_else(|e| panic!("`{line}`: {e}"));
    }
    let answer = mm
        .run_line(read)
        .unwrap_or_else(|e| panic!("`{read}`: {e}"));
    answer.iter().flat_map(|r| r.tabular().to_vec()).collect()
}

#[test]
fn a_kvm_sharing_a_disk_without_snapshot_is_not_launched() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let rows = rows_after(
        &mut mm,
        &[
            "vm config disk shared.img",
            "vm config snapshot true",
            "vm launch kvm a1,a2",
            // Both in snapshot mode: no conflict. Without it: one, and
            // the launch still answers nothing (minimega only logs it).
            "vm config snapshot false",
            "vm launch kvm b1",
            // Another disk: no conflict.
            "vm config disk other.img",
            "vm launch kvm c1",
        ],
        ".columns name vm info",
    );
    assert_eq!(rows, [["a1"], ["a2"], ["c1"]]);
    // Once the others are gone, the same launch works.
    let rows = rows_after(
        &mut mm,
        &[
            "vm kill a1,a2",
            "vm flush",
            "vm config disk shared.img",
            "vm launch kvm b2",
        ],
        ".columns name,snapshot vm info",
    );
    assert_eq!(rows, [["c1", "false"], ["b2", "false"]]);
}
