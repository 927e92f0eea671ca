//! The `Rendered` text of an answer, close to what minimega's CLI prints:
//! tables get a leading `host` column and aligned cells, text answers are
//! `host: text`, errors are left out (minimega prints them apart).

use minimega_client::protocol::WireResponse;

pub(crate) fn render(responses: &[WireResponse]) -> String {
    let ok: Vec<&WireResponse> = responses.iter().filter(|r| r.error.is_empty()).collect();
    let header = ok
        .iter()
        .find_map(|r| r.header.as_ref().filter(|h| !h.is_empty()));
    if let Some(header) = header {
        let mut table: Vec<Vec<&str>> = vec![std::iter::once("host")
            .chain(header.iter().map(String::as_str))
            .collect()];
        for response in &ok {
            for row in response.tabular.iter().flatten() {
                table.push(
                    std::iter::once(response.host.as_str())
                        .chain(row.iter().map(String::as_str))
                        .collect(),
                );
            }
        }
        return align(&table);
    }
    ok.iter()
        .filter(|r| !r.response.is_empty())
        .map(|r| format!("{}: {}", r.host, r.response))
        .collect::<Vec<_>>()
        .join("\n")
}

fn align(table: &[Vec<&str>]) -> String {
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            table
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    table
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| format!("{cell:<width$}", width = widths[c]))
                .collect();
            cells.join(" | ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_minimega() {
        let text = WireResponse {
            host: "vm".into(),
            response: "minimega 3.1.0".into(),
            ..WireResponse::default()
        };
        assert_eq!(render(&[text]), "vm: minimega 3.1.0");
        let table = WireResponse {
            host: "h1".into(),
            header: Some(vec!["name".into(), "state".into()]),
            tabular: Some(vec![vec!["vm1".into(), "RUNNING".into()]]),
            ..WireResponse::default()
        };
        assert_eq!(
            render(&[table]),
            "host | name | state\nh1   | vm1  | RUNNING"
        );
    }
}
