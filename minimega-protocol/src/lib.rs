//! The JSON exchanged on minimega's command socket (minimega 3.1.0): the
//! wire types the client and the mock both speak, in a crate of their own
//! so that neither depends on the other for them (as `postgres-protocol`
//! serves `tokio-postgres`).
//!
//! The client writes one [`Request`] per command. minimega answers with
//! newline-terminated [`Message`]s: a command's answer is every message up
//! to the first with `More: false` that is not a status message. Status
//! messages (`Status: true`) are progress written by another part of
//! minimega; they can arrive before, between or after any answer and are
//! never part of one.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One request: a command to run or a line to complete, never both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// A command line to run.
    #[serde(rename = "Command", default, skip_serializing_if = "String::is_empty")]
    pub command: String,
    /// A partial line to complete.
    #[serde(rename = "Suggest", default, skip_serializing_if = "String::is_empty")]
    pub suggest: String,
    /// A named pipe to attach to (not used by this client).
    #[serde(
        rename = "PlumbPipe",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub plumb_pipe: String,
}

impl Request {
    /// A request to run `line`.
    pub fn command(line: impl Into<String>) -> Request {
        Request {
            command: line.into(),
            ..Request::default()
        }
    }

    /// A request to complete `input`.
    pub fn suggest(input: impl Into<String>) -> Request {
        Request {
            suggest: input.into(),
            ..Request::default()
        }
    }
}

/// One host's response, as minimega encodes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WireResponse {
    /// The host that answered.
    #[serde(rename = "Host", default)]
    pub host: String,
    /// The text answer.
    #[serde(rename = "Response", default)]
    pub response: String,
    /// Column names of a tabular answer.
    #[serde(rename = "Header", default)]
    pub header: Option<Vec<String>>,
    /// Rows of a tabular answer.
    #[serde(rename = "Tabular", default)]
    pub tabular: Option<Vec<Vec<String>>>,
    /// The error, empty when the command succeeded on this host.
    #[serde(rename = "Error", default)]
    pub error: String,
    /// Structured data some commands attach.
    #[serde(rename = "Data", default)]
    pub data: Value,
}

/// One line minimega writes on the socket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The responses, one per host; `null` for comment lines, suggestions
    /// and status messages.
    #[serde(rename = "Resp", default)]
    pub resp: Option<Vec<WireResponse>>,
    /// minimega's own rendering of the responses, or the status text.
    #[serde(rename = "Rendered", default)]
    pub rendered: String,
    /// Whether more messages of the same answer follow. Required: minimega
    /// always sends it, so a line without it is not one of its messages.
    #[serde(rename = "More")]
    pub more: bool,
    /// Whether this is a status message rather than part of an answer.
    #[serde(rename = "Status", default)]
    pub status: bool,
    /// Completions, in answer to a [`Request::suggest`].
    #[serde(rename = "Suggest", default, skip_serializing_if = "Option::is_none")]
    pub suggest: Option<Vec<String>>,
}

impl Message {
    /// A status message carrying `text`.
    pub fn status(text: impl Into<String>) -> Message {
        Message {
            rendered: text.into(),
            status: true,
            ..Message::default()
        }
    }

    /// Reads one line as a message; the error says why it is not one.
    pub fn parse(line: impl AsRef<[u8]>) -> Result<Message, String> {
        serde_json::from_slice(line.as_ref()).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => format!("not a minimega message: {e}"),
            _ => format!("not JSON: {e}"),
        })
    }
}

/// What one JSON object can cost once decoded, past its bytes on the wire:
/// a response of the answer, held as sent and again as the client's own,
/// each in a vector that may have doubled; or an object of `Data`, whose
/// map allocates a whole B-tree node for its first entry.
pub const DECODED_OBJECT_COST: usize = 1024;

/// What any other JSON value can cost once decoded: an array item or the
/// next entry of an object (a table cell, a `Data` value), in a vector or
/// node that may have doubled.
pub const DECODED_VALUE_COST: usize = 128;

/// An upper bound on the memory that reading `line` as a [`Message`], and
/// the client's responses made from it, can take: twice its bytes (the text
/// of its strings, read and kept), [`DECODED_OBJECT_COST`] for each `{` and
/// [`DECODED_VALUE_COST`] for each `[` or `,`, wherever they stand. A line
/// of 60 MB of empty objects decodes into gigabytes; this says so before a
/// byte of it is decoded.
///
/// ```
/// use minimega_protocol::decoded_bound;
///
/// let small = br#"{"Resp":null,"Rendered":"hi","More":false}"#;
/// assert!(decoded_bound(small) < 2048);
/// let empties = format!(r#"{{"Resp":[{}],"More":false}}"#, vec!["{}"; 1000].join(","));
/// assert!(decoded_bound(empties.as_bytes()) > 1000 * 1024);
/// ```
pub fn decoded_bound(line: &[u8]) -> usize {
    // Two plain counts over the bytes, which the compiler vectorises: a
    // fraction of what parsing the line costs.
    let objects: usize = line.iter().map(|&b| usize::from(b == b'{')).sum();
    let values: usize = line
        .iter()
        .map(|&b| usize::from(b == b'[' || b == b','))
        .sum();
    line.len()
        .saturating_mul(2)
        .saturating_add(objects.saturating_mul(DECODED_OBJECT_COST))
        .saturating_add(values.saturating_mul(DECODED_VALUE_COST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_encode_like_the_go_client() {
        let json = serde_json::to_string(&Request::command("vm info")).unwrap();
        assert_eq!(json, r#"{"Command":"vm info"}"#);
        let json = serde_json::to_string(&Request::suggest("vm la")).unwrap();
        assert_eq!(json, r#"{"Suggest":"vm la"}"#);
    }

    #[test]
    fn parses_answers_status_and_suggestions() {
        let answer = Message::parse(
            r#"{"Resp":[{"Host":"vm","Response":"","Header":["name"],"Tabular":[["vm1"]],"Error":"","Data":null}],"Rendered":"x","More":false,"Status":false}"#,
        )
        .unwrap();
        let resp = &answer.resp.as_ref().unwrap()[0];
        assert_eq!(resp.header.as_deref(), Some(&["name".to_owned()][..]));
        assert!(!answer.status);

        let status =
            Message::parse(r#"{"Resp":null,"Rendered":"copying","More":false,"Status":true}"#)
                .unwrap();
        assert!(status.status && status.resp.is_none());

        let suggest = Message::parse(
            r#"{"Resp":null,"Rendered":"","More":false,"Status":false,"Suggest":["vm launch "]}"#,
        )
        .unwrap();
        assert_eq!(suggest.suggest.unwrap(), ["vm launch "]);
    }

    #[test]
    fn rejects_what_is_not_a_message() {
        assert!(Message::parse("{\"Resp\": [")
            .unwrap_err()
            .starts_with("not JSON"));
        assert!(Message::parse("[1,2]").is_err());
        assert!(Message::parse(r#"{"More":"yes"}"#).is_err());
        let empty = Message::parse("{}").unwrap_err();
        assert!(empty.contains("missing field `More`"), "{empty}");
    }
}
