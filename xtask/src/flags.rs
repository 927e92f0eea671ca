//! The `--name value` options of the repository's binaries (`record`,
//! `suite`): each given at most once, every one used.

use std::collections::BTreeMap;

/// Options as given, taken one by one; what is left over is an error.
#[derive(Debug, Default)]
pub struct Flags(BTreeMap<String, String>);

impl Flags {
    /// Reads `--name value` pairs; anything else, a name without a value
    /// or a name given twice is an error that says so.
    pub fn parse(args: impl Iterator<Item = String>) -> Result<Flags, String> {
        let mut flags = BTreeMap::new();
        let mut args = args.peekable();
        while let Some(flag) = args.next() {
            if !flag.starts_with("--") {
                return Err(format!("unexpected argument `{flag}`"));
            }
            let value = args
                .next()
                .ok_or_else(|| format!("`{flag}` wants a value"))?;
            if flags.insert(flag.clone(), value).is_some() {
                return Err(format!("`{flag}` given twice"));
            }
        }
        Ok(Flags(flags))
    }

    /// The value of option `name` (`--name`), if given.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    /// An error naming an option that was given but never taken.
    pub fn finish(self) -> Result<(), String> {
        match self.0.keys().next() {
            Some(flag) => Err(format!("unknown option `{flag}`")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Flags, String> {
        Flags::parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn options_are_pairs_given_once_and_all_used() {
        let mut flags = parse(&["--a", "1", "--b", "2"]).unwrap();
        assert_eq!(flags.take("--a").as_deref(), Some("1"));
        assert_eq!(flags.finish().unwrap_err(), "unknown option `--b`");
        assert_eq!(parse(&["x"]).unwrap_err(), "unexpected argument `x`");
        assert_eq!(parse(&["--a"]).unwrap_err(), "`--a` wants a value");
        assert_eq!(
            parse(&["--a", "1", "--a", "2"]).unwrap_err(),
            "`--a` given twice"
        );
    }
}
