//! Ready row types for the tables scripts read most, and serde helpers for
//! your own.
//!
//! Each type reads one row of a whole table (not one cut down by
//! `.columns`), with the answering host in `host`:
//!
//! ```no_run
//! # mod minimega { pub mod runtime { pub use minimega_client::*; } }
//! use minimega::runtime::tables::{VmInfo, VmState};
//! use minimega::runtime::Client;
//!
//! let mut mm = Client::connect()?;
//! let vms: Vec<VmInfo> = mm.run_line("vm info")?.rows_as()?;
//! for vm in vms.iter().filter(|vm| vm.state == VmState::Error) {
//!     println!("{} on {} failed: {}", vm.name, vm.host, vm.error().unwrap_or("?"));
//! }
//! # Ok::<(), minimega::runtime::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;

mod files;
mod network;

pub use files::{DiskInfo, FileEntry};
pub use network::{BlacklistedVlan, Capture, Vlan, VlanRange};

/// A VM's state, as `vm info` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum VmState {
    /// Launched, not started yet.
    Building,
    /// Started.
    Running,
    /// Stopped after running.
    Paused,
    /// Killed; gone after `vm flush`.
    Quit,
    /// Failed; the reason is in the VM's `error` tag ([`VmInfo::error`]).
    Error,
    /// A state this client does not know (a newer minimega).
    #[serde(other)]
    Unknown,
}

impl VmState {
    /// Whether the VM is gone for good (`QUIT` or `ERROR`): waiting for it
    /// to reach another state is pointless.
    pub fn is_final(self) -> bool {
        matches!(self, VmState::Quit | VmState::Error)
    }
}

impl fmt::Display for VmState {
    /// minimega's name for the state; width and alignment apply
    /// (`{:<10}`), for tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            VmState::Building => "BUILDING",
            VmState::Running => "RUNNING",
            VmState::Paused => "PAUSED",
            VmState::Quit => "QUIT",
            VmState::Error => "ERROR",
            VmState::Unknown => "UNKNOWN",
        })
    }
}

/// What runs a VM (`vm info`'s `type` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VmKind {
    /// A QEMU/KVM virtual machine.
    Kvm,
    /// A container.
    Container,
    /// An Android emulator.
    Android,
    /// A kind this client does not know.
    #[serde(other)]
    Unknown,
}

/// One row of `vm info`: the columns scripts use, typed. Lists such as
/// `ip` are empty when unset; columns that do not apply to the VM's kind
/// (minimega writes `N/A`) are `None`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct VmInfo {
    /// The host that runs the VM.
    pub host: String,
    /// The VM's id on its host.
    pub id: u64,
    /// The VM's name.
    pub name: String,
    /// Its state.
    pub state: VmState,
    /// How long since it was launched.
    #[serde(deserialize_with = "go_duration", default)]
    pub uptime: Option<Duration>,
    /// What runs it.
    #[serde(rename = "type")]
    pub kind: VmKind,
    /// Its UUID.
    pub uuid: String,
    /// Whether its cc agent is connected.
    pub cc_active: bool,
    /// The process id on its host, once it has one.
    pub pid: Option<u32>,
    /// The VLAN of each network interface.
    pub vlan: Vec<String>,
    /// The bridge of each network interface.
    pub bridge: Vec<String>,
    /// The tap of each network interface.
    pub tap: Vec<String>,
    /// The MAC address of each network interface.
    pub mac: Vec<String>,
    /// The IPv4 address of each network interface, as learned so far: an
    /// empty item for an interface without one (but minimega writes a
    /// single interface without an address as an empty list).
    pub ip: Vec<String>,
    /// The IPv6 addresses, as learned so far (written as `ip` is).
    pub ip6: Vec<String>,
    /// Memory, in MiB.
    pub memory: u64,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// The disks (KVM), as configured.
    pub disks: Option<String>,
    /// Whether disks are snapshots (changes are discarded).
    pub snapshot: bool,
    /// The VNC port (KVM).
    pub vnc_port: Option<u16>,
    /// The console port (containers).
    pub console_port: Option<u16>,
    /// The root file system (containers).
    pub filesystem: Option<String>,
    /// The tags.
    pub tags: BTreeMap<String, String>,
}

impl VmInfo {
    /// Why the VM failed, if it did: minimega records it in the `error`
    /// tag.
    pub fn error(&self) -> Option<&str> {
        self.tags.get("error").map(String::as_str)
    }
}

/// One row of `vm info summary`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct VmSummary {
    /// The host that runs the VM.
    pub host: String,
    /// The VM's id on its host.
    pub id: u64,
    /// The VM's name.
    pub name: String,
    /// Its state.
    pub state: VmState,
    /// What runs it.
    #[serde(rename = "type")]
    pub kind: VmKind,
    /// Its UUID.
    pub uuid: String,
    /// Whether its cc agent is connected.
    pub cc_active: bool,
    /// The VLAN of each network interface.
    pub vlan: Vec<String>,
}

/// One row of `vm top`: what a running VM's processes use, measured over
/// the command's duration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct VmTop {
    /// The host that runs the VM.
    pub host: String,
    /// The VM's name.
    pub name: String,
    /// Virtual memory, in MiB.
    pub virt: u64,
    /// Resident memory, in MiB.
    pub res: u64,
    /// Shared memory, in MiB.
    pub shr: u64,
    /// CPU use, in percent of one CPU.
    pub cpu: f64,
    /// CPU use per virtual CPU, in percent.
    pub vcpu: f64,
    /// CPU time used so far.
    #[serde(deserialize_with = "go_duration", default)]
    pub time: Option<Duration>,
    /// Its processes.
    pub procs: u32,
    /// Received, in MB/s.
    pub rx: f64,
    /// Sent, in MB/s.
    pub tx: f64,
}

/// One row of `host`: a host's resources and load.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct HostInfo {
    /// The host.
    pub host: String,
    /// Its CPUs.
    pub cpus: u32,
    /// Its load averages, as `uptime` prints them.
    pub load: String,
    /// Memory in use, in MiB.
    pub memused: u64,
    /// Memory in all, in MiB.
    pub memtotal: u64,
    /// Received, in MB/s.
    pub rx: f64,
    /// Sent, in MB/s.
    pub tx: f64,
    /// VMs it runs.
    pub vms: u64,
    /// The most VMs it takes (-1: no limit).
    pub vmlimit: i64,
    /// Memory its VMs were given, in MiB.
    pub memcommit: u64,
    /// How long minimega has run on it.
    #[serde(deserialize_with = "go_duration", default)]
    pub uptime: Option<Duration>,
}

/// One row of `namespace`, which lists the namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct NamespaceInfo {
    /// The host that answered.
    pub host: String,
    /// The namespace's name.
    pub namespace: String,
    /// The VLAN range it allocates from.
    pub vlans: String,
    /// Whether it is minimega's active namespace.
    pub active: bool,
}

/// For `#[serde(deserialize_with = "minimega::runtime::tables::go_duration")]`:
/// a duration as Go prints one (`1h2m3.5s`, `290.02ms`); empty or `N/A` is
/// `None`.
pub fn go_duration<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    let text: Option<&str> = Option::deserialize(deserializer)?;
    text.map(|text| {
        crate::cells::go_duration(text).ok_or_else(|| {
            <D::Error as serde::de::Error>::custom(format_args!("`{text}` is not a duration"))
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WireResponse;
    use crate::response::Response;

    /// `vm info`'s columns in minimega 3.1.0, with a KVM and a container.
    fn vm_info() -> Response {
        let header = "id name state uptime type uuid cc_active pid vlan bridge tap mac ip ip6 qos qinq bond memory vcpus disks snapshot initrd kernel cdrom save append serial-ports virtio-ports vnc_port usb-use-xhci tpm-socket bidirectional-copy-paste android_avd android_console_port android_adb_port android_serial filesystem hostname init preinit fifo volume console_port tags";
        let kvm = "6|web1|RUNNING|290.029898ms|kvm|6796-uuid|false|11230|[100]|[mega_bridge]|[mega_tap0]|[00:11:22:33:44:55]|[10.0.0.2]|[]|[]|[]|[]|128|1||true||||N/A|[]|0||33905|true||false|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|{}";
        let broken = "7|db|ERROR|1.5s|container|5b57-uuid|false|0|[]|[]|[]|[]|[]|[]|[]|[]|[]|2048|1|N/A|true|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A|N/A||db|[init]||0||40001|{\"error\":\"no filesystem\"}";
        Response::from(WireResponse {
            host: "node2".into(),
            header: Some(header.split(' ').map(str::to_owned).collect()),
            tabular: Some(
                [kvm, broken]
                    .iter()
                    .map(|row| row.split('|').map(str::to_owned).collect())
                    .collect(),
            ),
            ..WireResponse::default()
        })
    }

    #[test]
    fn vm_info_reads_into_typed_rows() {
        let vms: Vec<VmInfo> = vm_info().rows_as().unwrap();
        let web = &vms[0];
        assert_eq!(
            (web.host.as_str(), web.id, web.name.as_str()),
            ("node2", 6, "web1")
        );
        assert_eq!((web.state, web.kind), (VmState::Running, VmKind::Kvm));
        assert_eq!(web.uptime, Some(Duration::from_nanos(290_029_898)));
        assert_eq!(web.vlan, ["100"]);
        assert_eq!(web.ip, ["10.0.0.2"]);
        assert!(web.ip6.is_empty());
        assert_eq!(
            (web.memory, web.vnc_port, web.pid),
            (128, Some(33905), Some(11230))
        );
        assert_eq!(web.disks, None);
        let db = &vms[1];
        assert_eq!((db.state, db.kind), (VmState::Error, VmKind::Container));
        assert_eq!(db.error(), Some("no filesystem"));
        assert_eq!((db.vnc_port, db.console_port), (None, Some(40001)));
        assert!(db.state.is_final());
    }

    #[test]
    fn states_this_client_does_not_know_still_read() {
        #[derive(Deserialize)]
        struct Only {
            state: VmState,
        }
        let row = [("state", "MIGRATING")];
        let only: Only = crate::cells::row(row.into_iter()).unwrap();
        assert_eq!(only.state, VmState::Unknown);
    }

    /// A table as a real minimega 3.1.0 answered it (`|` between cells).
    fn table(header: &str, rows: &[&str]) -> Response {
        Response::from(WireResponse {
            host: "vm".into(),
            header: Some(header.split(' ').map(str::to_owned).collect()),
            tabular: Some(
                rows.iter()
                    .map(|row| row.split('|').map(str::to_owned).collect())
                    .collect(),
            ),
            ..WireResponse::default()
        })
    }

    #[test]
    fn the_tables_scripts_read_are_typed() {
        let vlans: Vec<Vlan> = table("alias vlan", &["dmz|100"]).rows_as().unwrap();
        assert_eq!((vlans[0].alias.as_str(), vlans[0].vlan), ("dmz", 100));
        let range: Vec<VlanRange> = table("min max next", &["200|300|200"]).rows_as().unwrap();
        assert_eq!((range[0].min, range[0].max, range[0].next), (200, 300, 200));
        let black: Vec<BlacklistedVlan> = table("vlan", &["250", "260"]).rows_as().unwrap();
        assert_eq!(black.iter().map(|b| b.vlan).collect::<Vec<_>>(), [250, 260]);
        let files: Vec<FileEntry> = table(
            "dir name size modified",
            &[
                "<dir>|miniccc_responses|4096|2026-12-03T16:18:57Z",
                "|x.txt|3|2026-12-03T16:19:09Z",
            ],
        )
        .rows_as()
        .unwrap();
        assert!(files[0].dir && !files[1].dir);
        assert_eq!((files[1].name.as_str(), files[1].size), ("x.txt", 3));
        let top: Vec<VmTop> = table(
            "name virt res shr cpu vcpu time procs rx tx",
            &["v1|446|37|21|0.00|0.00|0s|1|0.00|0.00"],
        )
        .rows_as()
        .unwrap();
        assert_eq!((top[0].virt, top[0].procs), (446, 1));
        assert_eq!(top[0].time, Some(Duration::ZERO));
        let captures: Vec<Capture> = table(
            "bridge type interface mode compress path",
            &["mega_bridge|pcap|mega_tap0|||/tmp/x.pcap"],
        )
        .rows_as()
        .unwrap();
        assert_eq!(captures[0].kind, "pcap");
        let error = table("alias vlan", &["dmz|lots"])
            .rows_as::<Vlan>()
            .unwrap_err();
        assert!(error.to_string().contains("vlan"), "{error}");
    }

    #[test]
    fn states_line_up_in_tables() {
        assert_eq!(format!("[{:<9}]", VmState::Running), "[RUNNING  ]");
        assert_eq!(format!("[{:>6}]", VmState::Quit), "[  QUIT]");
    }
}
