//! The mock's VMs: their lifecycle state, and how `vm info` shows them
//! (columns and `Data` as minimega 3.1.0 has them).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value as Json};

use super::config::{self, Config, Section};
use super::netspec::NetSpec;

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

    fn word(self) -> &'static str {
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
            "cc_active" => "false".to_owned(),
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
            ("ActiveCC", Json::from(false)),
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

/// Traffic shaping on an interface (`qos add`); empty parts are unset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Qos {
    pub(crate) rate: String,
    pub(crate) loss: String,
    pub(crate) delay: String,
}

impl Qos {
    /// As `vm info` shows it: `index: delay … loss … rate …`, or nothing.
    fn show(&self, index: usize) -> String {
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
    /// The emulated card: the spec's for KVM, none for containers.
    pub(crate) driver: String,
    /// Its `qos`, once one was added.
    pub(crate) qos: Option<Qos>,
}

impl Nic {
    /// An interface of `vm` on `vlan`, with the spec's MAC address or a
    /// random one.
    fn new(vm: &Vm, spec: &NetSpec, vlan: u64, shown_vlan: String, tap: Option<u64>) -> Nic {
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
            driver: if vm.kind == Kind::Container {
                String::new()
            } else {
                spec.driver.clone()
            },
            qos: None,
        }
    }

    fn data(&self) -> Json {
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
fn random_bits(input: &impl Hash) -> u64 {
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    SEED.get_or_init(Default::default).hash_one(input)
}

/// A duration as Go prints one: `1h2m3.5s`, `290.029898ms`, `0s`.
pub(crate) fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    let fraction = |value: u128, unit: u128| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            whole.to_string()
        } else {
            let digits = unit.ilog10() as usize;
            let text = format!("{rest:0digits$}");
            format!("{whole}.{}", text.trim_end_matches('0'))
        }
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", fraction(nanos, 1_000_000));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = nanos / 60_000_000_000 % 60;
    let seconds = fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

/// A time in RFC 3339 with nanoseconds, UTC, as Go encodes `time.Time`.
fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = secs / 86_400;
    let (year, month, day) = civil(days);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_nanos()
    )
}

/// A time in whole seconds since the epoch as Go's `time.RFC3339` writes
/// it in UTC.
pub(crate) fn rfc3339_seconds(secs: u64) -> String {
    let (year, month, day) = civil(secs / 86_400);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's
/// civil-from-days).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
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
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(
            go_duration(Duration::from_nanos(290_029_898)),
            "290.029898ms"
        );
        assert_eq!(
            go_duration(Duration::from_nanos(5_033_042_719)),
            "5.033042719s"
        );
        assert_eq!(
            go_duration(Duration::from_secs(6407) + Duration::from_millis(280)),
            "1h46m47.28s"
        );
        assert_eq!(go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(go_duration(Duration::from_nanos(1_500)), "1.5µs");
    }

    #[test]
    fn times_print_like_go() {
        // A LaunchTime minimega 3.1.0 reported.
        let t = UNIX_EPOCH + Duration::from_secs(1_795_569_479) + Duration::from_nanos(601_418_548);
        assert_eq!(rfc3339(t), "2026-11-25T01:17:59.601418548Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000000Z");
    }

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
