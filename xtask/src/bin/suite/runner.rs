//! Where the suite's tests run (a mock the suite serves, a running
//! minimega, or `.got` files written earlier) and how (minimega's own
//! `minitest`, or the built-in runner that writes the same output).

use std::path::{Path, PathBuf};
use std::process::Command;

use minimega_client::protocol::{Message, Request};
use minimega_mock::{Answered, MockMinimega};
use xtask::fixture::RawConnection;

use super::{Options, WANT_BASE};

/// Where the tests run.
pub(crate) enum Target {
    /// A mock the suite serves, at this base or the default one.
    Mock { base: Option<PathBuf> },
    /// A running minimega's socket.
    Socket(PathBuf),
    /// `.got` files minitest wrote earlier.
    Got(PathBuf),
}

/// The tests of one folder, and the hosts they are written for.
pub(crate) struct Group {
    /// `single` or `distributed`.
    pub(crate) label: &'static str,
    pub(crate) dir: PathBuf,
    /// The test names, sorted as minitest's directory listing sorts them.
    pub(crate) tests: Vec<String>,
    pub(crate) hosts: Vec<String>,
}

/// Files minitest runs around the tests rather than as tests.
const SPECIAL: [&str; 4] = ["prolog", "epilog", "enter", "exit"];

impl Group {
    /// The single-host tests of `dir`.
    pub(crate) fn single(dir: &Path) -> Result<Option<Group>, String> {
        Group::read("single", dir, vec!["minimega".to_owned()]).map(Some)
    }

    /// The tests of `dir/distributed`, if there is such a folder.
    pub(crate) fn distributed(dir: &Path, hosts: &[String]) -> Result<Option<Group>, String> {
        let dir = dir.join("distributed");
        if !dir.is_dir() {
            return Ok(None);
        }
        Group::read("distributed", &dir, hosts.to_vec()).map(Some)
    }

    fn read(label: &'static str, dir: &Path, hosts: Vec<String>) -> Result<Group, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut tests = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry
                .file_type()
                .is_ok_and(|t| t.is_file() || t.is_symlink());
            if is_file
                && !name.starts_with('.')
                && !name.ends_with(".want")
                && !name.ends_with(".got")
                && !SPECIAL.contains(&name.as_str())
            {
                tests.push(name);
            }
        }
        tests.sort();
        Ok(Group {
            label,
            dir: dir.to_owned(),
            tests,
            hosts,
        })
    }
}

/// What one test came to.
pub(crate) struct Outcome {
    /// minitest's output for the script.
    pub(crate) got: String,
    /// The requests (prolog and epilog included) the mock did not simulate.
    pub(crate) unsimulated: Vec<String>,
}

/// Runs one group's tests, one at a time.
pub(crate) struct Runner {
    mock: Option<MockMinimega>,
    /// The directory the server was started with, for `-base` and for
    /// writing its paths as `/tmp/minimega`.
    base: PathBuf,
    /// A base directory the suite made, removed when done.
    made_base: bool,
    got_dir: Option<PathBuf>,
    minitest: Option<PathBuf>,
    /// A scratch folder of links to the group's scripts, for minitest.
    links: Option<PathBuf>,
    group_dir: PathBuf,
    timeout: std::time::Duration,
    /// The stand-in `$images` folder made for the mock.
    images: Option<PathBuf>,
}

impl Runner {
    pub(crate) fn new(options: &Options, group: &Group) -> Result<Runner, String> {
        let mut runner = Runner {
            mock: None,
            base: PathBuf::from(WANT_BASE),
            made_base: false,
            got_dir: None,
            minitest: options.minitest.clone(),
            links: None,
            group_dir: group.dir.clone(),
            timeout: options.timeout,
            images: None,
        };
        match &options.target {
            Target::Got(dir) => {
                let dir = if group.label == "distributed" {
                    dir.join("distributed")
                } else {
                    dir.clone()
                };
                runner.got_dir = Some(dir);
                runner.minitest = None;
                return Ok(runner);
            }
            Target::Socket(socket) => {
                runner.base = socket.parent().unwrap_or(Path::new("/")).to_owned();
            }
            Target::Mock { base } => {
                let (base, made) = mock_base(base.as_deref())?;
                runner.base = base;
                runner.made_base = made;
                let images = stand_in_images(group)?;
                let mock = MockMinimega::builder()
                    .hosts(group.hosts.clone())
                    .env("images", images.to_string_lossy())
                    .images_exist(true)
                    .base_dir(&runner.base)
                    .received_capacity(1 << 20)
                    .start()
                    .map_err(|e| format!("{}: {e}", runner.base.display()))?;
                runner.mock = Some(mock);
                runner.images = Some(images);
            }
        }
        if runner.minitest.is_some() {
            runner.links = Some(link_dir(group)?);
        }
        Ok(runner)
    }

    /// The server's base as it appears in paths, for `/tmp/minimega`.
    pub(crate) fn base_prefix(&self) -> String {
        self.base.to_string_lossy().trim_end_matches('/').to_owned()
    }

    /// Whether the tests' output is read from `.got` files.
    pub(crate) fn reads_got(&self) -> bool {
        self.got_dir.is_some()
    }

    fn socket(&self) -> PathBuf {
        self.base.join("minimega")
    }

    pub(crate) fn run_test(&mut self, name: &str) -> Result<Outcome, String> {
        if let Some(dir) = &self.got_dir {
            let path = dir.join(format!("{name}.got"));
            let got =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(Outcome {
                got,
                unsimulated: Vec::new(),
            });
        }
        let before = self.mock.as_ref().map_or(0, |m| m.received().len());
        let got = match (&self.minitest, &self.links) {
            (Some(minitest), Some(links)) => self.minitest(minitest, links, name)?,
            _ => self.built_in(name)?,
        };
        let unsimulated = self.mock.as_ref().map_or_else(Vec::new, |mock| {
            mock.received()
                .into_iter()
                .skip(before)
                .filter(|r| r.answered == Answered::NotSimulated)
                .map(|r| r.line)
                .collect()
        });
        Ok(Outcome { got, unsimulated })
    }

    /// minimega's runner on this one test: prolog, script, epilog.
    fn minitest(&self, minitest: &Path, links: &Path, name: &str) -> Result<String, String> {
        let got = links.join(format!("{name}.got"));
        let _ = std::fs::remove_file(&got);
        let output = Command::new(minitest)
            .arg("-base")
            .arg(&self.base)
            .arg("-dir")
            .arg(links)
            .args(["-run", &format!("^{name}$")])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", minitest.display()))?;
        std::fs::read_to_string(&got).map_err(|e| {
            format!(
                "minitest wrote no {} ({e}): {}",
                got.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }

    /// The built-in runner: what minitest does, on one connection.
    fn built_in(&self, name: &str) -> Result<String, String> {
        let mut conn = RawConnection::open(&self.socket(), self.timeout)?;
        let base = self.base_prefix();
        let prolog = self.group_dir.join("prolog");
        if prolog.is_file() {
            run_file(&mut conn, &prolog, &base)?;
        }
        let got = run_file(&mut conn, &self.group_dir.join(name), &base)?;
        let epilog = self.group_dir.join("epilog");
        if epilog.is_file() {
            run_file(&mut conn, &epilog, &base)?;
        }
        Ok(got)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        drop(self.mock.take());
        for dir in [&self.links, &self.images].into_iter().flatten() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if self.made_base {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }
}

/// Where the mock is served: the base asked for, else `/tmp/minimega`
/// when no server answers there, else a fresh directory. Says whether the
/// suite made the directory (and so removes it).
fn mock_base(asked: Option<&Path>) -> Result<(PathBuf, bool), String> {
    if let Some(base) = asked {
        let made = !base.exists();
        std::fs::create_dir_all(base).map_err(|e| format!("{}: {e}", base.display()))?;
        return Ok((base.to_owned(), made));
    }
    let default = Path::new(WANT_BASE);
    let socket = default.join("minimega");
    let live = std::os::unix::net::UnixStream::connect(&socket).is_ok();
    if !live && !default.exists() {
        std::fs::create_dir_all(default).map_err(|e| format!("{WANT_BASE}: {e}"))?;
        return Ok((default.to_owned(), true));
    }
    if !live && !socket.exists() {
        return Ok((default.to_owned(), false));
    }
    let dir = std::env::temp_dir().join(format!("minimega-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "suite: {WANT_BASE} is in use; serving the mock at {} (its paths written {WANT_BASE})",
        dir.display()
    );
    Ok((dir, true))
}

/// A folder standing for the `$images` the suite's scripts name (VM
/// images on the machine the `.want` files were made on): an empty folder
/// for each container filesystem (`…fs`), an empty file for the rest, so
/// that the mock launches containers as that machine did. The mock looks
/// only at whether a filesystem exists.
fn stand_in_images(group: &Group) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "minimega-suite-images-{}-{}",
        group.label,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for test in group.tests.iter().map(String::as_str).chain(SPECIAL) {
        let text = std::fs::read_to_string(group.dir.join(test)).unwrap_or_default();
        for (at, _) in text.match_indices("$images/") {
            let rest = &text[at + "$images/".len()..];
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            names.push(rest[..end].to_owned());
        }
    }
    for name in names {
        let mut parts = name.split('/').filter(|p| !p.is_empty() && *p != "..");
        let Some(first) = parts.next() else { continue };
        let path = dir.join(first);
        let made = match parts.next() {
            Some(inner) => {
                std::fs::create_dir_all(&path).and_then(|()| std::fs::write(path.join(inner), ""))
            }
            None if first.ends_with("fs") => std::fs::create_dir_all(&path),
            None => std::fs::write(&path, ""),
        };
        made.map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir)
}

/// A scratch folder of links to the group's scripts, without `enter` and
/// `exit` and without subfolders, so that minitest runs only these tests.
fn link_dir(group: &Group) -> Result<PathBuf, String> {
    let links = std::env::temp_dir().join(format!(
        "minimega-suite-{}-{}",
        group.label,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&links);
    std::fs::create_dir_all(&links).map_err(|e| format!("{}: {e}", links.display()))?;
    let dir = std::fs::canonicalize(&group.dir).map_err(|e| e.to_string())?;
    let mut names: Vec<String> = group.tests.clone();
    names.extend(group.tests.iter().map(|t| format!("{t}.want")));
    names.extend(["prolog".to_owned(), "epilog".to_owned()]);
    for name in names {
        let from = dir.join(&name);
        if from.is_file() {
            std::os::unix::fs::symlink(&from, links.join(&name))
                .map_err(|e| format!("{}: {e}", links.display()))?;
        }
    }
    Ok(links)
}

/// Runs every line of `path` as minitest does, and writes what it writes:
/// `## line` (or an empty line, which is not sent), the answer's errors,
/// sorted, as `E: …`, and its rendered text. A server whose base is not
/// `/tmp/minimega` is sent its own base in place of that path.
fn run_file(conn: &mut RawConnection, path: &Path, base: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(&format!("## {line}\n"));
        let sent = line.replace(WANT_BASE, base);
        let request = serde_json::to_string(&Request::command(sent)).map_err(|e| e.to_string())?;
        for raw in conn.exchange(&request)? {
            let message = Message::parse(raw.trim_end())?;
            let mut errors: Vec<String> = message
                .resp
                .unwrap_or_default()
                .into_iter()
                .filter(|r| !r.error.is_empty())
                .map(|r| format!("E: {}", r.error))
                .collect();
            if !errors.is_empty() {
                errors.sort();
                out.push_str(&errors.join("\n"));
                out.push('\n');
            }
            if !message.rendered.is_empty() {
                out.push_str(&message.rendered);
                out.push('\n');
            }
        }
    }
    Ok(out)
}
