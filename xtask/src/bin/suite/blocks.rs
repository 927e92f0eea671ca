//! minitest's output cut into blocks, and two outputs compared block by
//! block.
//!
//! A block is one `## line` header and what follows it up to the next
//! header: the errors and the rendered text of that line's answer, and the
//! empty lines the script had after it (minitest writes an empty line for
//! each, and sends it too).

/// How one test's output compares with its `.want`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// Blocks in the `.want`.
    pub(crate) blocks: usize,
    /// The indices (from 0) of the blocks equal in both.
    pub(crate) equal: Vec<usize>,
    /// Each block that differs, in order, shown as wanted and as got.
    pub(crate) differences: Vec<String>,
}

/// The blocks of an output: each starts at a line `## …`; text before the
/// first header (empty lines at the script's start) is left out.
pub(crate) fn blocks(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("## ") {
            out.push(String::new());
        }
        if let Some(block) = out.last_mut() {
            block.push_str(line);
        }
    }
    out
}

/// `got` against `want`, block by block, in order.
pub(crate) fn compare(got: &str, want: &str) -> Comparison {
    let got = blocks(got);
    let want = blocks(want);
    let mut equal = Vec::new();
    let mut differences = Vec::new();
    for (i, wanted) in want.iter().enumerate() {
        let had = got.get(i).map_or("", String::as_str);
        if had == wanted {
            equal.push(i);
        } else {
            differences.push(format!(
                "difference, block {}:\nwant: {}\ngot:  {}",
                i + 1,
                shorten(wanted),
                shorten(had)
            ));
        }
    }
    Comparison {
        blocks: want.len(),
        equal,
        differences,
    }
}

/// A block on a few lines, long ones cut.
fn shorten(block: &str) -> String {
    const LINES: usize = 6;
    const WIDTH: usize = 160;
    if block.is_empty() {
        return "(nothing)".to_owned();
    }
    let mut lines: Vec<String> = block
        .lines()
        .take(LINES)
        .map(|l| {
            if l.chars().count() > WIDTH {
                format!("{}…", l.chars().take(WIDTH).collect::<String>())
            } else {
                l.to_owned()
            }
        })
        .collect();
    let total = block.lines().count();
    if total > LINES {
        lines.push(format!("… ({} lines more)", total - LINES));
    }
    lines.join("\n      ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_headers_and_what_follows() {
        let text = "\n## echo a\na\n\n## vm info\nE: x\n";
        assert_eq!(blocks(text), ["## echo a\na\n\n", "## vm info\nE: x\n"]);
        let c = compare("## a\n1\n## b\n2\n", "## a\n1\n## b\n3\n## c\n");
        assert_eq!(c.blocks, 3);
        assert_eq!(c.equal, [0]);
        assert_eq!(c.differences.len(), 2);
        assert!(c.differences[0].contains("block 2"), "{:?}", c.differences);
        assert!(c.differences[1].contains("block 3"), "{:?}", c.differences);
    }
}
