//! Comparing the minimega version a spec describes with the one a server
//! runs. A mismatch is worth a warning, not a failure: most commands are
//! the same across versions, and the server still rejects what it does not
//! know.

use std::fmt;

/// The outcome of [`Client::check_version`](crate::Client::check_version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCheck {
    /// Empty when the spec does not say which minimega it describes.
    expected: String,
    reported: String,
}

impl VersionCheck {
    /// Compares `expected` (`3.1.0`) with the text a server's `version`
    /// reported (`minimega 3.1.0 04636ffd 2026-08-17`).
    pub fn new(expected: impl Into<String>, reported: impl Into<String>) -> VersionCheck {
        VersionCheck {
            expected: expected.into(),
            reported: reported.into(),
        }
    }

    /// Compares the version a spec describes, if it says, with what the
    /// server reported.
    pub(crate) fn of(expected: Option<&str>, reported: impl Into<String>) -> VersionCheck {
        VersionCheck::new(expected.unwrap_or_default(), reported)
    }

    /// The version the spec describes; empty when it does not say.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// The server's whole `version` text.
    pub fn reported(&self) -> &str {
        &self.reported
    }

    /// The version number in the server's text: the first word that starts
    /// with a digit (a leading `v` is dropped).
    pub fn server_version(&self) -> Option<&str> {
        self.reported
            .split_whitespace()
            .map(|word| word.strip_prefix('v').unwrap_or(word))
            .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
    }

    /// Whether the server runs the expected version; `3.1` also matches
    /// `3.1.0` and `3.1.2`.
    pub fn is_match(&self) -> bool {
        if self.expected.is_empty() {
            return false;
        }
        let expected = self.expected.strip_prefix('v').unwrap_or(&self.expected);
        self.server_version().is_some_and(|found| {
            found == expected
                || found
                    .strip_prefix(expected)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// A sentence to show the user when the versions differ.
    pub fn warning(&self) -> Option<String> {
        (!self.is_match()).then(|| self.to_string())
    }
}

impl fmt::Display for VersionCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.expected.is_empty() {
            return write!(
                f,
                "the API's spec does not say which minimega it describes (give `version = \"..\"` \
                 to `generate_api!`); the server runs {:?}",
                self.reported
            );
        }
        match (self.is_match(), self.server_version()) {
            (true, _) => write!(f, "minimega {} as expected", self.expected),
            (false, Some(found)) => write!(
                f,
                "the API was generated for minimega {} but the server runs {found}; commands that \
                 changed between the versions may be rejected",
                self.expected
            ),
            (false, None) => write!(
                f,
                "the API was generated for minimega {} but the server's version is unknown ({:?})",
                self.expected, self.reported
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_version_numbers() {
        let same = VersionCheck::new("3.1.0", "minimega 3.1.0 04636ffd 2026-08-17");
        assert_eq!(same.server_version(), Some("3.1.0"));
        assert!(same.is_match() && same.warning().is_none());
        assert!(VersionCheck::new("3.1", "minimega 3.1.2").is_match());
        assert!(!VersionCheck::new("3.1", "minimega 3.10.0").is_match());
        let other = VersionCheck::new("3.1.0", "minimega 2.9 mock");
        assert!(other.warning().unwrap().contains("server runs 2.9"));
        let unsaid = VersionCheck::of(None, "minimega 3.1.0");
        assert!(!unsaid.is_match());
        assert!(unsaid.warning().unwrap().contains("version = "));
        let garbled = VersionCheck::new("3.1.0", "who knows");
        assert_eq!(garbled.server_version(), None);
        assert!(garbled.warning().unwrap().contains("unknown"));
    }
}
