//! What each simulated command does, as minimega 3.1.0 does it (the texts
//! of answers and errors are minimega's, checked against recordings by the
//! conformance test), one module per command family. Each module registers
//! its own patterns ([`entries`]) beside its handlers.

mod bridges;
pub(crate) mod capture;
mod cc;
mod cli;
mod files;
mod modifiers;
mod namespaces;
mod ns;
pub(crate) mod plumbing;
mod qemu;
mod qos;
mod router;
mod save;
mod session;
mod shell;
mod taps;
mod vlans;
mod vm;
mod vm_config;
mod vm_devices;
mod vm_net;
mod vm_tags;
pub(crate) mod vnc;

use minimega_spec::Item;

use super::table::Dispatch;
use super::{MatchedCommand, World};

/// Every command the mock simulates, by its pattern in minimega 3.1.0.
pub(crate) fn entries() -> Vec<(String, Dispatch)> {
    let mut entries = Vec::new();
    entries.extend(cli::entries());
    entries.extend(namespaces::entries());
    entries.extend(vm::entries());
    entries.extend(vm_config::entries());
    entries.extend(vlans::entries());
    entries.extend(modifiers::entries());
    entries.extend(session::entries());
    entries.extend(router::entries());
    entries.extend(shell::entries());
    entries.extend(cc::entries());
    entries.extend(vm_net::entries());
    entries.extend(vm_tags::entries());
    entries.extend(files::entries());
    entries.extend(qos::entries());
    entries.extend(vm_devices::entries());
    entries.extend(plumbing::entries());
    entries.extend(ns::entries());
    entries.extend(taps::entries());
    entries.extend(capture::entries());
    entries.extend(qemu::entries());
    entries.extend(vnc::entries());
    entries.extend(save::entries());
    entries.extend(bridges::entries());
    entries
}

/// Registers each fixed pattern with its handler.
fn fixed<const N: usize>(table: [(&str, Dispatch); N]) -> Vec<(String, Dispatch)> {
    table
        .into_iter()
        .map(|(key, handler)| (key.to_owned(), handler))
        .collect()
}

/// The word at `index` of the command's pattern, if it is a literal.
fn word(world: &World, cmd: &MatchedCommand, index: usize) -> String {
    world
        .spec()
        .pattern(cmd.m.id)
        .items
        .get(index)
        .and_then(Item::fixed_word)
        .unwrap_or_default()
        .to_owned()
}
