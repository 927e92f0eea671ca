//! The `Rendered` text of a message, as minimega's CLI writes it: aligned
//! tables with a `host` column, one `host: text` line per answer with equal
//! answers of several hosts joined under a range (`node[2-3]: hi`), CSV or
//! JSON when asked, errors left out (minimega prints them apart).

use std::cmp::Ordering;

use minimega_protocol::WireResponse;

/// How a message is rendered: minicli's output flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flags {
    /// `.annotate`: the host column, and `host: ` before text answers.
    pub(crate) annotate: bool,
    /// `.compress`: equal text answers of several hosts on one line.
    pub(crate) compress: bool,
    /// `.headers`: the header line of tables.
    pub(crate) headers: bool,
    /// `.sort`: table rows sorted.
    pub(crate) sort: bool,
    /// `.preprocess`: `$VAR` and `file:` expanded in arguments.
    pub(crate) preprocess: bool,
    /// `.record`: commands recorded in the history.
    pub(crate) record: bool,
    /// `.csv` or `.json`.
    pub(crate) mode: Mode,
}

/// Plain, CSV or JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Plain,
    Json,
    Csv,
}

impl Default for Flags {
    fn default() -> Flags {
        Flags {
            annotate: true,
            compress: true,
            headers: true,
            sort: true,
            preprocess: true,
            record: true,
            mode: Mode::Plain,
        }
    }
}

/// The rendering of one message's responses.
pub(crate) fn render(responses: &[WireResponse], flags: &Flags) -> String {
    if responses.is_empty() {
        return String::new();
    }
    if flags.mode == Mode::Json {
        return serde_json::to_string(responses).unwrap_or_default();
    }
    let header = match header(responses) {
        Ok(header) => header,
        Err(error) => return error,
    };
    let tabular = match tabular(responses, header) {
        Ok(tabular) => tabular,
        Err(error) => return error,
    };
    let rows: usize = responses
        .iter()
        .map(|r| r.tabular.as_ref().map_or(0, Vec::len))
        .sum();
    let text = if tabular && rows > 0 {
        table(responses, header.unwrap_or_default(), flags)
    } else if flags.compress && responses.len() > 1 {
        compressed(responses, flags)
    } else {
        responses
            .iter()
            .filter(|r| r.error.is_empty() && !r.response.is_empty())
            .map(|r| {
                if flags.annotate {
                    format!("{}: {}\n", r.host, r.response)
                } else {
                    format!("{}\n", r.response)
                }
            })
            .collect()
    };
    text.trim().to_owned()
}

/// The header all successful responses share, or minimega's complaint.
fn header(responses: &[WireResponse]) -> Result<Option<&[String]>, String> {
    let ok = || responses.iter().filter(|r| r.error.is_empty());
    let Some((host, header)) = ok().find_map(|r| r.header.as_deref().map(|h| (&r.host, h))) else {
        return Ok(None);
    };
    for other in ok() {
        if other.header.as_deref() != Some(header) {
            return Err(format!("header mismatch, hosts: {host}, {}", other.host));
        }
    }
    Ok(Some(header))
}

/// Whether the answer is a table; minimega refuses a mix of text and rows.
fn tabular(responses: &[WireResponse], header: Option<&[String]>) -> Result<bool, String> {
    let (mut simple, mut tabular) = (false, false);
    for r in responses.iter().filter(|r| r.error.is_empty()) {
        if let Some(rows) = &r.tabular {
            tabular = true;
            if let Some(header) = header {
                if let Some(bad) = rows.iter().position(|row| row.len() != header.len()) {
                    return Err(format!(
                        "tabular width mismatch, host: {}, row: {bad}",
                        r.host
                    ));
                }
            }
        } else if !r.response.is_empty() {
            simple = true;
        }
    }
    if simple && tabular {
        return Err("responses mix simple and tabular data".to_owned());
    }
    Ok(tabular)
}

fn table(responses: &[WireResponse], header: &[String], flags: &Flags) -> String {
    let mut head: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut rows: Vec<Vec<&str>> = Vec::new();
    for r in responses {
        for row in r.tabular.iter().flatten() {
            let cells = row.iter().map(String::as_str);
            rows.push(if flags.annotate {
                std::iter::once(r.host.as_str()).chain(cells).collect()
            } else {
                cells.collect()
            });
        }
    }
    if flags.annotate {
        head.insert(0, "host");
    }
    if flags.sort {
        rows.sort_by(|a, b| compare_rows(a, b));
    }
    let lines: Vec<Vec<&str>> = flags
        .headers
        .then_some(head)
        .into_iter()
        .chain(rows)
        .collect();
    if flags.mode == Mode::Csv {
        lines.iter().map(|line| csv_line(line) + "\n").collect()
    } else {
        aligned(&lines)
    }
}

/// minicli's row order: cell by cell, as numbers when both are integers.
fn compare_rows(a: &[&str], b: &[&str]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x == y {
            continue;
        }
        return match (x.parse::<i64>(), y.parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
    }
    a.len().cmp(&b.len())
}

/// Cells separated by `| `, each column as wide as its widest cell plus a
/// space and at least five wide, the last cell of a line left as it is
/// (Go's tabwriter with minimega's settings).
fn aligned(lines: &[Vec<&str>]) -> String {
    let cell = |c: usize, text: &str| {
        if c == 0 {
            text.to_owned()
        } else {
            format!("| {text}")
        }
    };
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let widest = lines
                .iter()
                .filter(|line| c + 1 < line.len())
                .map(|line| cell(c, line[c]).chars().count())
                .max()
                .unwrap_or(0);
            (widest + 1).max(5)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        for (c, text) in line.iter().enumerate() {
            let text = cell(c, text);
            if c + 1 < line.len() {
                let pad = widths[c].saturating_sub(text.chars().count());
                out.push_str(&text);
                out.extend(std::iter::repeat(' ').take(pad));
            } else {
                out.push_str(&text);
            }
        }
        out.push('\n');
    }
    out
}

/// One CSV record, quoted as Go's encoding/csv does.
fn csv_line(cells: &[&str]) -> String {
    cells
        .iter()
        .map(|cell| {
            let quote = cell.contains([',', '"', '\r', '\n']) || cell.starts_with(' ');
            if quote {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                (*cell).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Equal text answers of several hosts on one line, under their hosts'
/// range, lines in the order of those ranges.
fn compressed(responses: &[WireResponse], flags: &Flags) -> String {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for r in responses
        .iter()
        .filter(|r| r.error.is_empty() && !r.response.is_empty())
    {
        match groups.iter_mut().find(|(text, _)| *text == r.response) {
            Some((_, hosts)) => hosts.push(r.host.clone()),
            None => groups.push((&r.response, vec![r.host.clone()])),
        }
    }
    let mut lines: Vec<(String, &str)> = groups
        .into_iter()
        .map(|(text, hosts)| (crate::names::unsplit(&hosts), text))
        .collect();
    lines.sort();
    lines
        .into_iter()
        .map(|(hosts, text)| {
            if flags.annotate {
                format!("{hosts}: {text}\n")
            } else {
                format!("{text}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(host: &str, text: &str) -> WireResponse {
        WireResponse {
            host: host.into(),
            response: text.into(),
            ..WireResponse::default()
        }
    }

    fn table_of(host: &str, header: &[&str], rows: &[&[&str]]) -> WireResponse {
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

    #[test]
    fn text_answers() {
        let flags = Flags::default();
        assert_eq!(
            render(&[text("vm", "minimega 3.1.0")], &flags),
            "vm: minimega 3.1.0"
        );
        let both = [text("node3", "hi"), text("node2", "hi")];
        assert_eq!(render(&both, &flags), "node[2-3]: hi");
        let apart = Flags {
            compress: false,
            ..flags
        };
        assert_eq!(render(&both, &apart), "node3: hi\nnode2: hi");
        let plain = Flags {
            annotate: false,
            ..flags
        };
        assert_eq!(render(&both, &plain), "hi");
        let mut failed = text("vm", "");
        failed.error = "boom".into();
        assert_eq!(render(&[failed], &flags), "");
    }

    #[test]
    fn tables_align_and_sort_like_minimega() {
        let flags = Flags::default();
        let answer = [
            table_of("node3", &["name", "state"], &[&["db1", "BUILDING"]]),
            table_of(
                "node2",
                &["name", "state"],
                &[&["db2", "BUILDING"], &["db10", "RUNNING"]],
            ),
        ];
        assert_eq!(
            render(&answer, &flags),
            "host  | name | state\nnode2 | db10 | RUNNING\nnode2 | db2  | BUILDING\nnode3 | db1  | BUILDING"
        );
        let ids = [table_of(
            "vm",
            &["id", "name"],
            &[&["10", "b"], &["9", "a"]],
        )];
        assert_eq!(
            render(&ids, &flags),
            "host | id | name\nvm   | 9  | a\nvm   | 10 | b"
        );
        let csv = Flags {
            mode: Mode::Csv,
            ..flags
        };
        assert_eq!(render(&ids, &csv), "host,id,name\nvm,9,a\nvm,10,b");
        let bare = Flags {
            headers: false,
            annotate: false,
            ..flags
        };
        assert_eq!(render(&ids, &bare), "9    | a\n10   | b");
        let json = Flags {
            mode: Mode::Json,
            ..flags
        };
        assert!(render(&ids, &json).starts_with("[{\"Host\":\"vm\""));
    }

    #[test]
    fn mixed_answers_are_minimegas_errors() {
        let flags = Flags::default();
        let mut simple = text("b", "t");
        simple.header = Some(vec!["x".into()]);
        let mixed = [table_of("a", &["x"], &[&["1"]]), simple];
        assert_eq!(
            render(&mixed, &flags),
            "responses mix simple and tabular data"
        );
        let headers = [table_of("a", &["x"], &[]), text("b", "t")];
        assert_eq!(render(&headers, &flags), "header mismatch, hosts: a, b");
    }
}
