//! minimega's name lists: `a,b,c`, ranges `vm[1-3]`, `foo[0-2,5]`, with
//! zero padding kept (`n[01-03]`).

/// The most names one list may expand to; more is taken for a mistake.
const MAX_NAMES: usize = 100_000;

pub(crate) fn split_list(list: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for part in top_level_parts(list) {
        if part.is_empty() {
            continue;
        }
        match part.find('[') {
            None => names.push(part.to_owned()),
            Some(open) => {
                let inner = part[open + 1..]
                    .strip_suffix(']')
                    .ok_or_else(|| format!("malformed range: `{part}`"))?;
                let prefix = &part[..open];
                for piece in inner.split(',') {
                    expand(prefix, piece, &mut names)
                        .ok_or_else(|| format!("malformed range: `{part}`"))?;
                    if names.len() > MAX_NAMES {
                        return Err(format!("range expands to more than {MAX_NAMES} names"));
                    }
                }
            }
        }
    }
    Ok(names)
}

/// Splits at commas outside brackets.
fn top_level_parts(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

fn expand(prefix: &str, piece: &str, names: &mut Vec<String>) -> Option<()> {
    let Some((low, high)) = piece.split_once('-') else {
        piece.parse::<u64>().ok()?;
        names.push(format!("{prefix}{piece}"));
        return Some(());
    };
    let (start, end) = (low.parse::<u64>().ok()?, high.parse::<u64>().ok()?);
    if start > end || (end - start) as usize > MAX_NAMES {
        return None;
    }
    let width = if low.len() > 1 && low.starts_with('0') {
        low.len()
    } else {
        0
    };
    names.extend((start..=end).map(|n| format!("{prefix}{n:0width$}")));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_like_minimega() {
        assert_eq!(split_list("vm[1-2]").unwrap(), ["vm1", "vm2"]);
        assert_eq!(split_list("a,b").unwrap(), ["a", "b"]);
        assert_eq!(
            split_list("foo[0-2,5],bar").unwrap(),
            ["foo0", "foo1", "foo2", "foo5", "bar"]
        );
        assert_eq!(split_list("n[08-10]").unwrap(), ["n08", "n09", "n10"]);
        assert!(split_list("vm[2-1]").is_err());
        assert!(split_list("vm[1-x]").is_err());
        assert!(split_list("vm[1-3").is_err());
        assert!(split_list("vm[0-99999999999]").is_err());
    }
}
