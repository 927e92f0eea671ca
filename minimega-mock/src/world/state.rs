//! What each host keeps: its namespaces (configuration, VMs, cc, routers,
//! taps, captures, queued launches), host taps and the plumber.

use std::collections::{BTreeMap, BTreeSet};

use super::config::Config;
use super::vms::{self, Vms};
use super::{cc, commands, router};

/// A namespace as one node holds it.
#[derive(Debug, Clone)]
pub(crate) struct Namespace {
    /// The hosts its VM commands run on.
    pub(crate) hosts: Vec<String>,
    pub(crate) config: Config,
    pub(crate) saved: BTreeMap<String, Config>,
    /// The counter that names counted VMs (`vm-N`).
    pub(crate) next_name: u64,
    pub(crate) vms: Vms,
    /// The namespace's cc server.
    pub(crate) cc: cc::Cc,
    /// `vm config qemu-override`'s (match, replacement) pairs, in order.
    pub(crate) qemu_overrides: Vec<(String, String)>,
    /// Packet captures (`capture`).
    pub(crate) captures: Vec<commands::capture::Capture>,
    /// Host taps made in this namespace, by name.
    pub(crate) taps: BTreeSet<String>,
    /// Taps mirrored to (the destination of each mirror).
    pub(crate) mirrors: BTreeSet<String>,
    /// `ns queueing`: launches wait in `queue`.
    pub(crate) queueing: bool,
    pub(crate) queue: Vec<Queued>,
    /// Where `ns schedule dry-run` put each queued VM (`mv` changes it).
    pub(crate) assignment: Option<Vec<(String, String)>>,
    /// Router configurations, by the router VM's id.
    pub(crate) routers: BTreeMap<u64, router::Router>,
    /// VNC recordings and playbacks.
    pub(crate) vnc: commands::vnc::Vnc,
}

/// A tap made on the host with `tap create`.
#[derive(Debug, Clone)]
pub(crate) struct HostTap {
    pub(crate) bridge: String,
    pub(crate) vlan: u64,
    /// The node it was made on.
    pub(crate) node: usize,
}

/// A launch checked and waiting for `vm launch` or `ns schedule` (with
/// `ns queueing true`), or about to run.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub(crate) names: Vec<String>,
    pub(crate) kind: vms::Kind,
    pub(crate) config: Config,
}

/// One host of the mock.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) namespaces: BTreeMap<String, Namespace>,
    pub(crate) active: String,
    /// VM ids are per node, across namespaces, and never reused.
    pub(crate) next_vm_id: u64,
    /// Tap numbers likewise: `mega_tap<n>`.
    pub(crate) next_tap: u64,
    /// The host's pipes and pipelines.
    pub(crate) plumber: commands::plumbing::Plumber,
    /// The bridges made on the host (by a VM's or host tap, or `bridge
    /// trunk`), with their trunk ports.
    pub(crate) bridges: BTreeMap<String, BTreeSet<String>>,
}
