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

#[test]
fn vnc_recordings_and_playbacks_are_kept_per_namespace() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let rows = rows_after(
        &mut mm,
        &[
            "namespace lab vm launch kvm desk1,desk2",
            "namespace lab vnc record fb desk1 /scratch/desk1.fb",
            "namespace lab vnc record kb desk1 keys.kb",
            "namespace lab vnc play desk2 /scratch/replay.kb",
            "namespace lab vnc pause desk2",
        ],
        "namespace lab .columns name,type,time,filename vnc",
    );
    let files = mock.files_dir();
    let keys = files.join("keys.kb").to_string_lossy().into_owned();
    assert_eq!(
        rows.iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[3].as_str()])
            .collect::<Vec<_>>(),
        [
            ["desk1", "record kb", keys.as_str()],
            ["desk1", "record fb", "/scratch/desk1.fb"],
            ["desk2", "playback kb", "/scratch/replay.kb"],
        ]
    );
    assert_eq!(rows[2][2], "PAUSED");
    // Twice is an error; so is stopping what does not run.
    let error = |mm: &mut Client, line: &str| mm.run_line(line).unwrap_err().to_string();
    assert!(error(&mut mm, "namespace lab vnc record kb desk1 again.kb")
        .contains("kb recording for desk1 already running"));
    assert!(
        error(&mut mm, "namespace lab vnc stop kb desk2").contains("kb recording desk2 not found")
    );
    assert!(
        error(&mut mm, "namespace lab vnc stop desk1").contains("kb playback not found for desk1")
    );
    assert!(
        error(&mut mm, "namespace lab vnc record kb nobody x.kb").contains("vm not found: nobody")
    );
    // Another namespace sees none of them; `clear vnc` stops them all.
    let elsewhere = rows_after(
        &mut mm,
        &["namespace other vm launch kvm desk1"],
        "namespace other vnc",
    );
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
    let after = rows_after(&mut mm, &["namespace lab clear vnc"], "namespace lab vnc");
    assert!(after.is_empty(), "{after:?}");
}
