//! Rows of the tables about networks: `vlans`, `vlans range`, `vlans
//! blacklist` and `capture`.

use serde::Deserialize;

/// One row of `vlans`: an alias and the VLAN minimega gave it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Vlan {
    /// The host that answered.
    pub host: String,
    /// The alias, as `namespace//alias` outside its namespace.
    pub alias: String,
    /// The VLAN.
    pub vlan: u16,
}

/// The row of `vlans range`: where VLANs for aliases come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct VlanRange {
    /// The host that answered.
    pub host: String,
    /// The lowest VLAN given out.
    pub min: u16,
    /// The highest.
    pub max: u16,
    /// The one the next new alias gets.
    pub next: u16,
}

/// One row of `vlans blacklist`: a VLAN never given to an alias.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BlacklistedVlan {
    /// The host that answered.
    pub host: String,
    /// The VLAN.
    pub vlan: u16,
}

/// One row of `capture`: a packet capture or netflow running.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Capture {
    /// The host that runs it.
    pub host: String,
    /// The bridge it captures on.
    pub bridge: String,
    /// `pcap` or `netflow`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The interface (a VM's tap), for a capture of one VM.
    pub interface: String,
    /// netflow's mode (`raw`, `ascii`).
    pub mode: String,
    /// Whether netflow output is compressed.
    pub compress: String,
    /// Where it writes.
    pub path: String,
}
