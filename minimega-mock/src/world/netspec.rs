//! Network specs (`[bridge,]vlan[,mac][,driver][,qinq]`), read as
//! minimega's `ParseNetConfig` reads them and written back as its
//! `NetConfig.String` writes them.

/// The bridge an interface is on unless its spec names one.
pub(crate) const DEFAULT_BRIDGE: &str = "mega_bridge";
/// The emulated card unless the spec names one.
pub(crate) const DEFAULT_DRIVER: &str = "e1000";

/// The cards qemu offers on a PC (what minimega asks `qemu -device help`
/// for): a word of a spec that is one of these is a driver. The mock has
/// no qemu to ask.
const DRIVERS: [&str; 14] = [
    "e1000",
    "e1000-82544gc",
    "e1000-82545em",
    "e1000e",
    "i82550",
    "i82551",
    "i82557a",
    "i82557b",
    "i82557c",
    "i82558a",
    "ne2k_pci",
    "pcnet",
    "rtl8139",
    "virtio-net-pci",
];

/// One parsed network spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetSpec {
    pub(crate) bridge: String,
    /// The VLAN, by number or alias, as written.
    pub(crate) alias: String,
    /// Lower case; empty for a random one.
    pub(crate) mac: String,
    pub(crate) driver: String,
    pub(crate) qinq: bool,
}

fn is_driver(word: &str) -> bool {
    DRIVERS.contains(&word) || word == "vmxnet3"
}

fn is_qinq(word: &str) -> bool {
    word.eq_ignore_ascii_case("qinq")
}

/// Go's `net.ParseMAC` for the 6-byte forms: `aa:bb:…`, `aa-bb-…`,
/// `aabb.ccdd.eeff`.
pub(crate) fn is_mac(word: &str) -> bool {
    let hex2 = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let hex4 = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_hexdigit());
    for sep in [':', '-'] {
        let parts: Vec<&str> = word.split(sep).collect();
        if parts.len() == 6 && parts.iter().all(|p| hex2(p)) {
            return true;
        }
    }
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| hex4(p))
}

impl NetSpec {
    /// The spec's parts, by minimega's rules for which word is which.
    pub(crate) fn parse(spec: &str) -> Result<NetSpec, String> {
        let f: Vec<&str> = spec.split(',').collect();
        let malformed = || "malformed netspec".to_owned();
        let (b, v, m, d, q): (&str, &str, &str, &str, bool) = match f.as_slice() {
            [v] => ("", v, "", "", false),
            [v, x] if is_qinq(x) => ("", v, "", "", true),
            [v, x] if is_mac(x) => ("", v, x, "", false),
            [v, x] if is_driver(x) => ("", v, "", x, false),
            [b, v] => (b, v, "", "", false),
            [v, m, x] if is_qinq(x) && is_mac(m) => ("", v, m, "", true),
            [v, d, x] if is_qinq(x) && is_driver(d) => ("", v, "", d, true),
            [b, v, x] if is_qinq(x) => (b, v, "", "", true),
            [b, v, m] if is_mac(m) => (b, v, m, "", false),
            [v, m, d] if is_mac(m) && is_driver(d) => ("", v, m, d, false),
            [b, v, d] if is_driver(d) => (b, v, "", d, false),
            [v, m, d, x] if is_qinq(x) && is_mac(m) => ("", v, m, d, true),
            [b, v, m, x] if is_qinq(x) && is_mac(m) => (b, v, m, "", true),
            [b, v, d, x] if is_qinq(x) && is_driver(d) => (b, v, "", d, true),
            [b, v, m, d] if is_driver(d) && is_mac(m) => (b, v, m, d, false),
            [b, v, m, d, x] if is_mac(m) && is_driver(d) && is_qinq(x) => (b, v, m, d, true),
            _ => return Err(malformed()),
        };
        Ok(NetSpec {
            bridge: if b.is_empty() { DEFAULT_BRIDGE } else { b }.to_owned(),
            alias: v.to_owned(),
            mac: m.to_lowercase(),
            driver: if d.is_empty() { DEFAULT_DRIVER } else { d }.to_owned(),
            qinq: q,
        })
    }
}

impl std::fmt::Display for NetSpec {
    /// What `vm config networks` shows: the default bridge and driver left
    /// out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<&str> = Vec::new();
        if !self.bridge.is_empty() && self.bridge != DEFAULT_BRIDGE {
            parts.push(&self.bridge);
        }
        parts.push(&self.alias);
        if !self.mac.is_empty() {
            parts.push(&self.mac);
        }
        if !self.driver.is_empty() && self.driver != DEFAULT_DRIVER {
            parts.push(&self.driver);
        }
        if self.qinq {
            parts.push("qinq");
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_and_write_back_like_minimega() {
        let show = |s: &str| NetSpec::parse(s).map(|n| n.to_string());
        assert_eq!(show("100").as_deref(), Ok("100"));
        assert_eq!(show("100,e1000").as_deref(), Ok("100"));
        assert_eq!(
            show("test_bridge,100,13:37:13:37:00:02,e1000").as_deref(),
            Ok("test_bridge,100,13:37:13:37:00:02")
        );
        assert_eq!(show("br,A").as_deref(), Ok("br,A"));
        assert_eq!(show("A,virtio-net-pci").as_deref(), Ok("A,virtio-net-pci"));
        assert_eq!(show("a,b,c").unwrap_err(), "malformed netspec");
        assert_eq!(show("a,b,c,d,e,f").unwrap_err(), "malformed netspec");
        let n = NetSpec::parse("100,AA:BB:CC:DD:EE:FF").unwrap();
        assert_eq!(
            (n.mac.as_str(), n.bridge.as_str()),
            ("aa:bb:cc:dd:ee:ff", "mega_bridge")
        );
    }
}
