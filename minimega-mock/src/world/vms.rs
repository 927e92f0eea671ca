//! The mock's VMs: their lifecycle state, and how `vm info` shows them
//! (columns and `Data` as minimega 3.1.0 has them).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::{Map, Value as Json};

use super::config::{self, Config, Section};
use super::gotime::{go_duration, rfc3339};
use super::netspec::NetSpec;
pub(crate) use super::nics::{Nic, Qos};

/// `vm info`'s columns.
pub(crate) const HEADER: [&str; 44] = [
    "id",
    "name",
    "state",
    "uptime",
    "type",
    "uuid",
    "cc_active",
    "pid",
    "vlan",
    "bridge",
    "tap",
    "mac",
    "ip",
    "ip6",
    "qos",
    "qinq",
    "bond",
    "memory",
    "vcpus",
    "disks",
    "snapshot",
    "initrd",
    "kernel",
    "cdrom",
    "save",
    "append",
    "serial-ports",
    "virtio-ports",
    "vnc_port",
    "usb-use-xhci",
    "tpm-socket",
    "bidirectional-copy-paste",
    "android_avd",
    "android_console_port",
    "android_adb_port",
    "android_serial",
    "filesystem",
    "hostname",
    "init",
    "preinit",
    "fifo",
    "volume",
    "console_port",
    "tags",
];

/// `vm info summary`'s columns.
pub(crate) const SUMMARY_HEADER: [&str; 7] =
    ["id", "name", "state", "type", "uuid", "cc_active", "vlan"];

/// What runs the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Kvm,
    Container,
    Android,
}

impl Kind {
    pub(crate) fn from_word(word: &str) -> Option<Kind> {
        match word {
            "kvm" => Some(Kind::Kvm),
            "container" => Some(Kind::Container),
            "android" => Some(Kind::Android),
            _ => None,
        }
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Kind::Kvm => "kvm",
            Kind::Container => "container",
            Kind::Android => "android",
        }
    }

    fn code(self) -> u8 {
        match self {
            Kind::Kvm => 1,
            Kind::Container => 2,
            Kind::Android => 3,
        }
    }
}

/// A VM's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Building,
    Running,
    Paused,
    Quit,
    Error,
}

impl State {
    fn label(self) -> &'static str {
        match self {
            State::Building => "BUILDING",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Quit => "QUIT",
            State::Error => "ERROR",
        }
    }

    /// minimega's bit-flag encoding, as found in `Data`.
    fn code(self) -> u8 {
        match self {
            State::Building => 1,
            State::Running => 2,
            State::Paused => 4,
            State::Quit => 8,
            State::Error => 16,
        }
    }

    /// Whether `vm kill` applies.
    pub(crate) fn killable(self) -> bool {
        matches!(self, State::Building | State::Running | State::Paused)
    }

    /// Whether `vm flush` removes the VM.
    pub(crate) fn flushable(self) -> bool {
        matches!(self, State::Quit | State::Error)
    }
}

/// One launched VM.
#[derive(Debug, Clone)]
pub(crate) struct Vm {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) host: String,
    pub(crate) kind: Kind,
    pub(crate) state: State,
    /// Shared by every VM of one launch: a launch of many VMs costs one
    /// configuration.
    pub(crate) config: Arc<Config>,
    pub(crate) tags: BTreeMap<String, String>,
    /// Its network interfaces, made at launch from its `networks` specs.
    pub(crate) nics: Vec<Nic>,
    /// Drives `vm hotplug` added, by id: file and USB version.
    pub(crate) hotplug: BTreeMap<u64, (String, String)>,
    /// The cdrom since a `vm cdrom` (empty: ejected); else the config's.
    pub(crate) cdrom: Option<String>,
    /// Whether `vm save` or `ns save` saved it (`vm save` lists it).
    pub(crate) saved: bool,
    uuid: String,
    launched: Instant,
    launch_time: SystemTime,
}

impl Vm {
    pub(crate) fn new(
        id: u64,
        name: String,
        namespace: &str,
        host: &str,
        kind: Kind,
        config: Arc<Config>,
    ) -> Vm {
        let uuid = match config.text("uuid") {
            uuid if uuid.is_empty() => fake_uuid(id, &name, host),
            uuid => uuid,
        };
        Vm {
            id,
            tags: config.map("tags"),
            nics: Vec::new(),
            hotplug: BTreeMap::new(),
            cdrom: None,
            saved: false,
            name,
            namespace: namespace.to_owned(),
            host: host.to_owned(),
            kind,
            state: State::Building,
            config,
            uuid,
            launched: Instant::now(),
            launch_time: SystemTime::now(),
        }
    }

    /// The VM fails to launch: minimega keeps it, in state ERROR, with the
    /// reason in its `error` tag.
    pub(crate) fn fail(&mut self, error: String) {
        self.state = State::Error;
        self.tags.insert("error".to_owned(), error);
    }

    pub(crate) fn vcpus(&self) -> u64 {
        self.config.number("vcpus")
    }

    /// Whether the VM's cc agent has checked in: a running VM with
    /// something to boot (a kernel, an initrd or a disk, which the mock
    /// takes to run minimega's agent), or a running container. A VM with
    /// nothing to boot has no agent, as on a real minimega.
    pub(crate) fn has_agent(&self) -> bool {
        let bootable = !self.config.text("kernel").is_empty()
            || !self.config.text("initrd").is_empty()
            || !self.config.list("disks").is_empty()
            || self.kind == Kind::Container;
        self.state == State::Running && bootable
    }

    /// The process id minimega would show: none for a VM that failed.
    fn pid(&self) -> u64 {
        if self.state == State::Error {
            0
        } else {
            20_000 + self.id
        }
    }

    fn port(&self, base: u64) -> u64 {
        if self.state == State::Error {
            0
        } else {
            base + self.id
        }
    }

    /// The VM's UUID.
    pub(crate) fn uuid(&self) -> &str {
        &self.uuid
    }

    /// The VM's hostname: the configured one, else its name.
    pub(crate) fn hostname(&self) -> String {
        match self.config.text("hostname") {
            name if name.is_empty() => self.name.clone(),
            name => name,
        }
    }

    fn cell(&self, column: &str) -> String {
        let config = &self.config;
        let kvm = matches!(self.kind, Kind::Kvm | Kind::Android);
        let container = self.kind == Kind::Container;
        let field = |name: &str| {
            config::field_named(name)
                .map(|f| config::show(&config.get(f)))
                .unwrap_or_default()
        };
        let when = |yes: bool, value: String| if yes { value } else { "N/A".to_owned() };
        match column {
            "id" => self.id.to_string(),
            "name" => self.name.clone(),
            "state" => self.state.label().to_owned(),
            "uptime" => go_duration(self.launched.elapsed()),
            "type" => self.kind.word().to_owned(),
            "uuid" => self.uuid.clone(),
            // Every running VM has an agent (see `world::cc`), checked in.
            "cc_active" => self.has_agent().to_string(),
            "pid" => self.pid().to_string(),
            "vlan" => self.nic_list(|nic| nic.shown_vlan.clone()),
            "bridge" => self.nic_list(|nic| nic.bridge.clone()),
            "tap" => self.nic_list(|nic| nic.tap.clone()),
            "mac" => self.nic_list(|nic| nic.mac.clone()),
            "ip" | "ip6" => self.nic_list(|_| String::new()),
            "qos" => {
                let shown: Vec<String> = self
                    .nics
                    .iter()
                    .enumerate()
                    .filter_map(|(i, nic)| nic.qos.as_ref().map(|q| q.show(i)))
                    .filter(|s| !s.is_empty())
                    .collect();
                format!("[{}]", shown.join(", "))
            }
            "qinq" | "bond" => "[]".to_owned(),
            "memory" | "vcpus" | "snapshot" => field(column),
            "disks" => when(kvm, config.list("disks").join(" ")),
            "cdrom" if kvm && self.cdrom.is_some() => self.cdrom.clone().unwrap_or_default(),
            "initrd"
            | "kernel"
            | "cdrom"
            | "serial-ports"
            | "virtio-ports"
            | "usb-use-xhci"
            | "tpm-socket"
            | "bidirectional-copy-paste"
            | "append" => when(kvm, field(column)),
            "save" => "N/A".to_owned(),
            "vnc_port" => when(kvm, self.port(30_000).to_string()),
            "android_avd" | "android_console_port" | "android_adb_port" | "android_serial" => {
                when(self.kind == Kind::Android, String::new())
            }
            "filesystem" | "init" | "preinit" => when(container, field(column)),
            "hostname" => when(container, self.hostname()),
            "fifo" => when(container, field("fifos")),
            "volume" => when(container, go_map(&config.map("volume"))),
            "console_port" => when(container, self.port(40_000).to_string()),
            "tags" => config::show(&config::Value::Map(self.tags.clone())),
            _ => "N/A".to_owned(),
        }
    }

    /// Adds an interface for `spec` on `vlan` (shown as `shown_vlan`: its
    /// alias and number, or the number), on tap `mega_tap<tap>` (none for
    /// a VM that failed to launch).
    pub(crate) fn attach(
        &mut self,
        spec: &NetSpec,
        vlan: u64,
        shown_vlan: String,
        tap: Option<u64>,
    ) {
        let nic = Nic::new(self, spec, vlan, shown_vlan, tap);
        self.nics.push(nic);
    }

    /// `vm net disconnect`: the interface at `pos` leaves its bridge.
    pub(crate) fn disconnect(&mut self, pos: usize) -> Result<(), String> {
        let count = self.nics.len();
        let nic = self
            .nics
            .get_mut(pos)
            .ok_or_else(|| format!("no network {pos}, VM only has {count} networks"))?;
        nic.bridge.clear();
        nic.shown_vlan = "disconnected".to_owned();
        Ok(())
    }

    /// `vm net connect`: the interface at `pos` moves to `vlan` (shown as
    /// `shown_vlan`) on `bridge`, or the bridge it is on, or the default.
    pub(crate) fn connect(
        &mut self,
        pos: usize,
        vlan: u64,
        shown_vlan: String,
        bridge: &str,
    ) -> Result<(), String> {
        let count = self.nics.len();
        let nic = self
            .nics
            .get_mut(pos)
            .ok_or_else(|| format!("no network {pos}, VM only has {count} networks"))?;
        if !bridge.is_empty() {
            nic.bridge = bridge.to_owned();
        } else if nic.bridge.is_empty() {
            nic.bridge = super::netspec::DEFAULT_BRIDGE.to_owned();
        }
        nic.vlan = vlan;
        nic.shown_vlan = shown_vlan;
        Ok(())
    }

    /// One value per interface, as minimega lists them in a cell.
    fn nic_list(&self, value: impl Fn(&Nic) -> String) -> String {
        let values: Vec<String> = self.nics.iter().map(value).collect();
        format!("[{}]", values.join(", "))
    }

    pub(crate) fn row(&self, header: &[&str]) -> Vec<String> {
        header.iter().map(|column| self.cell(column)).collect()
    }

    /// The VM as `Data` carries it: its configuration, then its own fields.
    pub(crate) fn data(&self) -> Json {
        let mut data = Map::new();
        for (key, value) in self.config.data(Section::Base) {
            data.insert(key.to_owned(), value);
        }
        data.insert("Bonds".to_owned(), Json::Array(Vec::new()));
        data.insert(
            "Tags".to_owned(),
            Json::Object(
                self.tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                    .collect(),
            ),
        );
        data.insert("UUID".to_owned(), Json::from(self.uuid.as_str()));
        data.insert(
            "Networks".to_owned(),
            Json::Array(self.nics.iter().map(Nic::data).collect()),
        );
        let own = [
            ("ID", Json::from(self.id)),
            ("Name", Json::from(self.name.as_str())),
            ("Namespace", Json::from(self.namespace.as_str())),
            ("Host", Json::from(self.host.as_str())),
            ("State", Json::from(self.state.code())),
            ("LaunchTime", Json::from(rfc3339(self.launch_time))),
            ("Type", Json::from(self.kind.code())),
            ("ActiveCC", Json::from(self.has_agent())),
            ("Pid", Json::from(self.pid())),
        ];
        data.extend(own.map(|(k, v)| (k.to_owned(), v)));
        match self.kind {
            Kind::Kvm | Kind::Android => {
                for (key, value) in self.config.data(Section::Kvm) {
                    data.insert(key.to_owned(), value);
                }
                data.insert("Disks".to_owned(), Json::Array(Vec::new()));
                data.insert("QemuOverride".to_owned(), Json::Array(Vec::new()));
                data.insert("VNCPort".to_owned(), Json::from(self.port(30_000)));
                if self.kind == Kind::Android {
                    for (key, value) in self.config.data(Section::Android) {
                        data.insert(key.to_owned(), value);
                    }
                }
            }
            Kind::Container => {
                for (key, value) in self.config.data(Section::Container) {
                    data.insert(key.to_owned(), value);
                }
                data.insert("Hostname".to_owned(), Json::from(self.hostname()));
                data.insert("ConsolePort".to_owned(), Json::from(self.port(40_000)));
            }
        }
        Json::Object(data)
    }
}

/// A map as Go's `%v` prints it: `map[k:v k2:v2]`, keys sorted.
fn go_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("map[{}]", pairs.join(" "))
}

/// A UUID, different for every VM of a mock run.
fn fake_uuid(id: u64, name: &str, host: &str) -> String {
    let a = random_bits(&(id, name, host));
    let b = random_bits(&(id, name, host, a));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// 64 bits that look random, different for every mock run: the process-wide
/// random seed keeps two mocks' VMs apart, as real UUIDs and MACs are.
pub(crate) fn random_bits(input: &impl Hash) -> u64 {
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    SEED.get_or_init(Default::default).hash_one(input)
}

/// The VMs of one namespace on one host, found by id or name in constant
/// time.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vms {
    by_id: BTreeMap<u64, Vm>,
    by_name: HashMap<String, u64>,
}

impl Vms {
    pub(crate) fn insert(&mut self, vm: Vm) {
        self.by_name.insert(vm.name.clone(), vm.id);
        self.by_id.insert(vm.id, vm);
    }

    pub(crate) fn remove(&mut self, id: u64) {
        if let Some(vm) = self.by_id.remove(&id) {
            self.by_name.remove(&vm.name);
        }
    }

    /// The id of the VM `text` names, as minimega's `FindVM` finds it: an
    /// id if it is a number, else a name or UUID.
    pub(crate) fn find(&self, text: &str) -> Option<u64> {
        if let Ok(id) = text.parse::<u64>() {
            return self.by_id.contains_key(&id).then_some(id);
        }
        if let Some(id) = self.by_name.get(text) {
            return Some(*id);
        }
        self.by_id
            .values()
            .find(|vm| vm.uuid == text)
            .map(|vm| vm.id)
    }

    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut Vm> {
        self.by_id.get_mut(&id)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Vm> {
        self.by_id.values()
    }

    pub(crate) fn ids(&self) -> Vec<u64> {
        self.by_id.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kvm_row_reads_like_minimega() {
        let vm = Vm::new(6, "vm1".into(), "minimega", "vm", Kind::Kvm, Arc::default());
        let row = vm.row(&HEADER);
        assert_eq!(&row[..3], ["6", "vm1", "BUILDING"]);
        assert_eq!(row[24..29], ["N/A", "[]", "0", "", "30006"]);
        assert_eq!(row[43], "{}");
        assert_eq!(vm.data()["Append"], Json::Null);
        assert_eq!(vm.data()["QemuAppend"], serde_json::json!([]));
    }
}
