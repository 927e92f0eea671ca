//! minimega's preprocessing of arguments, done to every string and list
//! argument of a command (but `vm config disks`' specs) unless
//! `.preprocess false` says otherwise: `$VAR` and `${VAR}` from the
//! environment (Go's `os.ExpandEnv` rules), then `file:NAME`, which names
//! `NAME` in minimega's files directory.
//!
//! minimega also fetches `http://`, `https://` and `tar:` arguments; the
//! mock leaves those as written.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use minimega_spec::preprocess::{scheme, Scheme, EXPANDED_BY_HANDLER};
use minimega_spec::Match;

/// What preprocessing needs: the environment and the files directory.
#[derive(Debug, Clone)]
pub(crate) struct Preprocessor {
    /// Variables that override the process environment.
    pub(crate) env: BTreeMap<String, String>,
    /// minimega's files directory (`-filepath`, by default `<base>/files`).
    pub(crate) files: PathBuf,
    /// Whether the node has mesh peers to fetch missing files from.
    pub(crate) peers: bool,
}

impl Preprocessor {
    /// Expands every string and list argument of `m` (not its nested
    /// command, which is preprocessed when it runs).
    pub(crate) fn apply(&self, m: &mut Match) -> Result<(), String> {
        for value in m.values.values_mut() {
            *value = self.expand(value)?;
        }
        for (key, list) in m.lists.iter_mut() {
            if EXPANDED_BY_HANDLER.contains(&key.as_str()) {
                continue;
            }
            for value in list.iter_mut() {
                *value = self.expand(value)?;
            }
        }
        Ok(())
    }

    /// Whether an argument of `m` is one minimega would download or unpack,
    /// which the mock does not simulate.
    pub(crate) fn fetches(&self, m: &Match) -> bool {
        let fetched = |value: &str| scheme(value).is_some_and(Scheme::fetches);
        m.values.values().any(|v| fetched(v))
            || m.lists
                .iter()
                .filter(|(key, _)| !EXPANDED_BY_HANDLER.contains(&key.as_str()))
                .flat_map(|(_, list)| list)
                .any(|v| fetched(v))
    }

    /// One argument, expanded.
    pub(crate) fn expand(&self, value: &str) -> Result<String, String> {
        let value = expand_env(value, |name| {
            self.env
                .get(name)
                .cloned()
                .or_else(|| std::env::var(name).ok())
                .unwrap_or_default()
        });
        match value.split_once(':') {
            Some((_, rest))
                if scheme(&value) == Some(Scheme::File)
                    && !rest.is_empty()
                    && !rest.starts_with('/') =>
            {
                self.in_files(rest)
            }
            _ => Ok(value),
        }
    }

    /// `name` in the files directory, cleaned as Go's `filepath.Join` does;
    /// with mesh peers, a file that is not there is minimega's error.
    fn in_files(&self, name: &str) -> Result<String, String> {
        let relative = clean(Path::new(name));
        let relative = relative.strip_prefix(&self.files).unwrap_or(&relative);
        let path = clean(&self.files.join(relative));
        if self.peers && !path.exists() {
            return Err(format!("get {}: file not found", relative.display()));
        }
        Ok(path.to_string_lossy().into_owned())
    }
}

/// `path` without `.` parts, with `..` parts applied.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Replaces `$NAME` and `${NAME}` as Go's `os.Expand` does: a name is a run
/// of letters, digits and `_`, or one of the shell's special characters;
/// `${}` and an unclosed `${` are dropped; a `$` followed by nothing that
/// makes a name stays.
fn expand_env(text: &str, lookup: impl Fn(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut j = 0;
    while j < bytes.len() {
        if bytes[j] == b'$' && j + 1 < bytes.len() {
            out.push_str(&text[copied..j]);
            let (name, width) = shell_name(&text[j + 1..]);
            match name {
                Some(name) => out.push_str(&lookup(name)),
                None if width > 0 => {}
                None => out.push('$'),
            }
            j += width;
            copied = j + 1;
        }
        j += 1;
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// The variable name at the start of `s` (after a `$`) and how many bytes
/// it takes; `None` with a width for bad syntax, with 0 for no name.
fn shell_name(s: &str) -> (Option<&str>, usize) {
    let bytes = s.as_bytes();
    let special = |b: u8| b"*#$@!?-".contains(&b) || b.is_ascii_digit();
    if bytes[0] == b'{' {
        if bytes.len() > 2 && special(bytes[1]) && bytes[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        return match s[1..].find('}') {
            Some(0) => (None, 2),
            Some(end) => (Some(&s[1..=end]), end + 2),
            None => (None, 1),
        };
    }
    if special(bytes[0]) {
        return (Some(&s[..1]), 1);
    }
    let end = s
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(s.len());
    if end == 0 {
        (None, 0)
    } else {
        (Some(&s[..end]), end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preprocessor() -> Preprocessor {
        Preprocessor {
            env: [("GREETING", "hello")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            files: PathBuf::from("/base/files"),
            peers: false,
        }
    }

    #[test]
    fn variables_expand_as_in_go() {
        let p = preprocessor();
        assert_eq!(p.expand("$GREETING").unwrap(), "hello");
        assert_eq!(p.expand("${GREETING}x").unwrap(), "hellox");
        assert_eq!(p.expand("pre$GREETING").unwrap(), "prehello");
        assert_eq!(p.expand("$MOCK_SURELY_UNSET_VARIABLE").unwrap(), "");
        assert_eq!(p.expand("cost: 5$").unwrap(), "cost: 5$");
        assert_eq!(p.expand("a$.b").unwrap(), "a$.b");
        assert_eq!(p.expand("a${}b").unwrap(), "ab");
        assert_eq!(p.expand("a${GREETING").unwrap(), "aGREETING");
        assert_eq!(p.expand("no dollars").unwrap(), "no dollars");
    }

    #[test]
    fn file_names_the_files_directory() {
        let p = preprocessor();
        assert_eq!(p.expand("file:a.txt").unwrap(), "/base/files/a.txt");
        assert_eq!(p.expand("file:sub/../b.img").unwrap(), "/base/files/b.img");
        assert_eq!(
            p.expand("file:/base/files/c").unwrap(),
            "file:/base/files/c"
        );
        assert_eq!(p.expand("http://x/y").unwrap(), "http://x/y");
        assert_eq!(p.expand("plain:text").unwrap(), "plain:text");
        let mesh = Preprocessor { peers: true, ..p };
        assert_eq!(
            mesh.expand("file:nosuch.txt").unwrap_err(),
            "get nosuch.txt: file not found"
        );
    }
}
