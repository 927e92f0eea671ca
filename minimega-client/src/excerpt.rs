//! How errors quote commands, lines and values: cut to a few hundred
//! characters, so that a megabyte argument never drowns a message.

/// At most [`EXCERPT`] characters of `text`, and its length when cut: long
/// lines and arguments (a whole `vm info` with its `Data`, a megabyte
/// argument) would drown a message, and errors are kept small.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
        None => text.to_owned(),
    }
}

/// [`excerpt`] of a line that was not rendered, from its first tokens
/// quoted as they would be sent (as far as they are shown). A cut one ends
/// with `…` but does not say its size: that would take rendering the whole
/// line, which is what a deadline that has already passed must not wait for.
pub(crate) fn excerpt_tokens(tokens: &[String]) -> String {
    let mut head = String::new();
    for token in tokens {
        if head.chars().count() > EXCERPT {
            break;
        }
        if !head.is_empty() {
            head.push(' ');
        }
        let start: String = token.chars().take(EXCERPT + 1).collect();
        head.push_str(&minimega_spec::input::quote(&start));
    }
    match head.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", &head[..cut]),
        None => head,
    }
}

/// How many characters of a command or line an error quotes.
pub(crate) const EXCERPT: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut() {
        let line = "x".repeat(1000);
        let cut = excerpt(&line);
        assert!(cut.ends_with("… (1000 bytes)") && cut.len() < 300, "{cut}");
        assert_eq!(excerpt("short"), "short");
        assert_eq!(
            excerpt(&"é".repeat(300))
                .chars()
                .filter(|c| *c == 'é')
                .count(),
            200
        );
    }

    #[test]
    fn unrendered_lines_are_cut_without_rendering_them() {
        let tokens = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(excerpt_tokens(&tokens(&["echo", "a b"])), r#"echo "a b""#);
        let huge = "x".repeat(10 << 20);
        let cut = excerpt_tokens(&tokens(&["echo", &huge, "y"]));
        assert!(cut.starts_with("echo xxx") && cut.ends_with('…'), "{cut}");
        assert_eq!(cut.chars().count(), EXCERPT + 1);
    }
}
