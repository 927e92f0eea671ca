//! The checker, run as a program on the project's own scripts
//! (`tests/scripts/`, written for these tests): a good lab passes, and every
//! mistake of `mistakes.mm` is reported as `mistakes.expected` says.
//! `MINIMEGA_BLESS=1` rewrites the expected output.

use std::process::Command;

fn check(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_minimega-check"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the checker runs");
    (
        output.status.code().expect("an exit status"),
        String::from_utf8(output.stdout).expect("UTF-8"),
        String::from_utf8(output.stderr).expect("UTF-8"),
    )
}

#[test]
fn a_good_lab_passes() {
    let (code, out, err) = check(&["tests/scripts/lab.mm"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        err,
        "minimega-check: 1 file, 23 lines, 17 commands: 0 invalid, 0 warnings\n"
    );
}

#[test]
fn every_mistake_is_reported_with_its_place_and_a_hint() {
    let (code, out, err) = check(&["tests/scripts/lab.mm", "tests/scripts/mistakes.mm"]);
    assert_eq!(code, 1, "{err}");
    let expected = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/mistakes.expected"
    );
    if std::env::var_os("MINIMEGA_BLESS").is_some() {
        std::fs::write(expected, &out).expect("written");
    }
    let want = std::fs::read_to_string(expected).expect("the expected output");
    assert_eq!(
        out, want,
        "run with MINIMEGA_BLESS=1 to accept the new output"
    );
    assert_eq!(
        err,
        "minimega-check: 2 files, 38 lines, 28 commands: 8 invalid, 1 warning\n"
    );
}

#[test]
fn standard_input_and_another_spec() {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../command-spec/minimega.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_minimega-check"))
        .args(["--spec", spec, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the checker runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"vm info\nvm ifno\n")
        .expect("written");
    let output = child.wait_with_output().expect("it ends");
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        out.starts_with("<stdin>:2:4: error: unknown word `ifno` after `vm`\n"),
        "{out}"
    );
    assert!(out.contains("did you mean `info`?"), "{out}");
}

#[test]
fn the_facades_script_as_rust_is_current() {
    // `tests/generated/web_mm.rs` of the workspace is this output; the
    // facade's `script_as_rust` test compiles and runs it.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(env!("CARGO_BIN_EXE_minimega-check"))
        .args(["--to-rust", "tests/scripts/web.mm"])
        .current_dir(root)
        .output()
        .expect("the checker runs");
    assert_eq!(output.status.code(), Some(0));
    let rust = String::from_utf8(output.stdout).expect("UTF-8");
    let generated = format!("{root}/tests/generated/web_mm.rs");
    if std::env::var_os("MINIMEGA_BLESS").is_some() {
        std::fs::write(&generated, &rust).expect("written");
    }
    let want = std::fs::read_to_string(&generated).expect("the generated file");
    assert_eq!(
        rust, want,
        "run with MINIMEGA_BLESS=1 to accept the new output"
    );
}
