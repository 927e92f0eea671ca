//! What minimega's preprocessor rewrites, as facts both sides use: the
//! client (which must know which values would not arrive as written) and
//! the mock (which rewrites them as minimega does).
//!
//! Before a command runs, minimega 3.1.0 rewrites each of its string and
//! list arguments: `$NAME` and `${NAME}` from its environment, then a value
//! whose URL scheme (as Go's `url.Parse` reads it) is `file`, `http`,
//! `https` or `tar` becomes a local path: found in the files directory,
//! downloaded, or unpacked. `vm config disks` expands its specs itself,
//! whatever `.preprocess` says.
//!
//! ```
//! use minimega_spec::preprocess::{scheme, may_rewrite, Scheme};
//!
//! assert_eq!(scheme("FILE:disk.img"), Some(Scheme::File));
//! assert_eq!(scheme("http:x"), Some(Scheme::Http));
//! assert_eq!(scheme("a:b"), None);
//! assert!(may_rewrite("$HOME") && may_rewrite("tar:x.tgz") && !may_rewrite("x"));
//! ```

/// Argument keys whose values minimega expands inside the command's
/// handler, whatever the preprocessor flag says (`vm config disks` parses
/// the disk path out of the spec and expands it itself).
pub const EXPANDED_BY_HANDLER: &[&str] = &["diskspec"];

/// A URL scheme the preprocessor acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `file:NAME`: `NAME` in the files directory (fetched over the mesh).
    File,
    /// `http://…`: downloaded into the files directory.
    Http,
    /// `https://…`: likewise.
    Https,
    /// `tar:…`: unpacked.
    Tar,
}

impl Scheme {
    /// Whether minimega downloads or unpacks the value (rather than looking
    /// it up in its files directory).
    pub fn fetches(self) -> bool {
        self != Scheme::File
    }
}

/// The scheme the preprocessor would act on in `value`, read as Go's
/// `url.Parse` reads schemes: letters first, then letters, digits, `+`,
/// `-` or `.`, up to the first `:`, in any case.
pub fn scheme(value: &str) -> Option<Scheme> {
    let (scheme, _) = value.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return None;
    }
    [
        ("file", Scheme::File),
        ("http", Scheme::Http),
        ("https", Scheme::Https),
        ("tar", Scheme::Tar),
    ]
    .into_iter()
    .find(|(name, _)| scheme.eq_ignore_ascii_case(name))
    .map(|(_, known)| known)
}

/// Whether the preprocessor could change `value`: it holds a `$`, or has a
/// scheme the preprocessor acts on.
pub fn may_rewrite(value: &str) -> bool {
    value.contains('$') || scheme(value).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_read_as_go_reads_them() {
        assert_eq!(scheme("Https://x"), Some(Scheme::Https));
        assert_eq!(scheme("tar:x"), Some(Scheme::Tar));
        assert_eq!(scheme("1file:x"), None);
        assert_eq!(scheme(":x"), None);
        assert_eq!(scheme("fi le:x"), None);
        assert_eq!(scheme("files:x"), None);
        assert!(Scheme::Tar.fetches() && !Scheme::File.fetches());
    }
}
