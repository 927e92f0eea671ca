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
    // Within one launch too: the second VM would share the first's disk.
    let rows = rows_after(
        &mut mm,
        &["vm config disk pair.img", "vm launch kvm p1,p2"],
        ".columns name vm info",
    );
    assert_eq!(rows, [["c1"], ["b2"], ["p1"]]);
}

#[test]
fn bridges_list_their_vlans_and_trunks() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let rows = rows_after(
        &mut mm,
        &[
            "vlans add office 150",
            "vm config net office lab_br,160",
            "vm launch kvm desk",
            "bridge trunk uplink eth9",
            "bridge trunk uplink eth8",
        ],
        ".columns bridge,vlans,trunks bridge",
    );
    assert_eq!(
        rows,
        [
            ["lab_br", "[160]", "[]"],
            ["mega_bridge", "[office (150)]", "[]"],
            ["uplink", "[]", "[eth8 eth9]"],
        ]
    );
    let error = mm.run_line("bridge trunk uplink eth9").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("bridge already trunking to eth9"),
        "{error}"
    );
    mm.run_line("bridge notrunk uplink eth9").unwrap();
    let error = mm.run_line("bridge notrunk uplink eth9").unwrap_err();
    assert!(error.to_string().contains("unknown trunk: eth9"), "{error}");
    // A killed VM's taps are gone from its bridges.
    let rows = rows_after(&mut mm, &["vm kill desk"], ".columns bridge,vlans bridge");
    assert_eq!(
        rows,
        [["lab_br", "[]"], ["mega_bridge", "[]"], ["uplink", "[]"]]
    );
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

#[test]
fn saving_a_namespace_writes_its_files_and_pauses_its_vms() {
    let mock = MockMinimega::builder().images_exist(true).start().unwrap();
    let mut mm = mock.client().unwrap();
    let rows = rows_after(
        &mut mm,
        &[
            "namespace sv vm config disk base.img",
            "namespace sv vm config snapshot true",
            "namespace sv vm launch kvm with1,with2",
            "namespace sv clear vm config",
            "namespace sv vm config kernel k.bin",
            "namespace sv vm launch kvm bare",
            "namespace sv vm config filesystem /fs",
            "namespace sv vm launch container box",
            "namespace sv vm start all",
            "namespace sv ns save snap",
        ],
        "namespace sv .columns name,status vm save",
    );
    assert_eq!(
        rows,
        [
            ["with1", "completed"],
            ["with2", "completed"],
            ["bare", "completed"]
        ]
    );
    let dir = mock.files_dir().join("saved/snap");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // Only VMs with disks get a disk; containers are not saved.
    assert_eq!(
        files,
        [
            "bare.state",
            "launch.mm",
            "with1.hdd",
            "with1.state",
            "with2.hdd",
            "with2.state"
        ]
    );
    let script = std::fs::read_to_string(dir.join("launch.mm")).unwrap();
    assert!(script.starts_with("namespace \"sv\"\n"), "{script}");
    assert!(
        script.contains("vm config disks file:saved/snap/with1.hdd\n"),
        "{script}"
    );
    assert!(script.contains("vm launch container \"box\"\n"), "{script}");
    let states = rows_after(&mut mm, &[], "namespace sv .columns name,state vm info");
    assert!(states.iter().all(|r| r[1] == "PAUSED"), "{states:?}");
    let error = mm.run_line("namespace sv ns save snap").unwrap_err();
    assert!(error
        .to_string()
        .contains("saved VM with this name already exists"));
    let error = mm.run_line("namespace sv vm save box").unwrap_err();
    assert!(error.to_string().contains("vm not KVM: box"), "{error}");
    // A VM saved on its own, to a file of the test's choosing.
    mm.run_line("namespace sv vm save bare mine/bare").unwrap();
    assert!(mock.files_dir().join("mine/bare.state").is_file());
    assert!(!mock.files_dir().join("mine/bare.hdd").exists());
}

#[test]
fn clear_vm_config_tag_removes_one_tag_or_all() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let rows = rows_after(
        &mut mm,
        &[
            "vm config tags tier web",
            "vm config tags zone dmz",
            "clear vm config tag tier",
            "vm launch kvm one",
            "clear vm config tag all",
            "vm launch kvm two",
        ],
        ".columns name,tags vm info",
    );
    assert_eq!(rows, [["one", r#"{"zone":"dmz"}"#], ["two", "{}"]]);
}

#[test]
fn a_peer_gets_a_directory_of_the_files_directory() {
    let mock = MockMinimega::builder()
        .hosts(["head", "peer"])
        .start()
        .unwrap();
    std::fs::create_dir_all(mock.files_dir().join("kit")).unwrap();
    std::fs::write(mock.files_dir().join("kit/readme"), "x").unwrap();
    let mut mm = mock.client().unwrap();
    for line in [
        "mesh send peer file get kit",
        "mesh send peer file get kit/readme",
    ] {
        mm.run_line(line)
            .unwrap_or_else(|e| panic!("`{line}`: {e}"));
    }
    let error = mm
        .run_line("mesh send peer file get kit/missing")
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("get kit/missing: file not found"),
        "{error}"
    );
}
