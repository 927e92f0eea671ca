//! `qos add` and `clear qos`: loss, delay and rate on a VM's interfaces,
//! kept as minimega's bridge keeps them (rate replaces loss and delay, and
//! the other way round) and shown in `vm info`'s `qos` column. Nothing
//! shapes any traffic.

use minimega_protocol::WireResponse;

use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::vms::Qos;
use super::super::{Ctx, MatchedCommand, World, WILDCARD};
use super::fixed;
use super::vm::{apply, VmChange};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        (
            "qos <add,> <vm target> <interface> <loss,> <percent>",
            Target(add),
        ),
        (
            "qos <add,> <vm target> <interface> <delay,> <duration>",
            Target(add),
        ),
        (
            "qos <add,> <vm target> <interface> <rate,> <bw> <kbit,mbit,gbit>",
            Target(add),
        ),
        ("clear qos <vm target> [tap index]", Target(clear)),
    ])
}

/// Go's `time.ParseDuration`: a sign, then numbers with units.
pub(crate) fn go_duration_ok(text: &str) -> bool {
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    if text == "0" {
        return true;
    }
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .into_iter()
            .filter(|u| rest.starts_with(u))
            .max_by_key(|u| u.len());
        let Some(unit) = unit else { return false };
        rest = &rest[unit.len()..];
    }
    true
}

/// The value a `qos add` sets, checked as minimega checks it.
fn option(cmd: &MatchedCommand) -> Result<(&'static str, String), String> {
    let m = &cmd.m;
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    if m.chose("rate") {
        let rate = value("bw");
        if rate.parse::<u64>().is_err() {
            return Err(format!("invalid rate: `{rate}`"));
        }
        let unit = ["kbit", "mbit", "gbit"]
            .into_iter()
            .find(|u| m.chose(u))
            .unwrap_or_default();
        Ok(("rate", format!("{rate}{unit}")))
    } else if m.chose("loss") {
        let loss = value("percent");
        match loss.parse::<f64>() {
            Ok(v) if (0.0..100.0).contains(&v) => Ok(("loss", loss)),
            _ => Err(format!("invalid loss: `{loss}`")),
        }
    } else {
        let mut delay = value("duration");
        if !go_duration_ok(&delay) {
            if !go_duration_ok(&format!("{delay}ms")) {
                return Err(format!("invalid duration: `{delay}`"));
            }
            delay.push_str("ms");
        }
        if delay.starts_with('-')
            && delay
                .trim_start_matches(['-', '0', '.'])
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        {
            return Err("delay cannot be negative".to_owned());
        }
        Ok(("delay", delay))
    }
}

fn add(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let index = cmd.m.value("interface").unwrap_or_default();
    if index == WILDCARD {
        return Err("wildcard qos not implemented".into());
    }
    let tap: usize = index
        .parse()
        .map_err(|_| format!("invalid tap index {index}"))?;
    let (kind, value) = option(cmd)?;
    apply(world, ctx, cmd, |vm, _| {
        let Some(nic) = vm.nics.get_mut(tap) else {
            return VmChange::Failed(format!("invalid tap index specified: {tap}"));
        };
        if nic.tap.is_empty() {
            return VmChange::Failed(format!("tap {} not found", nic.tap));
        }
        let qos = nic.qos.get_or_insert_with(Qos::default);
        match kind {
            "rate" => {
                qos.loss.clear();
                qos.delay.clear();
                qos.rate = value.clone();
            }
            "loss" => {
                qos.rate.clear();
                qos.loss = value.clone();
            }
            _ => {
                qos.rate.clear();
                qos.delay = value.clone();
            }
        }
        VmChange::Done
    })
}

fn clear(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let index = cmd.m.value("tap").unwrap_or_default().to_owned();
    let tap: Option<usize> = index.parse().ok();
    if tap.is_none() && index != WILDCARD {
        return Err(format!("invalid tap index {index}").into());
    }
    apply(world, ctx, cmd, |vm, _| match tap {
        None => {
            vm.nics.iter_mut().for_each(|nic| nic.qos = None);
            VmChange::Done
        }
        Some(tap) => match vm.nics.get_mut(tap) {
            Some(nic) => {
                nic.qos = None;
                VmChange::Done
            }
            None => VmChange::Failed(format!("invalid tap index specified: {tap}")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        for ok in ["100ms", "1s", "1.5h", "0", "2h45m", "-3s"] {
            assert!(go_duration_ok(ok), "{ok}");
        }
        for bad in ["100xbit", "", "ms", "1..2s", "100"] {
            assert!(!go_duration_ok(bad), "{bad}");
        }
    }
}
