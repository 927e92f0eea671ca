//! VLAN aliases, ranges and the blacklist, as minimega's `vlans` package
//! keeps them: aliases are `namespace//alias`, numbers are handed out from
//! the namespace's range (or the default one, 101 to 4096, skipping the
//! ranges of namespaces), and a number given by hand is blacklisted so that
//! no alias takes it.

use std::collections::BTreeMap;

/// The first VLAN minimega hands out, and the end of its default range.
pub(crate) const VLAN_START: u64 = 101;
const VLAN_END: u64 = 4096;
/// What a blacklisted VLAN is aliased to.
const BLACKLISTED: &str = "BLACKLISTED";
/// Between a namespace and an alias.
pub(crate) const SEP: &str = "//";

/// A namespaced alias.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Alias {
    namespace: String,
    value: String,
}

impl Alias {
    /// `ns//value` names its own namespace; anything else is in `namespace`.
    fn parse(namespace: &str, text: &str) -> Alias {
        match text.split_once(SEP) {
            Some((ns, value)) => Alias {
                namespace: ns.to_owned(),
                value: value.to_owned(),
            },
            None => Alias {
                namespace: namespace.to_owned(),
                value: text.to_owned(),
            },
        }
    }

    fn full(&self) -> String {
        format!("{}{SEP}{}", self.namespace, self.value)
    }
}

/// A range VLANs are handed out from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) min: u64,
    pub(crate) max: u64,
    pub(crate) next: u64,
}

/// The VLAN state of the mock (one for the whole cluster: minimega keeps
/// one per node and tells the others of each new alias).
#[derive(Debug, Clone)]
pub(crate) struct Vlans {
    by_vlan: BTreeMap<u64, Alias>,
    by_alias: BTreeMap<Alias, u64>,
    /// By namespace; `""` is the default range.
    ranges: BTreeMap<String, Range>,
}

impl Default for Vlans {
    fn default() -> Vlans {
        Vlans {
            by_vlan: BTreeMap::new(),
            by_alias: BTreeMap::new(),
            ranges: [(
                String::new(),
                Range {
                    min: VLAN_START,
                    max: VLAN_END,
                    next: VLAN_START,
                },
            )]
            .into(),
        }
    }
}

impl Vlans {
    /// minimega's `lookupVLAN`: a number (blacklisted if nobody has it),
    /// an alias known already, or a new alias given the next free VLAN.
    pub(crate) fn lookup(&mut self, namespace: &str, text: &str) -> Result<u64, String> {
        if text.is_empty() {
            return Err("VLAN must be non-empty string".to_owned());
        }
        let alias = Alias::parse(namespace, text);
        if let Ok(vlan) = alias.value.parse::<i64>() {
            if !(0..4096).contains(&vlan) {
                return Err("invalid VLAN (0 <= vlan < 4096)".to_owned());
            }
            let vlan = vlan as u64;
            if !self.by_vlan.contains_key(&vlan) {
                self.blacklist(vlan);
            }
            return Ok(vlan);
        }
        if let Some(vlan) = self.by_alias.get(&alias) {
            return Ok(*vlan);
        }
        self.allocate(alias)
    }

    fn allocate(&mut self, alias: Alias) -> Result<u64, String> {
        let key = if self.ranges.contains_key(&alias.namespace) {
            alias.namespace.clone()
        } else {
            String::new()
        };
        let others: Vec<Range> = self
            .ranges
            .iter()
            .filter(|(ns, _)| !ns.is_empty())
            .map(|(_, r)| *r)
            .collect();
        let Some(range) = self.ranges.get_mut(&key) else {
            return Err("out of VLANs".to_owned());
        };
        'outer: loop {
            while self.by_vlan.contains_key(&range.next) {
                range.next += 1;
            }
            if range.next >= range.max {
                return Err("out of VLANs".to_owned());
            }
            if key.is_empty() {
                for other in &others {
                    if range.next >= other.min && range.next < other.max {
                        range.next = other.max;
                        continue 'outer;
                    }
                }
            }
            break;
        }
        let vlan = range.next;
        self.by_vlan.insert(vlan, alias.clone());
        self.by_alias.insert(alias, vlan);
        Ok(vlan)
    }

    /// `vlans add`: an alias for a VLAN chosen by hand.
    pub(crate) fn add(&mut self, namespace: &str, text: &str, vlan: u64) -> Result<(), String> {
        let alias = Alias::parse(namespace, text);
        if self.by_alias.contains_key(&alias) {
            return Err("alias already in use".to_owned());
        }
        if self.by_vlan.contains_key(&vlan) {
            return Err("vlan already in use".to_owned());
        }
        self.by_vlan.insert(vlan, alias.clone());
        self.by_alias.insert(alias, vlan);
        Ok(())
    }

    /// `clear vlans [prefix]` in `namespace`: its aliases that start with
    /// `prefix`; with no prefix, its range too, and every range starts
    /// over.
    pub(crate) fn delete(&mut self, namespace: &str, prefix: &str) {
        let gone: Vec<Alias> = self
            .by_alias
            .keys()
            .filter(|a| a.namespace == namespace && a.value.starts_with(prefix))
            .cloned()
            .collect();
        for alias in gone {
            if let Some(vlan) = self.by_alias.remove(&alias) {
                self.by_vlan.remove(&vlan);
            }
        }
        if !prefix.is_empty() {
            return;
        }
        if namespace.is_empty() {
            if let Some(range) = self.ranges.get_mut("") {
                range.min = VLAN_START;
                range.max = VLAN_END;
            }
        } else {
            self.ranges.remove(namespace);
        }
        for range in self.ranges.values_mut() {
            range.next = range.min;
        }
    }

    /// `vlans range <min> <max>` for `namespace` (`""`: the default range).
    pub(crate) fn set_range(&mut self, namespace: &str, min: u64, max: u64) -> Result<(), String> {
        for (other, range) in &self.ranges {
            if other == namespace || other.is_empty() {
                continue;
            }
            if min < range.max && range.min <= max {
                return Err(format!("range overlaps with another namespace: {other}"));
            }
        }
        self.ranges.insert(
            namespace.to_owned(),
            Range {
                min,
                max,
                next: min,
            },
        );
        Ok(())
    }

    /// The range of `namespace` (`""`: the default one), if it has one.
    pub(crate) fn range(&self, namespace: &str) -> Option<Range> {
        self.ranges.get(namespace).copied()
    }

    /// `vlans blacklist <vlan>`.
    pub(crate) fn blacklist(&mut self, vlan: u64) {
        if let Some(alias) = self.by_vlan.get(&vlan).cloned() {
            self.by_alias.remove(&alias);
        }
        self.by_vlan.insert(
            vlan,
            Alias {
                namespace: String::new(),
                value: BLACKLISTED.to_owned(),
            },
        );
    }

    /// The blacklisted VLANs, in order.
    pub(crate) fn blacklisted(&self) -> Vec<u64> {
        self.by_vlan
            .iter()
            .filter(|(_, a)| a.value == BLACKLISTED)
            .map(|(v, _)| *v)
            .collect()
    }

    /// A VLAN as `vm info` shows it in `namespace`: `alias (n)`, with the
    /// alias's namespace when it is another one; the bare number when it
    /// has no alias.
    pub(crate) fn print(&self, namespace: &str, vlan: u64) -> String {
        match self.by_vlan.get(&vlan) {
            Some(alias) if alias.value != BLACKLISTED => {
                let name = if alias.namespace == namespace {
                    alias.value.clone()
                } else {
                    alias.full()
                };
                format!("{name} ({vlan})")
            }
            _ => vlan.to_string(),
        }
    }

    /// The aliases of `namespace` and their VLANs, as `vlans` lists them.
    pub(crate) fn aliases(&self, namespace: &str) -> Vec<(String, u64)> {
        self.by_alias
            .iter()
            .filter(|(a, _)| a.namespace == namespace)
            .map(|(a, v)| (a.value.clone(), *v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_aliases_and_ranges_as_minimega_hands_them_out() {
        let mut v = Vlans::default();
        assert_eq!(v.lookup("minimega", "101"), Ok(101), "blacklisted");
        assert_eq!(v.lookup("minimega", "A"), Ok(102));
        assert_eq!(v.lookup("minimega", "B"), Ok(103));
        assert_eq!(v.lookup("minimega", "A"), Ok(102));
        assert_eq!(v.lookup("foo", "A"), Ok(104));
        assert_eq!(v.lookup("bar", "minimega//A"), Ok(102));
        assert_eq!(v.print("bar", 102), "minimega//A (102)");
        assert_eq!(v.print("minimega", 102), "A (102)");
        assert_eq!(v.print("minimega", 101), "101");
        v.set_range("foo", 120, 130).unwrap();
        assert_eq!(v.lookup("foo", "B"), Ok(120));
        assert_eq!(
            v.set_range("bar", 125, 140),
            Err("range overlaps with another namespace: foo".to_owned())
        );
        assert_eq!(
            v.add("minimega", "A", 300),
            Err("alias already in use".into())
        );
        assert_eq!(
            v.add("minimega", "C", 101),
            Err("vlan already in use".into())
        );
        assert_eq!(v.blacklisted(), [101]);
        assert_eq!(
            v.lookup("x", "5000"),
            Err("invalid VLAN (0 <= vlan < 4096)".into())
        );
        v.delete("foo", "");
        assert!(v.aliases("foo").is_empty());
        assert_eq!(v.range("foo"), None);
    }
}
