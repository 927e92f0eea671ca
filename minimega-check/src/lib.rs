//! `minimega-check`: checks minimega `.mm` scripts against minimega's
//! command spec, with no daemon and no Rust code.
//!
//! ```text
//! minimega-check [--spec DUMP.json] [--deny-warnings] FILES...
//! minimega-check --to-rust [--spec DUMP.json] FILES...
//! ```
//!
//! Every line is checked as minimega's `read` would run it (see
//! [`minimega_spec::check`]): blank lines and `#` comments skipped, `$VAR`
//! and `file:` kept for the daemon to expand, a `read` inside a script
//! refused, every other line matched as minicli matches it. Each bad line
//! is printed as `file:line:column: error: …`, with the line, a mark under
//! the word at fault and what would put it right; commands whose help marks
//! them deprecated are warnings. `-` reads standard input. The spec is the
//! one of minimega 3.1.0 shipped with `minimega-spec`, or another
//! version's `minimega -cli` dump given with `--spec`.
//!
//! `--to-rust` prints each script as a Rust function instead, one typed
//! call per line (`mm.vm().launch().kvm("2").run()?;`) after a comment
//! with the line; a line the typed API cannot take (an alias the script
//! defined, a daemon-wide form) is a `raw_unchecked` call with a comment
//! saying why. The function compiles against the `minimega` crate.
//!
//! Exit status: 0 when every line is valid (warnings allowed, unless
//! `--deny-warnings`), 1 when a line is not, 2 when a file or the spec
//! cannot be read or the arguments are wrong.
//!
//! This crate is the library behind the binary, so that its behaviour is
//! tested without running it: [`main`] takes the arguments and the three
//! standard streams.

#![warn(missing_docs)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use minimega_codegen::line::{script_to_rust, LineApi};
use minimega_spec::check::{self, Severity};
use minimega_spec::Spec;

/// Exit status: every line is valid.
pub const OK: u8 = 0;
/// Exit status: a line is not valid (or, with `--deny-warnings`, has a
/// warning).
pub const INVALID: u8 = 1;
/// Exit status: the arguments are wrong, or a file or the spec cannot be
/// read.
pub const TROUBLE: u8 = 2;

const USAGE: &str = "\
usage: minimega-check [--spec DUMP.json] [--deny-warnings] FILES...
       minimega-check --to-rust [--spec DUMP.json] FILES...

Checks minimega scripts (.mm files) line by line, as minimega's `read` would
run them, without a daemon. `-` reads standard input.

options:
  --spec FILE        check against this `minimega -cli` dump instead of the
                     shipped minimega 3.1.0 spec
  --deny-warnings    exit 1 on warnings (deprecated commands) too
  --to-rust          print each script as a Rust function of typed calls
  -h, --help         print this help
  -V, --version      print the version
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Check these files (`-` is standard input).
    Check(Options),
    /// Print the usage.
    Help,
    /// Print the version.
    Version,
}

/// The settings of a check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// A spec dump to check against instead of the shipped one.
    pub spec: Option<PathBuf>,
    /// Whether warnings make the exit status 1.
    pub deny_warnings: bool,
    /// Print the scripts as Rust instead of checking them.
    pub to_rust: bool,
    /// The files, in order; `-` is standard input.
    pub files: Vec<String>,
}

/// Reads the command line (without the program's name).
pub fn parse_args(args: &[String]) -> Result<Request, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    let mut only_files = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            _ if only_files => options.files.push(arg.clone()),
            "--" => only_files = true,
            "-h" | "--help" => return Ok(Request::Help),
            "-V" | "--version" => return Ok(Request::Version),
            "--deny-warnings" => options.deny_warnings = true,
            "--to-rust" => options.to_rust = true,
            "--spec" => {
                let path = args.next().ok_or("--spec needs a file")?;
                options.spec = Some(PathBuf::from(path));
            }
            _ if arg.starts_with("--spec=") => {
                options.spec = Some(PathBuf::from(&arg["--spec=".len()..]));
            }
            _ if arg.starts_with('-') && arg != "-" => {
                return Err(format!("unknown option `{arg}`"));
            }
            _ => options.files.push(arg.clone()),
        }
    }
    if options.files.is_empty() {
        return Err("no files to check (`-` reads standard input)".to_owned());
    }
    Ok(Request::Check(options))
}

/// What a check found, over every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Lines read, blank lines and comments included.
    pub lines: usize,
    /// Lines that are commands (neither blank nor a comment).
    pub commands: usize,
    /// Lines with an error.
    pub invalid: usize,
    /// Warnings.
    pub warnings: usize,
}

impl Summary {
    /// The exit status this outcome gives.
    pub fn status(&self, deny_warnings: bool) -> u8 {
        if self.invalid > 0 || (deny_warnings && self.warnings > 0) {
            INVALID
        } else {
            OK
        }
    }
}

/// Checks one script's text, writes its findings to `out` under the name
/// `file`, and adds them up in `summary`.
pub fn check_text(
    spec: &Spec,
    file: &str,
    text: &str,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> std::io::Result<()> {
    summary.files += 1;
    let body = text.strip_suffix('\n').unwrap_or(text);
    for line in body.split('\n') {
        summary.lines += 1;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            summary.commands += 1;
        }
    }
    if body.is_empty() {
        summary.lines -= 1;
    }
    let found = check::script(spec, text);
    let mut last_invalid = None;
    for finding in &found {
        match finding.diagnostic.severity {
            Severity::Error if last_invalid != Some(finding.line) => {
                summary.invalid += 1;
                last_invalid = Some(finding.line);
            }
            Severity::Error => {}
            Severity::Warning => summary.warnings += 1,
        }
        out.write_all(finding.render(file).as_bytes())?;
    }
    Ok(())
}

/// Runs the program: `args` without the program's name, and the three
/// standard streams. Returns the exit status.
pub fn main(
    args: &[String],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    match run(args, stdin, stdout, stderr) {
        Ok(code) => code,
        Err(message) => {
            // Nothing more can be said if stderr is gone.
            let _ = writeln!(stderr, "minimega-check: {message}");
            TROUBLE
        }
    }
}

fn run(
    args: &[String],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8, String> {
    let options = match parse_args(args) {
        Ok(Request::Check(options)) => options,
        Ok(Request::Help) => {
            stdout.write_all(USAGE.as_bytes()).map_err(io)?;
            return Ok(OK);
        }
        Ok(Request::Version) => {
            let version = env!("CARGO_PKG_VERSION");
            let spec = minimega_spec::MINIMEGA_VERSION;
            writeln!(
                stdout,
                "minimega-check {version} (shipped spec: minimega {spec})"
            )
            .map_err(io)?;
            return Ok(OK);
        }
        Err(message) => return Err(format!("{message}\n\n{USAGE}")),
    };
    let owned;
    let spec = match &options.spec {
        None => minimega_spec::shipped(),
        Some(path) => {
            owned = load_spec(path)?;
            &owned
        }
    };
    let mut summary = Summary::default();
    let mut trouble = false;
    for file in &options.files {
        let text = if file == "-" {
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            bytes
        } else {
            match read_script(Path::new(file)) {
                Ok(bytes) => bytes,
                Err(message) => {
                    writeln!(stderr, "minimega-check: {message}").map_err(io)?;
                    trouble = true;
                    continue;
                }
            }
        };
        // minimega reads bytes; text that is not UTF-8 is checked as its
        // nearest UTF-8, which matches where it matched.
        let text = String::from_utf8_lossy(&text);
        let name = if file == "-" { "<stdin>" } else { file };
        if options.to_rust {
            let api = LineApi::new(spec.clone());
            let rust = script_to_rust(&api, &function_name(name), name, &text);
            stdout.write_all(rust.as_bytes()).map_err(io)?;
            continue;
        }
        check_text(spec, name, &text, stdout, &mut summary).map_err(io)?;
    }
    if options.to_rust {
        return Ok(if trouble { TROUBLE } else { OK });
    }
    let Summary {
        files,
        lines,
        commands,
        invalid,
        warnings,
    } = summary;
    writeln!(
        stderr,
        "minimega-check: {files} file{}, {lines} lines, {commands} commands: {invalid} invalid, {warnings} warning{}",
        plural(files),
        plural(warnings)
    )
    .map_err(io)?;
    if trouble {
        return Ok(TROUBLE);
    }
    Ok(summary.status(options.deny_warnings))
}

/// A Rust function name for a script file: its stem in snake case
/// (`web-lab.mm` → `web_lab`), `script` if nothing is left.
pub fn function_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut name = name.trim_matches('_').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "script_");
    }
    if syn_keyword(&name) {
        name.push_str("_script");
    }
    name
}

fn syn_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "try"
            | "gen"
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn io(error: std::io::Error) -> String {
    format!("cannot write the report: {error}")
}

/// Reads and validates a spec dump.
pub fn load_spec(path: &Path) -> Result<Spec, String> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the spec `{}`: {e}", path.display()))?;
    Spec::from_json(&json).map_err(|e| format!("in the spec `{}`: {e}", path.display()))
}

fn read_script(path: &Path) -> Result<Vec<u8>, String> {
    if path.is_dir() {
        return Err(format!("`{}` is a directory", path.display()));
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Runs the program on `stdin`; returns the status, stdout and stderr.
    fn run_on(list: &[&str], stdin: &str) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = main(&args(list), &mut stdin.as_bytes(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn arguments() {
        assert_eq!(
            parse_args(&args(&["--spec", "s.json", "a.mm", "-", "--", "--odd"])),
            Ok(Request::Check(Options {
                spec: Some("s.json".into()),
                deny_warnings: false,
                to_rust: false,
                files: args(&["a.mm", "-", "--odd"]),
            }))
        );
        assert_eq!(parse_args(&args(&["-h"])), Ok(Request::Help));
        assert!(parse_args(&args(&[])).unwrap_err().contains("no files"));
        assert!(parse_args(&args(&["--frob", "a"]))
            .unwrap_err()
            .contains("`--frob`"));
        assert!(parse_args(&args(&["--spec"])).is_err());
    }

    #[test]
    fn a_good_script_passes() {
        let (code, out, err) = run_on(&["-"], "# lab\n\nvm config memory 2048\nvm launch kvm 2\n");
        assert_eq!((code, out.as_str()), (OK, ""));
        assert_eq!(
            err,
            "minimega-check: 1 file, 4 lines, 2 commands: 0 invalid, 0 warnings\n"
        );
    }

    #[test]
    fn every_bad_line_is_reported_and_the_status_says_so() {
        let (code, out, err) = run_on(&["-"], "vm lunch kvm 2\nvm info\nvm launch kvm\n");
        assert_eq!(code, INVALID);
        assert!(
            out.starts_with("<stdin>:1:4: error: unknown word `lunch` after `vm`\n"),
            "{out}"
        );
        assert!(
            out.contains("<stdin>:3:11: error: `vm launch kvm` is not a whole command\n"),
            "{out}"
        );
        assert!(err.contains("2 invalid"), "{err}");
    }

    #[test]
    fn warnings_pass_unless_denied() {
        let (code, out, _) = run_on(&["-"], "vm snapshot\n");
        assert_eq!(code, OK);
        assert!(
            out.starts_with("<stdin>:1:1: warning: `vm snapshot` is deprecated"),
            "{out}"
        );
        let (code, _, _) = run_on(&["--deny-warnings", "-"], "vm snapshot\n");
        assert_eq!(code, INVALID);
    }

    #[test]
    fn scripts_as_rust() {
        let script = "# lab\nvm launch kvm 2\nvmr\nvm flush\nvm config memory\n";
        let (code, out, _) = run_on(&["--to-rust", "-"], script);
        assert_eq!(code, OK);
        assert!(out.contains("pub fn stdin("), "{out}");
        assert!(
            out.contains("    // line 2: vm launch kvm 2\n    mm.vm().launch().kvm(\"2\").run()?;"),
            "{out}"
        );
        assert!(out.contains("// not typed: unknown command `vmr`"), "{out}");
        // The word alone: a target's keeps the word, a setting's read says so.
        assert!(out.contains("mm.vm().flush().run()?;"), "{out}");
        assert!(
            out.contains("mm.vm().config().memory_current().run()?;"),
            "{out}"
        );
        assert_eq!(function_name("labs/web-lab.mm"), "web_lab");
        assert_eq!(function_name("3d.mm"), "script_3d");
        assert_eq!(function_name("loop.mm"), "loop_script");
    }

    #[test]
    fn unreadable_files_and_specs_are_trouble() {
        let (code, _, err) = run_on(&["/no/such/file.mm"], "");
        assert_eq!(code, TROUBLE);
        assert!(err.contains("cannot read `/no/such/file.mm`"), "{err}");
        let (code, _, err) = run_on(&["--spec", "/no/such/spec.json", "-"], "");
        assert_eq!(code, TROUBLE);
        assert!(err.contains("cannot read the spec"), "{err}");
    }
}
