//! Records what a real minimega answers to a script, raw, as a fixture the
//! mock's conformance test replays.
//!
//! ```text
//! record --script S.mms --out S.jsonl (--socket PATH [--files DIR] | --minimega BIN [--scratch DIR])
//! ```
//!
//! With `--socket`, the script runs against a running minimega (its files
//! directory, for `@file`, is `--files`, default `files/` beside the
//! socket). With `--minimega`, the recorder starts a fresh daemon of its
//! own (scratch `-base`, its own mesh port and context), runs the script,
//! and stops it. The script format is described in
//! `xtask::fixture`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use minimega_client::protocol::Message;
use xtask::fixture::{
    Exchange, Header, RawConnection, Recording, ScratchDaemon, Session, SessionLine, FORMAT,
};

const USAGE: &str = "usage: record --script S.mms --out S.jsonl \
(--socket PATH [--files DIR] | --minimega BIN [--scratch DIR]) [--timeout SECONDS]";

struct Options {
    script: PathBuf,
    out: PathBuf,
    target: Target,
    timeout: Duration,
}

enum Target {
    Socket {
        path: PathBuf,
        files: Option<PathBuf>,
    },
    Daemon {
        bin: PathBuf,
        scratch: PathBuf,
    },
}

fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("record: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(count) => {
            eprintln!(
                "record: {count} requests recorded in {}",
                options.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("record: {message}");
            ExitCode::FAILURE
        }
    }
}

fn options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut flags = xtask::Flags::parse(args)?;
    let mut take = |name: &str| flags.take(name);
    let script = take("--script").ok_or("--script is required")?;
    let out = take("--out").ok_or("--out is required")?;
    let timeout = match take("--timeout") {
        Some(text) => text
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("--timeout {text}: not a number of seconds"))?,
        None => Duration::from_secs(120),
    };
    let target = match (take("--socket"), take("--minimega")) {
        (Some(path), None) => Target::Socket {
            path: path.into(),
            files: take("--files").map(PathBuf::from),
        },
        (None, Some(bin)) => Target::Daemon {
            bin: bin.into(),
            scratch: take("--scratch").map_or_else(std::env::temp_dir, PathBuf::from),
        },
        _ => return Err("give exactly one of --socket and --minimega".to_owned()),
    };
    flags.finish()?;
    Ok(Options {
        script: script.into(),
        out: out.into(),
        target,
        timeout,
    })
}

fn run(options: &Options) -> Result<usize, String> {
    let text = std::fs::read_to_string(&options.script)
        .map_err(|e| format!("{}: {e}", options.script.display()))?;
    let script = Session::parse(&text).map_err(|e| format!("{}: {e}", options.script.display()))?;
    let (socket, files_dir, daemon) = match &options.target {
        Target::Socket { path, files } => {
            if !script.env.is_empty() {
                return Err("the script sets `@env`, which needs a daemon of its own \
                            (--minimega)"
                    .to_owned());
            }
            let files = files.clone().unwrap_or_else(|| {
                path.parent()
                    .unwrap_or_else(|| Path::new("."))
                    .join("files")
            });
            (path.clone(), files, None)
        }
        Target::Daemon { bin, scratch } => {
            let daemon = ScratchDaemon::start(bin, scratch, &script.env)?;
            (daemon.socket(), daemon.files_dir(), Some(daemon))
        }
    };
    let recording = record(options, &script, &socket, &files_dir, daemon.is_some())?;
    drop(daemon);
    let count = recording.exchanges.len();
    std::fs::write(&options.out, recording.to_jsonl())
        .map_err(|e| format!("{}: {e}", options.out.display()))?;
    Ok(count)
}

fn record(
    options: &Options,
    script: &Session,
    socket: &Path,
    files_dir: &Path,
    fresh: bool,
) -> Result<Recording, String> {
    // What the header says is asked on a connection of its own, so that the
    // recording holds only the script's requests.
    let mut setup = RawConnection::open(socket, options.timeout)?;
    let version =
        single_text(&setup.exchange(&SessionLine::Command("version".into()).request_line())?);
    let head =
        single_text(&setup.exchange(&SessionLine::Command("host name".into()).request_line())?);
    let peers =
        setup.exchange(&SessionLine::Command("mesh send all host name".into()).request_line())?;
    drop(setup);
    let mut hosts: Vec<String> = answers(&peers)
        .into_iter()
        .filter(|(host, error)| error.is_empty() && *host != head)
        .map(|(host, _)| host)
        .collect();
    hosts.sort();
    hosts.insert(0, head);

    let written = write_files(files_dir, &script.files)?;
    let mut conn = RawConnection::open(socket, options.timeout)?;
    let mut exchanges = Vec::new();
    let mut failure = None;
    for step in &script.lines {
        let request = step.request_line();
        eprintln!("> {request}");
        match conn.exchange(&request) {
            Ok(lines) => exchanges.push(Exchange { request, lines }),
            Err(message) => {
                failure = Some(message);
                break;
            }
        }
    }
    for path in written {
        let _ = std::fs::remove_file(path);
    }
    if let Some(message) = failure {
        return Err(message);
    }
    Ok(Recording {
        header: Header {
            format: FORMAT,
            script: options
                .script
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            version,
            hosts,
            files_dir: files_dir.to_string_lossy().into_owned(),
            env: script.env.clone(),
            fresh,
        },
        exchanges,
    })
}

fn write_files(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if path.exists() {
            return Err(format!(
                "{} exists already; the recorder will not overwrite it",
                path.display()
            ));
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Each response's host and error, over every answer line.
fn answers(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|line| Message::parse(line.trim_end()).ok())
        .flat_map(|message| message.resp.unwrap_or_default())
        .map(|r| (r.host, r.error))
        .collect()
}

/// The text of an answer's first response.
fn single_text(lines: &[String]) -> String {
    lines
        .iter()
        .filter_map(|line| Message::parse(line.trim_end()).ok())
        .flat_map(|message| message.resp.unwrap_or_default())
        .map(|r| r.response)
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Options, String> {
        options(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn options_name_one_daemon() {
        let options = parse("--script s.mms --out s.jsonl --socket /run/mm --timeout 5").unwrap();
        assert_eq!(options.timeout, Duration::from_secs(5));
        assert!(matches!(
            options.target,
            Target::Socket { ref path, files: None } if path == Path::new("/run/mm")
        ));
        let daemon = parse("--script s --out o --minimega /bin/mm --scratch /tmp/x").unwrap();
        assert!(matches!(daemon.target, Target::Daemon { .. }));

        for (line, error) in [
            ("--script s --out o", "exactly one of"),
            (
                "--script s --out o --socket a --minimega b",
                "exactly one of",
            ),
            ("--out o --socket a", "--script is required"),
            (
                "--script s --out o --socket a --colour red",
                "unknown option `--colour`",
            ),
            ("--script s --out o --socket", "wants a value"),
            ("--script s --script t --out o --socket a", "given twice"),
            (
                "--script s --out o --socket a --timeout soon",
                "not a number",
            ),
            ("stray", "unexpected argument"),
        ] {
            let message = parse(line).err().unwrap_or_default();
            assert!(message.contains(error), "{line}: {message}");
        }
    }

    #[test]
    fn answers_give_hosts_and_text() {
        let lines = vec![
            "{\"Resp\":[{\"Host\":\"node2\",\"Response\":\"node2\",\"Error\":\"\"},\
             {\"Host\":\"node3\",\"Response\":\"\",\"Error\":\"boom\"}],\"More\":false}\n"
                .to_owned(),
        ];
        assert_eq!(
            answers(&lines),
            [
                ("node2".to_owned(), String::new()),
                ("node3".to_owned(), "boom".to_owned())
            ]
        );
        assert_eq!(single_text(&lines), "node2");
    }
}
