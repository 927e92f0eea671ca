//! minimega's name lists, as its CLI expands them for VM names, host names
//! and the like: `a,b,c`, and ranges such as `vm[1-3]` or `n[01-10,15]`.
//!
//! The rules, as minimega 3.1.0 applies them:
//! - the list splits at commas outside brackets; empty parts are dropped;
//! - a part without `[` is a name as it stands;
//! - a part with `[` is a prefix, then a bracketed comma-separated set of
//!   numbers and `low-high` spans, and the `]` must end the part;
//! - the numbers are sorted and duplicates dropped;
//! - the numbers are zero-padded to a common width when every number, as
//!   written, has that width (a span counts as written at its ends' width
//!   only when both ends have the same width): `n[08-10]` gives `n08 n09
//!   n10`, `n[8-10]` gives `n8 n9 n10`.
//!
//! Expansion is capped ([`MAX_NAMES`], [`MAX_BYTES`]): a short list must
//! not be able to exhaust memory.
//!
//! ```
//! use minimega_spec::ranges::expand;
//!
//! assert_eq!(expand("web[1-3],db").unwrap(), ["web1", "web2", "web3", "db"]);
//! assert_eq!(expand("node[2-3]").unwrap(), ["node2", "node3"]);
//! ```

use std::collections::BTreeSet;

/// The most names one list may expand to.
pub const MAX_NAMES: usize = 100_000;

/// The most bytes the names of one list may take together.
pub const MAX_BYTES: usize = 16 << 20;

/// Why a list does not expand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The brackets do not pair up.
    #[error("malformed list `{list}`: {why}")]
    Brackets {
        /// The whole list (cut if long).
        list: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A range that is not `prefix[numbers]`.
    #[error("invalid range specification `{part}`")]
    Range {
        /// The offending part (cut if long).
        part: String,
    },
    /// More names, or more bytes, than the caps allow.
    #[error("`{part}` expands to more than {MAX_NAMES} names or {MAX_BYTES} bytes")]
    TooLarge {
        /// The offending part (cut if long).
        part: String,
    },
}

/// Expands `list` into names, in order.
pub fn expand(list: &str) -> Result<Vec<String>, RangeError> {
    let mut names = Vec::new();
    let mut bytes = 0usize;
    for part in parts(list)? {
        if part.is_empty() {
            continue;
        }
        let Some(open) = part.find('[') else {
            bytes += part.len();
            names.push(part.to_owned());
            check_size(names.len(), bytes, part)?;
            continue;
        };
        let (prefix, numbers) = (&part[..open], &part[open..]);
        let inner = numbers
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .ok_or_else(|| invalid(part))?;
        let (values, width) = numbers_of(inner, part)?;
        let each = prefix.len() + width.max(digits(values.last().copied().unwrap_or(0)));
        check_size(
            names.len().saturating_add(values.len()),
            bytes.saturating_add(values.len().saturating_mul(each)),
            part,
        )?;
        for value in values {
            let name = format!("{prefix}{value:0width$}");
            bytes += name.len();
            names.push(name);
        }
    }
    Ok(names)
}

/// Splits at commas outside brackets, checking that brackets pair up.
fn parts(list: &str) -> Result<Vec<&str>, RangeError> {
    let brackets = |why| RangeError::Brackets {
        list: cut(list),
        why,
    };
    let mut parts = Vec::new();
    let mut inside = false;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '[' if inside => return Err(brackets("a `[` inside brackets")),
            '[' => inside = true,
            ']' if !inside => return Err(brackets("a `]` without its `[`")),
            ']' => inside = false,
            ',' if !inside => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if inside {
        return Err(brackets("a `[` that is never closed"));
    }
    parts.push(&list[start..]);
    Ok(parts)
}

/// The sorted, distinct numbers between the brackets, and the width to pad
/// them to (0: none).
fn numbers_of(inner: &str, part: &str) -> Result<(Vec<u64>, usize), RangeError> {
    let mut values = BTreeSet::new();
    // The width every number was written with, while they agree.
    let mut common: Option<Option<usize>> = None;
    let mut agree = |width: usize| {
        common = Some(match common {
            None => Some(width),
            Some(Some(w)) if w == width => Some(w),
            Some(_) => None,
        });
    };
    for piece in inner.split(',') {
        match piece.split_once('-') {
            None => {
                let value = number(piece, part)?;
                values.insert(value);
                agree(piece.len());
            }
            Some((low, high)) => {
                let (start, end) = (number(low, part)?, number(high, part)?);
                let count = end
                    .saturating_sub(start)
                    .saturating_add(u64::from(start <= end));
                if count > MAX_NAMES as u64 {
                    return Err(RangeError::TooLarge { part: cut(part) });
                }
                // A span is written at one width only if both ends are.
                let pad = if low.len() == high.len() {
                    low.len()
                } else {
                    0
                };
                for value in start..=end {
                    values.insert(value);
                    agree(pad.max(digits(value)));
                }
                if values.len() > MAX_NAMES {
                    return Err(RangeError::TooLarge { part: cut(part) });
                }
            }
        }
    }
    let width = common.flatten().unwrap_or(0);
    Ok((values.into_iter().collect(), width))
}

fn number(text: &str, part: &str) -> Result<u64, RangeError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(part));
    }
    text.parse().map_err(|_| invalid(part))
}

fn digits(value: u64) -> usize {
    value.checked_ilog10().map_or(1, |d| d as usize + 1)
}

fn check_size(names: usize, bytes: usize, part: &str) -> Result<(), RangeError> {
    if names > MAX_NAMES || bytes > MAX_BYTES {
        Err(RangeError::TooLarge { part: cut(part) })
    } else {
        Ok(())
    }
}

fn invalid(part: &str) -> RangeError {
    RangeError::Range { part: cut(part) }
}

/// At most 100 characters of `text`, for messages.
fn cut(text: &str) -> String {
    match text.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_like_minimega() {
        assert_eq!(expand("vm[1-2]").unwrap(), ["vm1", "vm2"]);
        assert_eq!(expand("a,b").unwrap(), ["a", "b"]);
        assert_eq!(
            expand("foo[0-2,5],bar").unwrap(),
            ["foo0", "foo1", "foo2", "foo5", "bar"]
        );
        assert_eq!(expand("n[08-10]").unwrap(), ["n08", "n09", "n10"]);
        assert_eq!(expand("n[8-10]").unwrap(), ["n8", "n9", "n10"]);
        assert_eq!(expand("n[3,1-2,2]").unwrap(), ["n1", "n2", "n3"]);
        assert_eq!(expand("n[007]").unwrap(), ["n007"]);
        assert_eq!(expand("n[01,2]").unwrap(), ["n1", "n2"]);
        assert_eq!(expand("x,,y,").unwrap(), ["x", "y"]);
        assert!(expand("").unwrap().is_empty());
    }

    #[test]
    fn rejects_what_minimega_rejects() {
        for bad in [
            "vm[1-x]",
            "vm[1-3",
            "vm1-3]",
            "vm[[1]]",
            "vm[1-3].x",
            "vm[]",
            "vm[-1]",
            "vm[1-2-3]",
        ] {
            assert!(expand(bad).is_err(), "{bad}");
        }
        assert!(expand("vm[2-1]").unwrap().is_empty(), "an empty span");
    }

    #[test]
    fn refuses_what_would_exhaust_memory() {
        assert!(matches!(
            expand("vm[0-99999999999]"),
            Err(RangeError::TooLarge { .. })
        ));
        let wide = format!("a[{}-99999]", "0".repeat(20_000));
        assert_eq!(expand(&wide).unwrap().len(), 100_000);
        let both_wide = format!("a[{0}-{0}]", "9".repeat(30));
        assert!(expand(&both_wide).is_err(), "not a u64");
        let long_prefix = format!("{}[0-99999]", "p".repeat(1000));
        assert!(matches!(
            expand(&long_prefix),
            Err(RangeError::TooLarge { .. })
        ));
    }
}
