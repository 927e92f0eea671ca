//! minimega's answer, typed: one [`Response`] per host, gathered in
//! [`Responses`], with helpers that read tables by column name, into serde
//! types, and read `Data` as a typed value.
//!
//! Responses are never merged: each keeps the host that sent it, and the
//! helpers that span hosts (such as [`Responses::rows`]) keep the host on
//! every row.

use std::collections::BTreeMap;
use std::ops::Deref;

use serde_json::Value;

use crate::excerpt::excerpt;
use crate::failure::Failure;
use crate::protocol::WireResponse;

/// One host's response to a command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    host: String,
    text: String,
    header: Vec<String>,
    tabular: Vec<Vec<String>>,
    error: String,
    data: Value,
}

impl From<WireResponse> for Response {
    fn from(wire: WireResponse) -> Response {
        Response {
            host: wire.host,
            text: wire.response,
            header: wire.header.unwrap_or_default(),
            tabular: wire.tabular.unwrap_or_default(),
            error: wire.error,
            data: wire.data,
        }
    }
}

impl Response {
    /// The host that answered.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The text answer (minimega's `Response` field), empty for tables.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The column names of a tabular answer; empty otherwise.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows of a tabular answer, as sent.
    pub fn tabular(&self) -> &[Vec<String>] {
        &self.tabular
    }

    /// Whether the answer is a table.
    pub fn is_tabular(&self) -> bool {
        !self.header.is_empty()
    }

    /// The error this host reported, if any.
    pub fn error(&self) -> Option<&str> {
        (!self.error.is_empty()).then_some(self.error.as_str())
    }

    /// Whether this host reported no error.
    pub fn is_ok(&self) -> bool {
        self.error.is_empty()
    }

    /// The structured data some commands attach (`Null` when none).
    pub fn data(&self) -> &Value {
        &self.data
    }

    /// The rows of the table, each readable by column name.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.tabular.iter().map(move |cells| Row {
            host: &self.host,
            header: &self.header,
            cells,
        })
    }
}

/// One row of a table, with the host that sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    pub(crate) host: &'a str,
    pub(crate) header: &'a [String],
    pub(crate) cells: &'a [String],
}

impl<'a> Row<'a> {
    /// The host whose table this row belongs to.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The cell under `column`, if the table has that column.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let index = self.header.iter().position(|c| c == column)?;
        self.cells.get(index).map(String::as_str)
    }

    /// `(column, cell)` pairs in column order; a short row stops early.
    pub fn columns(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.header
            .iter()
            .map(String::as_str)
            .zip(self.cells.iter().map(String::as_str))
    }

    /// The cells, as sent.
    pub fn cells(&self) -> &'a [String] {
        self.cells
    }

    /// The row as a map from column name to cell.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.columns()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// A command's whole answer: every host's response, in the order minimega
/// sent them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Responses {
    command: String,
    responses: Vec<Response>,
    rendered: Vec<String>,
    statuses: Vec<String>,
    expected_hosts: Option<Vec<String>>,
}

impl Responses {
    pub(crate) fn new(command: String) -> Responses {
        Responses {
            command,
            ..Responses::default()
        }
    }

    pub(crate) fn push_message(&mut self, responses: Vec<WireResponse>, rendered: String) {
        self.responses
            .extend(responses.into_iter().map(Response::from));
        if !rendered.is_empty() {
            self.rendered.push(rendered);
        }
    }

    pub(crate) fn push_rendered(&mut self, rendered: Vec<String>) {
        self.rendered.extend(rendered);
    }

    pub(crate) fn expect_hosts(&mut self, hosts: Option<Vec<String>>) {
        self.expected_hosts = hosts;
    }

    pub(crate) fn push_response(&mut self, response: Response) {
        self.responses.push(response);
    }

    pub(crate) fn push_status(&mut self, status: String) {
        self.statuses.push(status);
    }

    /// The command line as sent (namespace prefix included).
    pub fn command(&self) -> &str {
        &self.command
    }

    /// The responses, as a vector.
    pub fn into_vec(self) -> Vec<Response> {
        self.responses
    }

    /// minimega's own rendering of the answer, as its CLI would print it.
    pub fn rendered(&self) -> String {
        self.rendered.join("\n")
    }

    /// Status messages that arrived while this command ran. They are
    /// progress from minimega, not part of the answer, and may have been
    /// sent for an earlier command.
    pub fn statuses(&self) -> &[String] {
        &self.statuses
    }

    /// The hosts that answered, in answer order (a host appears once per
    /// response it sent).
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.responses.iter().map(Response::host)
    }

    /// The hosts the command was addressed to that sent no response, in the
    /// order they were named. minimega answers a `mesh send` once per host
    /// that ran it and says nothing of the others (a name the mesh does not
    /// know, the node it was sent from), so the client compares: for a
    /// `mesh send` that names its hosts (`node[1-3]`, `a,b`), not for `all`
    /// or a namespace, whose hosts it does not know.
    pub fn missing_hosts(&self) -> Vec<&str> {
        self.expected_hosts
            .iter()
            .flatten()
            .filter(|host| !self.responses.iter().any(|r| r.host == **host))
            .map(String::as_str)
            .collect()
    }

    /// Every failing response's host and message. A message minimega made
    /// long (it echoes arguments, which may be megabytes) is cut as an
    /// error's quotes are; [`Response::error`] has it whole.
    pub fn failures(&self) -> Vec<Failure> {
        self.responses
            .iter()
            .filter_map(|r| {
                r.error().map(|message| Failure {
                    host: r.host.clone(),
                    message: excerpt(message),
                })
            })
            .collect()
    }

    /// Whether no host reported an error.
    pub fn is_ok(&self) -> bool {
        self.responses.iter().all(Response::is_ok)
    }

    /// Every row of every host's table, each knowing its host.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.responses.iter().flat_map(Response::rows)
    }
}

impl Deref for Responses {
    type Target = [Response];

    fn deref(&self) -> &[Response] {
        &self.responses
    }
}

impl IntoIterator for Responses {
    type Item = Response;
    type IntoIter = std::vec::IntoIter<Response>;

    fn into_iter(self) -> Self::IntoIter {
        self.responses.into_iter()
    }
}

impl<'a> IntoIterator for &'a Responses {
    type Item = &'a Response;
    type IntoIter = std::slice::Iter<'a, Response>;

    fn into_iter(self) -> Self::IntoIter {
        self.responses.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use serde::Deserialize;

    fn table(host: &str, header: &[&str], rows: &[&[&str]]) -> WireResponse {
        WireResponse {
            host: host.into(),
            header: Some(header.iter().map(|s| s.to_string()).collect()),
            tabular: Some(
                rows.iter()
                    .map(|r| r.iter().map(|s| s.to_string()).collect())
                    .collect(),
            ),
            ..WireResponse::default()
        }
    }

    fn answer(parts: Vec<WireResponse>) -> Responses {
        let mut responses = Responses::new("vm info".into());
        responses.push_message(parts, String::new());
        responses
    }

    #[test]
    fn rows_by_column_keep_their_host() {
        let all = answer(vec![
            table(
                "h1",
                &["name", "state"],
                &[&["a", "RUNNING"], &["b", "PAUSED"]],
            ),
            table("h2", &["name", "state"], &[&["c", "BUILDING"]]),
        ]);
        let rows: Vec<(String, String, String)> = all
            .rows()
            .map(|r| {
                (
                    r.host().to_owned(),
                    r.get("name").unwrap().to_owned(),
                    r.get("state").unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("h1".into(), "a".into(), "RUNNING".into()),
                ("h1".into(), "b".into(), "PAUSED".into()),
                ("h2".into(), "c".into(), "BUILDING".into()),
            ]
        );
        let first = all.rows().next().unwrap();
        assert_eq!(first.get("nope"), None);
        assert_eq!(first.to_map()["state"], "RUNNING");
        assert_eq!(
            all.single().unwrap_err().to_string(),
            "expected exactly one response, got 2"
        );
    }

    #[test]
    fn short_rows_do_not_panic() {
        let all = answer(vec![table("h1", &["name", "state"], &[&["a"]])]);
        let row = all.rows().next().unwrap();
        assert_eq!(row.get("state"), None);
        assert_eq!(row.columns().count(), 1);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Vm {
        host: String,
        name: String,
        state: State,
        memory: u64,
        vcpus: u8,
        snapshot: bool,
        #[serde(rename = "serial-ports")]
        serial_ports: u32,
        kernel: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "UPPERCASE")]
    enum State {
        Building,
        Running,
    }

    #[test]
    fn rows_deserialize_by_header() {
        let header = [
            "id",
            "name",
            "state",
            "memory",
            "vcpus",
            "snapshot",
            "serial-ports",
            "kernel",
        ];
        let all = answer(vec![table(
            "h1",
            &header,
            &[
                &["0", "vm1", "BUILDING", "128", "1", "true", "0", ""],
                &["1", "vm2", "RUNNING", "2048", "4", "false", "2", "/k"],
            ],
        )]);
        let vms: Vec<Vm> = all.rows_as().unwrap();
        assert_eq!(
            vms[0],
            Vm {
                host: "h1".into(),
                name: "vm1".into(),
                state: State::Building,
                memory: 128,
                vcpus: 1,
                snapshot: true,
                serial_ports: 0,
                kernel: None,
            }
        );
        assert_eq!(vms[1].kernel.as_deref(), Some("/k"));
        assert_eq!(vms[1].state, State::Running);
    }

    #[test]
    fn bad_cells_name_the_host_and_value() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Mem {
            memory: u64,
        }
        let all = answer(vec![table("h9", &["memory"], &[&["lots"]])]);
        let error = all.rows_as::<Mem>().unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("h9")
                && text.contains("column `memory`")
                && text.contains("`lots` is not a valid u64"),
            "{text}"
        );
        let extra = answer(vec![table("h9", &["memory"], &[&["1", "2"]])]);
        let error = extra.rows_as::<Mem>().unwrap_err().to_string();
        assert!(error.contains("2 cells for 1 columns"), "{error}");
        let missing = answer(vec![table("h9", &["name"], &[&["x"]])]);
        assert!(missing
            .rows_as::<Mem>()
            .unwrap_err()
            .to_string()
            .contains("missing field `memory`"));
    }

    #[test]
    fn borrowed_fields_and_host_column_from_the_table() {
        #[derive(Deserialize)]
        struct Named<'a> {
            host: &'a str,
            name: &'a str,
        }
        let all = answer(vec![table("h1", &["host", "name"], &[&["other", "vm1"]])]);
        let rows: Vec<Named> = all.rows_as().unwrap();
        assert_eq!((rows[0].host, rows[0].name), ("other", "vm1"));
    }

    #[test]
    fn data_reads_as_a_typed_value() {
        #[derive(Debug, Deserialize)]
        struct HostData {
            #[serde(rename = "Name")]
            name: String,
            #[serde(rename = "CPUs")]
            cpus: u32,
        }
        let response = Response::from(WireResponse {
            host: "h1".into(),
            data: serde_json::json!({"Name": "h1", "CPUs": 8, "Load": "0.1"}),
            ..WireResponse::default()
        });
        let data: HostData = response.data_as().unwrap();
        assert_eq!((data.name.as_str(), data.cpus), ("h1", 8));
        let none: Option<HostData> = Response::default().data_as().unwrap();
        assert!(none.is_none());
        let error = Response::default().data_as::<HostData>().unwrap_err();
        assert!(matches!(error, Error::Decode { ref what, .. } if what == "Data"));
    }

    #[test]
    fn a_long_host_error_is_quoted_cut_and_kept_whole() {
        let long = format!("vm not found: {}", "x".repeat(65_536));
        let failing = WireResponse {
            host: "h1".into(),
            error: long.clone(),
            ..WireResponse::default()
        };
        let error = answer(vec![failing]).into_result().unwrap_err();
        assert!(error.to_string().len() < 600, "{}", error.to_string().len());
        match error {
            Error::Command { responses, .. } => {
                assert_eq!(responses.iter().next().unwrap().error(), Some(&long[..]));
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn failures_keep_every_host() {
        let mut bad = table("h2", &[], &[]);
        bad.error = "vm not found: x".into();
        let worse = WireResponse {
            host: "h3".into(),
            error: "boom".into(),
            ..WireResponse::default()
        };
        let all = answer(vec![table("h1", &[], &[]), bad, worse]);
        assert!(!all.is_ok());
        let error = all.clone().into_result().unwrap_err();
        assert_eq!(
            error.failures(),
            [
                Failure {
                    host: "h2".into(),
                    message: "vm not found: x".into()
                },
                Failure {
                    host: "h3".into(),
                    message: "boom".into()
                },
            ]
        );
        match error {
            Error::Command { responses, .. } => assert_eq!(responses.len(), 3),
            other => panic!("{other}"),
        }
    }
}
