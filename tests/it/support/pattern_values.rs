//! The argument values the every-pattern calls are built with, shared by the
//! every-pattern test and the real-daemon tier's check against minimega's
//! own parser. Each needs every kind of quoting minicli has.

/// A value for the argument `key`.
pub fn value(key: &str) -> String {
    format!("{key} \"x\" 'y' #z \\ é\t\n")
}

/// A list for the argument `key`, with an empty item.
pub fn list(key: &str) -> Vec<String> {
    vec![format!("{key} one"), format!("{key}#two"), String::new()]
}
