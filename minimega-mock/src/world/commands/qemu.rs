//! `vm config qemu-override`: the overrides (match, replacement) of the
//! namespace's configuration, and the QEMU command line minimega would
//! start a KVM VM of that configuration with, before and after them, as
//! minimega 3.1.0 builds it (`qemuArgs`, for VM 0 in the current folder).
//! The mock keeps the overrides beside the configuration: `vm config
//! save`, `restore` and `clone` do not carry them.

use minimega_protocol::WireResponse;

use super::super::config::{field_named, Config, Value};
use super::super::netspec::NetSpec;
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World};
use super::fixed;

/// minimega's `DEV_PER_BUS` and `DEV_PER_VIRTIO`.
const DEV_PER_BUS: u64 = 32;
const DEV_PER_VIRTIO: usize = 30;

/// Disk caches a disk spec may name (the rest are interfaces).
const CACHES: [&str; 5] = ["none", "writeback", "unsafe", "directsync", "writethrough"];

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    fixed([
        ("vm config qemu-override", Simple(qemu_override)),
        (
            "vm config qemu-override <match> <replacement>",
            Simple(qemu_override),
        ),
        ("clear vm config <qemu-override,>", Simple(clear)),
    ])
}

fn flag(config: &Config, name: &str) -> bool {
    field_named(name).is_some_and(|f| config.get(f) == Value::Bool(true))
}

/// minimega's `unescapeString`: the words joined by spaces, a word with
/// white space in quotes.
pub(crate) fn unescape(words: &[String]) -> String {
    let mut out = String::new();
    for word in words {
        if word.chars().any(char::is_whitespace) {
            out.push_str(&format!(" \"{word}\""));
        } else {
            out.push_str(&format!(" {word}"));
        }
    }
    out.trim().to_owned()
}

/// minimega's `fieldsQuoteEscape` on `"`: words, with quoted runs kept
/// together and their quotes dropped.
fn fields_quote_escape(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut tracing = false;
    let mut held = String::new();
    for word in input.split_whitespace() {
        let bare: String = word.chars().filter(|c| *c != '"').collect();
        if tracing {
            held.push(' ');
            held.push_str(if word.contains('"') { &bare } else { word });
            if word.contains('"') {
                tracing = false;
                out.push(std::mem::take(&mut held));
            }
        } else if word.contains('"') {
            held = bare;
            if word.ends_with('"') {
                out.push(std::mem::take(&mut held));
            } else {
                tracing = true;
            }
        } else {
            out.push(word.to_owned());
        }
    }
    out
}

/// minimega's `qemuArgs(0, "")` for `config`.
fn qemu_args(config: &Config) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| s.to_string()));
    push(&["-name", "0"]);
    let machine = config.text("machine");
    if !machine.is_empty() {
        push(&["-M", &machine]);
    }
    push(&["-m", &config.number("memory").to_string(), "-nographic"]);
    push(&["-vnc", "unix:vnc", "-smp"]);
    let mut smp = config.number("vcpus").to_string();
    for (part, name) in [
        ("cores", "cores"),
        ("threads", "threads"),
        ("sockets", "sockets"),
    ] {
        let n = config.number(name);
        if n != 0 {
            smp.push_str(&format!(",{part}={n}"));
        }
    }
    push(&[&smp, "-qmp", "unix:qmp,server=on", "-vga"]);
    let vga = config.text("vga");
    push(&[if vga.is_empty() { "std" } else { &vga }]);
    push(&["-rtc", "clock=vm,base=utc", "-usb", "-device"]);
    push(&[if flag(config, "usb-use-xhci") {
        "qemu-xhci,id=xhci"
    } else {
        "usb-ehci,id=ehci"
    }]);
    push(&["-device", "usb-tablet,bus=usb-bus.0"]);
    let tpm = config.text("tpm-socket");
    if !tpm.is_empty() {
        push(&["-chardev", &format!("socket,id=chrtpm,path={tpm}")]);
        push(&["-tpmdev", "emulator,id=tpm0,chardev=chrtpm"]);
        push(&["-device", "tpm-tis,tpmdev=tpm0"]);
    }
    for i in 0..config.number("serial-ports") {
        push(&[
            "-chardev",
            &format!("socket,id=charserial{i},path=serial{i},server=on,wait=off"),
        ]);
        push(&[
            "-device",
            &format!("isa-serial,chardev=charserial{i},id=serial{i}"),
        ]);
    }
    push(&["-pidfile", "qemu.pid", "-k", "en-us"]);
    let cpu = config.text("cpu");
    if !cpu.is_empty() {
        push(&["-cpu", &cpu]);
    }
    push(&["-net", "none", "-S"]);
    let migrate = config.text("state");
    if !migrate.is_empty() {
        push(&["-incoming", &format!("exec:cat {migrate}")]);
    }
    let cdrom = config.text("cdrom");
    if cdrom.is_empty() {
        push(&["-drive", "media=cdrom"]);
    } else {
        push(&[
            "-drive",
            &format!("file={cdrom},media=cdrom"),
            "-boot",
            "once=d",
        ]);
    }
    let snapshot = flag(config, "snapshot");
    let mut ahci = 0;
    for disk in config.list("disks") {
        let mut parts = disk.split(',');
        let path = parts.next().unwrap_or_default().to_owned();
        let (mut iface, mut cache) = (String::new(), String::new());
        for part in parts {
            if CACHES.contains(&part) {
                cache = part.to_owned();
            } else {
                iface = part.to_owned();
            }
        }
        let mut drive = if iface == "ahci" {
            if ahci == 0 {
                push(&["-device", "ahci,id=ahci"]);
            }
            push(&[
                "-device",
                &format!("ide-drive,drive=ahci-drive-{ahci},bus=ahci.{ahci}"),
            ]);
            let drive = format!("id=ahci-drive-{ahci},file={path},media=disk,if=none");
            ahci += 1;
            drive
        } else {
            let iface = if iface.is_empty() { "ide" } else { &iface };
            format!("file={path},media=disk,if={iface}")
        };
        let cache = match cache.as_str() {
            "" if snapshot => "unsafe",
            "" => "writeback",
            cache => cache,
        };
        drive.push_str(&format!(",cache={cache}"));
        push(&["-drive", &drive]);
    }
    for (flag_name, option) in [("kernel", "-kernel"), ("initrd", "-initrd")] {
        let path = config.text(flag_name);
        if !path.is_empty() {
            push(&[option, &path]);
        }
    }
    let append = config.list("append");
    if !append.is_empty() {
        push(&["-append", &unescape(&append)]);
    }
    let (mut bus, mut addr) = (0u64, 0u64);
    let add_bus = |a: &mut Vec<String>, bus: &mut u64, addr: &mut u64| {
        *addr = 1;
        *bus += 1;
        a.push("-device".to_owned());
        a.push(format!("pci-bridge,id=pci.{bus},chassis_nr={bus}"));
    };
    add_bus(&mut a, &mut bus, &mut addr);
    for text in config.list("networks") {
        let Ok(spec) = NetSpec::parse(&text) else {
            continue;
        };
        a.push("-netdev".to_owned());
        a.push("tap,id=,script=no,ifname=".to_owned());
        a.push("-device".to_owned());
        a.push(format!(
            "driver={},netdev=,mac={},bus=pci.{bus},addr={addr:#x}",
            spec.driver, spec.mac
        ));
        addr += 1;
        if addr == DEV_PER_BUS {
            add_bus(&mut a, &mut bus, &mut addr);
        }
    }
    let mut virtio: i64 = -1;
    let add_virtio =
        |a: &mut Vec<String>, bus: &mut u64, addr: &mut u64, virtio: &mut i64| -> i64 {
            *virtio += 1;
            a.push("-device".to_owned());
            a.push(format!(
                "virtio-serial-pci,id=virtio-serial{virtio},bus=pci.{bus},addr={addr:#x}"
            ));
            *addr += 1;
            if *addr == DEV_PER_BUS {
                add_bus(a, bus, addr);
            }
            *virtio
        };
    if flag(config, "backchannel") {
        let port = add_virtio(&mut a, &mut bus, &mut addr, &mut virtio);
        a.push("-chardev".to_owned());
        a.push("socket,id=charvserialCC,path=cc,server=on,wait=off".to_owned());
        a.push("-device".to_owned());
        a.push(format!("virtserialport,bus=virtio-serial{port}.0,chardev=charvserialCC,id=charvserialCC,name=cc"));
    }
    if flag(config, "bidirectional-copy-paste") {
        let port = add_virtio(&mut a, &mut bus, &mut addr, &mut virtio);
        a.push("-chardev".to_owned());
        a.push("qemu-vdagent,id=vdagent,clipboard=on".to_owned());
        a.push("-device".to_owned());
        a.push(format!(
            "virtserialport,bus=virtio-serial{port}.0,chardev=vdagent,name=com.redhat.spice.0"
        ));
    }
    let ports = config.text("virtio-ports");
    if !ports.is_empty() {
        let names: Vec<String> = match ports.parse::<u64>() {
            Ok(n) => (0..n.min(1024))
                .map(|i| format!("virtio-serial{i}"))
                .collect(),
            Err(_) => ports.split(',').map(str::to_owned).collect(),
        };
        let mut port = virtio;
        for (i, name) in names.iter().enumerate() {
            if i % DEV_PER_VIRTIO == 0 {
                port = add_virtio(&mut a, &mut bus, &mut addr, &mut virtio);
            }
            a.push("-chardev".to_owned());
            a.push(format!(
                "socket,id=charvserial{i},path=virtio-serial{i},server=on,wait=off"
            ));
            a.push("-device".to_owned());
            a.push(format!("virtserialport,bus=virtio-serial{port}.0,chardev=charvserial{i},id=charvserial{i},name={name}"));
        }
    }
    a.extend(config.list("qemu-append"));
    a.push("-uuid".to_owned());
    a.push(config.text("uuid"));
    a
}

/// `vm config qemu-override [match replacement]`.
fn qemu_override(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let ns = world.ns(ctx);
    if let (Some(matched), Some(replacement)) = (cmd.m.value("match"), cmd.m.value("replacement")) {
        ns.qemu_overrides
            .push((matched.to_owned(), replacement.to_owned()));
        return Ok(());
    }
    let mut out = String::from("id\tmatch\treplacement\n");
    for (i, (matched, replacement)) in ns.qemu_overrides.iter().enumerate() {
        out.push_str(&format!("{i}\t\"{matched}\"\t\"{replacement}\"\n"));
    }
    let args = qemu_args(&ns.config);
    let before = unescape(&args);
    let mut after = before.clone();
    for (matched, replacement) in &ns.qemu_overrides {
        if !matched.is_empty() {
            after = after.replace(matched.as_str(), replacement);
        }
    }
    let after = unescape(&fields_quote_escape(&after));
    out.push_str(&format!("\nBefore overrides:\n{before}\n"));
    out.push_str(&format!("\nAfter overrides:\n{after}\n"));
    r.response = out;
    Ok(())
}

fn clear(
    world: &mut World,
    ctx: &Ctx,
    _: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world.ns(ctx).qemu_overrides.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_like_minimega() {
        let words = vec!["-append".to_owned(), "console=ttyS0 quiet".to_owned()];
        assert_eq!(unescape(&words), "-append \"console=ttyS0 quiet\"");
        assert_eq!(
            fields_quote_escape("-append \"console=ttyS0 quiet\" -S"),
            ["-append", "console=ttyS0 quiet", "-S"]
        );
        let args = qemu_args(&Config::default());
        assert_eq!(args.first().map(String::as_str), Some("-name"));
        assert_eq!(args.last().map(String::as_str), Some(""), "no UUID yet");
    }
}
