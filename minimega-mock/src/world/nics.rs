//! A VM's network interfaces: what a `networks` spec made at launch, and
//! the traffic shaping `qos` put on them.

use serde_json::Value as Json;

use super::netspec::NetSpec;
use super::vms::{random_bits, Vm};

/// Traffic shaping on an interface (`qos add`); empty parts are unset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Qos {
    pub(crate) rate: String,
    pub(crate) loss: String,
    pub(crate) delay: String,
}

impl Qos {
    /// As `vm info` shows it: `index: delay … loss … rate …`, or nothing.
    pub(crate) fn show(&self, index: usize) -> String {
        let mut parts = Vec::new();
        // minimega lists rate, loss, delay, and prints each kind in the
        // order delay, loss, rate within that list: one of each.
        for (kind, value) in [
            ("rate", &self.rate),
            ("loss", &self.loss),
            ("delay", &self.delay),
        ] {
            if !value.is_empty() {
                parts.push(format!("{kind} {value}"));
            }
        }
        if parts.is_empty() {
            return String::new();
        }
        format!("{index}: {}", parts.join(" "))
    }
}

/// One network interface of a VM: a `networks` spec, with what launching
/// it made.
#[derive(Debug, Clone)]
pub(crate) struct Nic {
    /// The spec as `vm config networks` shows it.
    pub(crate) spec: String,
    /// The VLAN as the spec names it, by number or alias.
    pub(crate) alias: String,
    pub(crate) bridge: String,
    pub(crate) vlan: u64,
    /// The VLAN as `vm info` shows it: `alias (number)`, or the number when
    /// the namespace has no alias for it.
    pub(crate) shown_vlan: String,
    /// `mega_tap<n>`, numbered per host in the order taps are made.
    pub(crate) tap: String,
    pub(crate) mac: String,
    /// The emulated card the spec names (minimega's default, e1000, else).
    pub(crate) driver: String,
    /// Its `qos`, once one was added.
    pub(crate) qos: Option<Qos>,
}

impl Nic {
    /// An interface of `vm` on `vlan`, with the spec's MAC address or a
    /// random one.
    pub(crate) fn new(
        vm: &Vm,
        spec: &NetSpec,
        vlan: u64,
        shown_vlan: String,
        tap: Option<u64>,
    ) -> Nic {
        let text = spec.to_string();
        // Unicast and globally administered, as minimega's random MACs are.
        let bits = random_bits(&(&vm.host, vm.id, &text, tap)).to_be_bytes();
        let random = format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            bits[0] & 0xfc,
            bits[1],
            bits[2],
            bits[3],
            bits[4],
            bits[5]
        );
        Nic {
            alias: spec.alias.clone(),
            bridge: spec.bridge.clone(),
            spec: text,
            vlan,
            shown_vlan,
            tap: tap.map(|t| format!("mega_tap{t}")).unwrap_or_default(),
            mac: if spec.mac.is_empty() {
                random
            } else {
                spec.mac.clone()
            },
            // minimega keeps the spec's driver (e1000 unless given) for
            // containers too.
            driver: spec.driver.clone(),
            qos: None,
        }
    }

    pub(crate) fn data(&self) -> Json {
        serde_json::json!({
            "Alias": self.alias,
            "Bridge": self.bridge,
            "Driver": self.driver,
            "IP4": "",
            "IP6": "",
            "MAC": self.mac,
            "QinQ": false,
            "Raw": self.spec,
            "RxRate": 0,
            "Tap": self.tap,
            "TxRate": 0,
            "VLAN": self.vlan,
        })
    }
}
