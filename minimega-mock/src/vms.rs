//! The mock's VMs: their configuration, lifecycle state, and how `vm info`
//! shows them.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::time::Instant;

use serde_json::{json, Value};

/// A VM configuration: `vm config` field name to value, as typed.
pub(crate) type Config = BTreeMap<String, String>;

/// minimega's defaults for the fields that have one.
pub(crate) fn default_config() -> Config {
    [
        ("memory", "2048"),
        ("vcpus", "1"),
        ("snapshot", "true"),
        ("backchannel", "true"),
        ("usb-use-xhci", "true"),
        ("bidirectional-copy-paste", "false"),
        ("vga", "std"),
        ("serial-ports", "0"),
        ("virtio-ports", "0"),
        ("fifos", "0"),
        ("qemu", "kvm"),
        ("coschedule", "-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Fields minimega only accepts as integers.
pub(crate) fn is_integer_field(field: &str) -> bool {
    matches!(
        field,
        "memory"
            | "vcpus"
            | "sockets"
            | "cores"
            | "threads"
            | "serial-ports"
            | "fifos"
            | "coschedule"
    )
}

/// `vm info`'s columns in minimega 3.1.0.
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

/// A VM's lifecycle state (the mock's VMs never fail, so no ERROR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Building,
    Running,
    Paused,
    Quit,
}

impl State {
    fn label(self) -> &'static str {
        match self {
            State::Building => "BUILDING",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Quit => "QUIT",
        }
    }

    /// minimega's bit-flag encoding, as found in `Data`.
    fn code(self) -> u8 {
        match self {
            State::Building => 1,
            State::Running => 2,
            State::Paused => 4,
            State::Quit => 8,
        }
    }
}

/// One launched VM.
#[derive(Debug, Clone)]
pub(crate) struct Vm {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) host: String,
    pub(crate) kind: Kind,
    pub(crate) state: State,
    config: Config,
    launched: Instant,
    uuid: String,
}

impl Vm {
    pub(crate) fn new(id: u64, name: String, host: String, kind: Kind, config: Config) -> Vm {
        let uuid = fake_uuid(id, &name, &host);
        Vm {
            id,
            name,
            host,
            kind,
            state: State::Building,
            config,
            launched: Instant::now(),
            uuid,
        }
    }

    fn config(&self, field: &str) -> String {
        self.config.get(field).cloned().unwrap_or_default()
    }

    fn cell(&self, column: &str) -> String {
        let kvm = self.kind == Kind::Kvm;
        let container = self.kind == Kind::Container;
        let kvm_only = |value: String| if kvm { value } else { "N/A".to_owned() };
        let container_only = |value: String| if container { value } else { "N/A".to_owned() };
        match column {
            "id" => self.id.to_string(),
            "name" => self.name.clone(),
            "state" => self.state.label().to_owned(),
            "uptime" => format!("{:?}", self.launched.elapsed()),
            "type" => self.kind.word().to_owned(),
            "uuid" => self.uuid.clone(),
            "cc_active" => "false".to_owned(),
            "pid" => (10_000 + self.id).to_string(),
            "vlan" | "bridge" | "tap" | "mac" | "ip" | "ip6" | "qos" | "qinq" | "bond" => {
                "[]".to_owned()
            }
            "memory" | "vcpus" | "snapshot" => self.config(column),
            "disks" | "initrd" | "kernel" | "cdrom" => kvm_only(self.config(column)),
            "save" => "N/A".to_owned(),
            "append" => kvm_only(format!("[{}]", self.config("append"))),
            "serial-ports"
            | "virtio-ports"
            | "usb-use-xhci"
            | "tpm-socket"
            | "bidirectional-copy-paste" => kvm_only(self.config(column)),
            "vnc_port" => kvm_only((30_000 + self.id).to_string()),
            "filesystem" | "hostname" | "init" | "preinit" => container_only(self.config(column)),
            "fifo" => container_only(self.config("fifos")),
            "console_port" => container_only((40_000 + self.id).to_string()),
            "tags" => "{}".to_owned(),
            _ => "N/A".to_owned(),
        }
    }

    pub(crate) fn row(&self, header: &[&str]) -> Vec<String> {
        header.iter().map(|column| self.cell(column)).collect()
    }

    pub(crate) fn data(&self, namespace: &str) -> Value {
        let number = |field: &str| self.config(field).parse::<i64>().unwrap_or(0);
        json!({
            "ID": self.id,
            "Name": self.name,
            "Namespace": namespace,
            "Host": self.host,
            "State": self.state.code(),
            "Type": self.kind.code(),
            "UUID": self.uuid,
            "VCPUs": number("vcpus"),
            "Memory": number("memory"),
            "Snapshot": self.config("snapshot") == "true",
            "Pid": 10_000 + self.id,
            "Tags": {},
        })
    }
}

fn fake_uuid(id: u64, name: &str, host: &str) -> String {
    let mut hasher = DefaultHasher::new();
    (id, name, host).hash(&mut hasher);
    let a = hasher.finish();
    id.hash(&mut hasher);
    let b = hasher.finish();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}
