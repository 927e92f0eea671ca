//! `vnc`: keyboard and framebuffer recordings and keyboard playbacks of a
//! namespace's KVMs, as minimega's recorder and player keep them, and
//! `clear vnc`. Nothing connects to a VM: a recording writes no file, and a
//! playback sends nothing and lasts until it is stopped (minimega's ends
//! with its file); its time left is what its file's delays add up to, if
//! the mock can read it.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use minimega_protocol::WireResponse;

use super::super::gotime::go_duration;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::Kind;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;
use super::vm::{apply, VmChange};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vnc <record,> <kb,fb> <vm name> <filename>", Target(record)),
        ("vnc <stop,> <kb,fb> <vm name>", Target(record)),
        ("vnc <play,> <vm target> <filename>", Target(play)),
        ("vnc <stop,> <vm target>", Target(play)),
        ("vnc <pause,> <vm target>", Target(play)),
        ("vnc <continue,> <vm target>", Target(play)),
        ("vnc", Broadcast(list)),
        ("clear vnc", Broadcast(clear)),
    ])
}

/// A namespace's recordings and playbacks, by VM name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vnc {
    /// (VM, `kb` or `fb`) → the recording.
    recordings: BTreeMap<(String, &'static str), Running>,
    playbacks: BTreeMap<String, Playback>,
}

/// A recording: its file and when it started.
#[derive(Debug, Clone)]
struct Running {
    file: String,
    start: Instant,
}

#[derive(Debug, Clone)]
struct Playback {
    file: String,
    /// What the file's delays add up to.
    length: Duration,
    start: Instant,
    paused: bool,
}

/// `vnc record|stop kb|fb <vm> [file]`, on the host that has the VM.
fn record(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let name = cmd.m.value("vm").unwrap_or_default().to_owned();
    let kind = if cmd.m.chose("kb") { "kb" } else { "fb" };
    let file = world.in_files(cmd.m.value("filename").unwrap_or_default());
    let ns = world.ns(ctx);
    let id = ns
        .vms
        .find(&name)
        .ok_or_else(|| Failure::VmNotFound(name.clone()))?;
    if ns.vms.get_mut(id).is_some_and(|vm| vm.kind != Kind::Kvm) {
        return Err(format!("vm not KVM: {name}").into());
    }
    let key = (name.clone(), kind);
    let recordings = &mut ns.vnc.recordings;
    if cmd.m.chose("record") {
        if recordings.contains_key(&key) {
            return Err(format!("{kind} recording for {name} already running").into());
        }
        let start = Instant::now();
        recordings.insert(key, Running { file, start });
        return Ok(());
    }
    match recordings.remove(&key) {
        Some(_) => Ok(()),
        None => Err(format!("{kind} recording {name} not found").into()),
    }
}

/// `vnc play|stop|pause|continue <vm target>`: on each KVM the target names.
fn play(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let file = world.in_files(cmd.m.value("filename").unwrap_or_default());
    let length = std::fs::read_to_string(&file)
        .map(|text| file_length(&text))
        .unwrap_or_default();
    let mut playbacks = std::mem::take(&mut world.ns(ctx).vnc.playbacks);
    let result = apply(world, ctx, cmd, |vm, _| {
        if vm.kind != Kind::Kvm {
            return VmChange::Skip;
        }
        let name = vm.name.clone();
        let outcome = if cmd.m.chose("play") {
            match playbacks.entry(name) {
                Entry::Occupied(taken) => {
                    Err(format!("kb playback {} already playing", taken.key()))
                }
                Entry::Vacant(free) => {
                    free.insert(Playback {
                        file: file.clone(),
                        length,
                        start: Instant::now(),
                        paused: false,
                    });
                    Ok(())
                }
            }
        } else if cmd.m.chose("stop") {
            playbacks
                .remove(&name)
                .map(drop)
                .ok_or_else(|| format!("kb playback not found for {name}"))
        } else {
            playbacks
                .get_mut(&name)
                .map(|playback| playback.paused = cmd.m.chose("pause"))
                .ok_or_else(|| format!("kb playback not found for {name}"))
        };
        match outcome {
            Ok(()) => VmChange::Done,
            Err(error) => VmChange::Failed(error),
        }
    });
    world.ns(ctx).vnc.playbacks = playbacks;
    result
}

/// What a playback file's delays add up to: each event line starts with
/// its delay in nanoseconds, `delay:event`.
fn file_length(text: &str) -> Duration {
    let nanos = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter_map(|(delay, _)| delay.trim().parse::<u64>().ok())
        .fold(0u64, u64::saturating_add);
    Duration::from_nanos(nanos)
}

/// `vnc`: the recordings (keyboard, then framebuffer) and the playbacks.
fn list(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let vnc = &world.ns(ctx).vnc;
    let mut rows = Vec::new();
    for kind in ["kb", "fb"] {
        for ((name, _), running) in vnc.recordings.iter().filter(|((_, k), _)| *k == kind) {
            rows.push(vec![
                name.clone(),
                format!("record {kind}"),
                go_duration(running.start.elapsed()),
                running.file.clone(),
            ]);
        }
    }
    for (name, playback) in &vnc.playbacks {
        let time = if playback.paused {
            "PAUSED".to_owned()
        } else {
            let left = playback.length.saturating_sub(playback.start.elapsed());
            format!("{} remaining", go_duration(left))
        };
        rows.push(vec![
            name.clone(),
            "playback kb".to_owned(),
            time,
            playback.file.clone(),
        ]);
    }
    r.header = Some(
        ["name", "type", "time", "filename"]
            .map(String::from)
            .to_vec(),
    );
    r.tabular = (!rows.is_empty()).then_some(rows);
    Ok(())
}

/// `clear vnc`: stops every recording and playback.
fn clear(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world.ns(ctx).vnc = Vnc::default();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_playback_lasts_what_its_delays_add_up_to() {
        let text = "1000000000:KeyEvent,true,a\n# a comment\n500:KeyEvent,false,a\n";
        assert_eq!(file_length(text), Duration::from_nanos(1_000_000_500));
        assert_eq!(file_length("garbage"), Duration::ZERO);
    }
}
