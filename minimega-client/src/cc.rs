//! cc, from command to answer: the id minimega gives a new cc command, the
//! `cc clients` and `cc commands` tables as rows, and `cc responses` as
//! one typed [`CcResponse`] per agent, which
//! [`Wait::wait_for_cc_responses`](crate::Wait::wait_for_cc_responses)
//! waits for.
//!
//! ```no_run
//! # mod minimega { pub mod runtime { pub use minimega_client::*; } }
//! use std::time::Duration;
//! use minimega::runtime::{cc, Client, Wait};
//!
//! let mut mm = Client::connect()?;
//! let queued = mm.run_line("cc exec uname -a")?;
//! let id = cc::command_id(&queued)?;
//! for response in mm.wait_for_cc_responses(id, Duration::from_secs(60))? {
//!     println!("{}: {}", response.uuid, response.stdout.trim_end());
//! }
//! # Ok::<(), minimega::runtime::Error>(())
//! ```
//!
//! minimega keeps one cc filter and prefix per namespace, shared by every
//! client: a `cc filter` set by one client applies to the next `cc exec` of
//! any client in that namespace. minimega offers no way to give a command
//! its own filter, so a script that must not race another should run its
//! filter and command in a namespace of its own.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;
use crate::response::Responses;

/// The id of the cc command a `cc exec`, `cc background`, `cc send` or
/// `cc recv` queued: minimega returns it as the response's `Data`.
pub fn command_id(answer: &Responses) -> Result<u64, Error> {
    let response = answer.single()?;
    response.data_as::<u64>()
}

/// One row of `cc clients`: an agent that has checked in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CcClient {
    /// The host whose agent it is.
    pub host: String,
    /// The VM's UUID, which names the agent.
    pub uuid: String,
    /// The host name the guest reports.
    pub hostname: String,
    /// The guest's architecture (`amd64`).
    pub arch: String,
    /// The guest's operating system (`linux`).
    pub os: String,
    /// The guest's IP addresses.
    pub ip: Vec<String>,
    /// The guest's MAC addresses.
    pub mac: Vec<String>,
}

/// One row of `cc commands`: a command minimega holds for its agents.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CcCommand {
    /// The host that holds it.
    pub host: String,
    /// Its id.
    pub id: u64,
    /// The prefix it was given (`cc prefix`).
    pub prefix: String,
    /// The program and its arguments; empty for a file transfer.
    pub command: Vec<String>,
    /// How many agents have answered it.
    pub responses: u64,
    /// Whether it runs in the background.
    pub background: bool,
    /// Whether it runs once, on the first agent to take it.
    pub once: bool,
    /// Files sent to the agents.
    pub sent: Vec<String>,
    /// Files received from them.
    pub received: Vec<String>,
    /// The connectivity test, if it is one.
    pub connectivity: String,
    /// The log level, if it sets one.
    pub level: String,
    /// The filter that chose its agents (`hostname=cc1`), empty for all.
    pub filter: String,
}

/// What one agent answered to one cc command, from `cc responses`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CcResponse {
    /// The host whose agent answered.
    pub host: String,
    /// The command's id.
    pub id: u64,
    /// The agent's UUID (the VM's).
    pub uuid: String,
    /// What the command wrote to standard output.
    pub stdout: String,
    /// What it wrote to standard error.
    pub stderr: String,
    /// Files the agent sent back (`cc recv`), by their path on the guest,
    /// with their contents.
    pub files: BTreeMap<String, String>,
    /// The command's exit code, where minimega recorded one (`cc exec`,
    /// not `cc background`); filled by
    /// [`Wait::wait_for_cc_responses`](crate::Wait::wait_for_cc_responses).
    pub exit_code: Option<i32>,
}

impl CcResponse {
    /// An answer with no output, from the agent `uuid` on `host`.
    pub(crate) fn silent(host: String, id: u64, uuid: String) -> CcResponse {
        CcResponse {
            host,
            id,
            uuid,
            ..CcResponse::default()
        }
    }
}

/// Reads the text of `cc responses` (without `raw`), as `host` sent it:
/// for each file of each answer, a line `ID/UUID/NAME:`, the file's
/// contents and a line break. A line of the contents that looks like such
/// a header cannot be told from one.
pub fn parse_responses(host: &str, text: &str) -> Vec<CcResponse> {
    let mut answers: Vec<CcResponse> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut body = String::new();
    /// Files the body read so far under the current header.
    fn finish(
        current: &mut Option<(usize, String)>,
        body: &mut String,
        answers: &mut [CcResponse],
    ) {
        if let Some((index, name)) = current.take() {
            // minimega writes each file's contents and then a line break.
            let contents = body.strip_suffix('\n').unwrap_or(body).to_owned();
            let answer = &mut answers[index];
            match name.as_str() {
                "stdout" => answer.stdout = contents,
                "stderr" => answer.stderr = contents,
                path => {
                    answer.files.insert(format!("/{path}"), contents);
                }
            }
        }
        body.clear();
    }
    for line in text.split_inclusive('\n') {
        if let Some((id, uuid, name)) = header(line) {
            finish(&mut current, &mut body, &mut answers);
            let index = match answers.iter().position(|a| a.id == id && a.uuid == uuid) {
                Some(index) => index,
                None => {
                    answers.push(CcResponse {
                        host: host.to_owned(),
                        id,
                        uuid: uuid.to_owned(),
                        ..CcResponse::default()
                    });
                    answers.len() - 1
                }
            };
            current = Some((index, name.to_owned()));
        } else if current.is_some() {
            body.push_str(line);
        }
    }
    finish(&mut current, &mut body, &mut answers);
    answers
}

/// A header line `ID/UUID/NAME:`, split.
fn header(line: &str) -> Option<(u64, &str, &str)> {
    let line = line.strip_suffix('\n')?.strip_suffix(':')?;
    let (id, rest) = line.split_once('/')?;
    let (uuid, name) = rest.split_once('/')?;
    let uuid_like = uuid.len() == 36 && uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let id = id.parse().ok()?;
    (uuid_like && !name.is_empty()).then_some((id, uuid, name))
}

/// Whether an agent is one a command's filter (`key=value` pairs, as
/// `cc commands` shows them) chooses, as far as `cc clients` tells: keys it
/// does not show (tags) are taken to match.
pub(crate) fn chooses(filter: &str, client: &CcClient) -> bool {
    filter.split_whitespace().all(|pair| {
        let Some((key, value)) = pair.split_once('=') else {
            return true;
        };
        match key {
            "uuid" => client.uuid.eq_ignore_ascii_case(value),
            "hostname" => client.hostname == value,
            "arch" => client.arch == value,
            "os" => client.os == value,
            "ip" => client.ip.iter().any(|ip| ip == value),
            "mac" => client.mac.iter().any(|mac| mac.eq_ignore_ascii_case(value)),
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID1: &str = "b4e425d9-37d4-4ec3-bd10-2294a25730bb";
    const UUID2: &str = "93de5d43-a8ac-4cb8-b635-8e54a7d0fa66";

    #[test]
    fn reads_responses_as_minimega_writes_them() {
        // As recorded from minimega 3.1.0 with two agents.
        let text = format!(
            "1/{UUID2}/stdout:\ncc2\n\n1/{UUID1}/stdout:\ncc1\n\n4/{UUID1}/etc/hostname:\ncc1\n\n\
             5/{UUID1}/stderr:\nno newline at the end\n5/{UUID1}/stdout:\na\n\nb\n\n"
        );
        let answers = parse_responses("vm", &text);
        assert_eq!(answers.len(), 4);
        assert_eq!((answers[0].id, answers[0].uuid.as_str()), (1, UUID2));
        assert_eq!(answers[0].stdout, "cc2\n");
        assert_eq!(answers[1].stdout, "cc1\n");
        assert_eq!(answers[2].files["/etc/hostname"], "cc1\n");
        assert_eq!(answers[3].stderr, "no newline at the end");
        assert_eq!(answers[3].stdout, "a\n\nb\n", "blank lines inside stay");
        assert!(answers.iter().all(|a| a.host == "vm"));
        assert!(parse_responses("vm", "").is_empty());
    }

    #[test]
    fn cc_tables_read_as_recorded() {
        use crate::protocol::WireResponse;
        use crate::response::Response;

        let table = |header: &str, row: &str| {
            Response::from(WireResponse {
                host: "vm".into(),
                header: Some(header.split(' ').map(str::to_owned).collect()),
                tabular: Some(vec![row.split('|').map(str::to_owned).collect()]),
                ..WireResponse::default()
            })
        };
        let clients: Vec<CcClient> = table(
            "uuid hostname arch os ip mac",
            &format!("{UUID1}|cc1|amd64|linux|[]|[]"),
        )
        .rows_as()
        .unwrap();
        assert_eq!(clients[0].hostname, "cc1");
        assert!(clients[0].ip.is_empty());
        let commands: Vec<CcCommand> = table(
            "id prefix command responses background once sent received connectivity level filter",
            "5||[cat /tmp/miniccc/files/foo]|1|false|false|[]|[]|||hostname=cc1",
        )
        .rows_as()
        .unwrap();
        let command = &commands[0];
        assert_eq!(command.command, ["cat", "/tmp/miniccc/files/foo"]);
        assert_eq!((command.id, command.responses), (5, 1));
        assert_eq!(command.filter, "hostname=cc1");
    }

    #[test]
    fn filters_choose_agents_as_far_as_cc_clients_tells() {
        let client = CcClient {
            host: "vm".into(),
            uuid: UUID1.into(),
            hostname: "cc1".into(),
            arch: "amd64".into(),
            os: "linux".into(),
            ip: vec!["10.0.0.1".into()],
            mac: vec![],
        };
        assert!(chooses("", &client));
        assert!(chooses("hostname=cc1", &client));
        assert!(!chooses("hostname=cc2", &client));
        assert!(chooses("os=linux ip=10.0.0.1", &client));
        assert!(chooses("tag=x", &client), "tags are not in `cc clients`");
    }
}
