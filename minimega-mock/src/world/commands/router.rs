//! `router` and `clear router`: a router VM's minirouter configuration
//! ([`super::super::router`]), kept per namespace and VM as minimega keeps
//! it, with minimega's answers and errors. A commit writes
//! `minirouter-<vm>` into the files directory, as minimega does; no
//! minirouter runs it.

use std::path::PathBuf;

use minimega_protocol::WireResponse;

use super::super::router::{Bgp, FwChain, FwRule, Router, NO_ID};
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use super::super::{Ctx, MatchedCommand, World, DEFAULT_NAMESPACE};

const ROUTER: [&str; 26] = [
    "router <vm>",
    "router <vm> <commit,>",
    "router <vm> <rid,> <id>",
    "router <vm> <log,> <level,> <fatal,error,warn,info,debug>",
    "router <vm> <interface,> <network> <IPv4/MASK or IPv6/MASK or dhcp> [lo,]",
    "router <vm> <dhcp,> <listen address> <range,> <low address> <high address>",
    "router <vm> <dhcp,> <listen address> <router,> <router address>",
    "router <vm> <dhcp,> <listen address> <dns,> <address>",
    "router <vm> <dhcp,> <listen address> <static,> <mac> <ip>",
    "router <vm> <dns,> <ip> <hostname>",
    "router <vm> <upstream,> <ip>",
    "router <vm> <gw,> <gw>",
    "router <vm> <ra,> <subnet>",
    "router <vm> <route,> <static,> <network> <next-hop> [staticroutename]",
    "router <vm> <route,> <ospf,> <area> <network>",
    "router <vm> <route,> <ospf,> <area> <network> <option> <value>",
    "router <vm> <route,> <ospf,> <area> <export,> <Ipv4/Mask or staticroutename>",
    "router <vm> <route,> <bgp,> <processname> <local,neighbor> <IPv4> <asnumber>",
    "router <vm> <route,> <bgp,> <processname> <rrclient,>",
    "router <vm> <route,> <bgp,> <processname> <export,> <all,filter> <filtername>",
    "router <vm> <fw,> <default,> <accept,drop>",
    "router <vm> <fw,> <accept,drop,reject> <in,out> <index> <dst> <proto>",
    "router <vm> <fw,> <accept,drop,reject> <in,out> <index> <src> <dst> <proto>",
    "router <vm> <fw,> chain <chain> <default,> action <accept,drop,reject>",
    "router <vm> <fw,> chain <chain> action <accept,drop,reject> <dst> <proto>",
    "router <vm> <fw,> chain <chain> action <accept,drop,reject> <src> <dst> <proto>",
];

const CLEAR: [&str; 30] = [
    "clear router",
    "clear router <vm>",
    "clear router <vm> <rid,>",
    "clear router <vm> <interface,>",
    "clear router <vm> <interface,> <network>",
    "clear router <vm> <interface,> <network> <IPv4/MASK or IPv6/MASK or dhcp or all> [lo,]",
    "clear router <vm> <dhcp,>",
    "clear router <vm> <dhcp,> <listen address>",
    "clear router <vm> <dhcp,> <listen address> <range,>",
    "clear router <vm> <dhcp,> <listen address> <router,>",
    "clear router <vm> <dhcp,> <listen address> <dns,>",
    "clear router <vm> <dhcp,> <listen address> <static,>",
    "clear router <vm> <dhcp,> <listen address> <static,> <mac>",
    "clear router <vm> <dns,>",
    "clear router <vm> <dns,> <ip>",
    "clear router <vm> <upstream,>",
    "clear router <vm> <gw,>",
    "clear router <vm> <ra,>",
    "clear router <vm> <ra,> <subnet>",
    "clear router <vm> <route,>",
    "clear router <vm> <route,> <static,namedstatic>",
    "clear router <vm> <route,> <static,> <network or all> [staticroutename]",
    "clear router <vm> <route,> <ospf,>",
    "clear router <vm> <route,> <ospf,> <area>",
    "clear router <vm> <route,> <ospf,> <area> <network>",
    "clear router <vm> <route,> <ospf,> <area> <export,> <Ipv4/Mask or staticroutename>",
    "clear router <vm> <route,> <bgp,> <processname>",
    "clear router <vm> <route,> <bgp,> <processname> <rrclient,>",
    "clear router <vm> <route,> <bgp,> <processname> <local,neighbor>",
    "clear router <vm> <fw,>",
];

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    let mut entries: Vec<(String, Dispatch)> = ROUTER
        .iter()
        .map(|p| (p.to_string(), Target(router)))
        .collect();
    entries.extend(CLEAR.iter().map(|p| (p.to_string(), Target(clear_router))));
    entries
}

/// The VM `name` (a name, UUID or id) on this node: its id, number of
/// networks and whether it is a container.
fn find_vm(world: &mut World, ctx: &Ctx, name: &str) -> Option<(u64, usize, bool)> {
    let ns = world.ns(ctx);
    let id = ns.vms.find(name)?;
    let vm = ns.vms.get_mut(id)?;
    Some((
        id,
        vm.nics.len(),
        vm.kind == super::super::vms::Kind::Container,
    ))
}

/// Go's `strconv.Atoi` with its error.
fn atoi(text: &str) -> Result<i64, String> {
    text.parse()
        .map_err(|_| format!("strconv.Atoi: parsing {text:?}: invalid syntax"))
}

/// A port in a firewall source or destination is a number.
fn check_endpoint(text: &str, what: &str) -> Result<(), String> {
    let fields: Vec<&str> = text.split(':').collect();
    match fields.as_slice() {
        [_] => Ok(()),
        [_, port] => atoi(port)
            .map(|_| ())
            .map_err(|e| format!("validating fw {what} port {port}: {e}")),
        _ => Err(format!("malformed fw {what} {text}")),
    }
}

/// The one action word among `accept`, `drop` and `reject` the line chose.
fn action(cmd: &MatchedCommand) -> &'static str {
    ["accept", "drop", "reject"]
        .into_iter()
        .find(|a| cmd.m.chose(a))
        .unwrap_or_default()
}

/// `router <vm> …`: shows or changes the VM's router, made on first use
/// (and tagged `minirouter`).
fn router(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let name = m.value("vm").unwrap_or_default().to_owned();
    let Some((id, networks, container)) = find_vm(world, ctx, &name) else {
        return Err(Failure::VmNotFound(name.to_string()));
    };
    let ns = world.ns(ctx);
    if m.choices.is_empty() {
        let Some(router) = ns.routers.get(&id) else {
            return Err(format!("vm {name} not a router").into());
        };
        let log = ns
            .vms
            .get_mut(id)
            .and_then(|vm| vm.tags.get("minirouter_log").cloned())
            .unwrap_or_default();
        r.response = router.show(&log);
        return Ok(());
    }
    if let std::collections::btree_map::Entry::Vacant(entry) = ns.routers.entry(id) {
        entry.insert(Router::new(networks, container));
        if let Some(vm) = ns.vms.get_mut(id) {
            vm.tags.insert("minirouter".to_owned(), id.to_string());
        }
    }
    let Some(rtr) = ns.routers.get_mut(&id) else {
        return Ok(());
    };
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    if m.chose("commit") {
        let text = rtr.commit();
        let vm_ns = world.ns_name(ctx);
        return write_commit(world, &vm_ns, &name, &text).map_err(Failure::from);
    } else if m.chose("log") {
        let level = ["fatal", "error", "warn", "info", "debug"]
            .into_iter()
            .find(|l| m.chose(l))
            .unwrap_or_default();
        rtr.log_level = level.to_owned();
    } else if m.chose("interface") {
        let network = value("network");
        let n = atoi(&network).map_err(|e| format!("invalid network: {network} : {e}"))?;
        return rtr
            .interface_add(n, &value("IPv4/MASK"), m.chose("lo"))
            .map_err(Failure::from);
    } else if m.chose("dhcp") {
        let d = rtr.dhcp.entry(value("listen")).or_default();
        if m.chose("range") {
            d.low = value("low");
            d.high = value("high");
        } else if m.chose("router") {
            d.router = value("router");
        } else if m.chose("dns") {
            d.dns = value("address");
        } else if m.chose("static") {
            d.statics.insert(value("mac"), value("ip"));
        }
    } else if m.chose("dns") {
        rtr.dns
            .entry(value("ip"))
            .or_default()
            .push(value("hostname"));
    } else if m.chose("upstream") {
        rtr.upstream = value("ip");
    } else if m.chose("gw") {
        rtr.gw = value("gw");
    } else if m.chose("ra") {
        rtr.ra.insert(value("subnet"), true);
    } else if m.chose("route") {
        route(rtr, cmd);
    } else if m.chose("rid") {
        let id = value("id");
        if id.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("invalid routerid: {id}").into());
        }
        rtr.router_id = id;
    } else if m.chose("fw") {
        if container {
            return Err("firewall rules cannot be applied to minirouter containers".into());
        }
        return firewall(rtr, cmd).map_err(Failure::from);
    }
    Ok(())
}

fn route(rtr: &mut Router, cmd: &MatchedCommand) {
    let m = &cmd.m;
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    if m.chose("static") {
        let (network, nh, name) = (
            value("network"),
            value("next-hop"),
            value("staticroutename"),
        );
        if name.is_empty() {
            rtr.static_routes.insert(network, nh);
        } else {
            let nh = if nh == "0" { String::new() } else { nh };
            rtr.named_routes
                .entry(name)
                .or_default()
                .insert(network, nh);
        }
    } else if m.chose("ospf") {
        let area = rtr.ospf.entry(value("area")).or_default();
        if let Some(iface) = m.value("network") {
            let options = area.interfaces.entry(iface.to_owned()).or_default();
            // minimega starts the interface's options afresh each time.
            options.clear();
            if let Some(option) = m.value("option") {
                options.insert(option.to_owned(), value("value"));
            }
        } else if m.chose("export") {
            let filter = value("Ipv4/Mask");
            if !filter.is_empty() {
                let network = filter.contains('/');
                area.prefixes.insert(filter, !network);
            }
        }
    } else if m.chose("bgp") {
        let b: &mut Bgp = rtr.bgp.entry(value("processname")).or_default();
        if m.chose("export") {
            if m.chose("all") {
                b.export.insert("all".to_owned(), true);
            } else if m.chose("filter") {
                b.export.insert(value("filtername"), true);
            }
        } else if m.chose("local") || m.chose("neighbor") {
            let asn = value("asnumber").parse().unwrap_or(0);
            if m.chose("local") {
                b.local_ip = value("IPv4");
                b.local_as = asn;
            } else {
                b.neighbor_ip = value("IPv4");
                b.neighbor_as = asn;
            }
        } else if m.chose("rrclient") {
            b.route_reflector = true;
        }
    }
}

fn firewall(rtr: &mut Router, cmd: &MatchedCommand) -> Result<(), String> {
    let m = &cmd.m;
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    let (src, dst) = (value("src"), value("dst"));
    if let Some(chain) = m.value("chain") {
        if m.chose("default") {
            rtr.fw_chains
                .entry(chain.to_owned())
                .or_default()
                .default_action = action(cmd).to_owned();
            return Ok(());
        }
        if !action(cmd).is_empty() && !m.chose("in") && !m.chose("out") {
            if !src.is_empty() {
                check_endpoint(&src, "source")?;
            }
            if !dst.is_empty() {
                check_endpoint(&dst, "destination")?;
            }
            let c = rtr
                .fw_chains
                .entry(chain.to_owned())
                .or_insert_with(|| FwChain {
                    default_action: "drop".to_owned(),
                    rules: Vec::new(),
                });
            c.rules.push(FwRule {
                incoming: false,
                src,
                dst,
                proto: value("proto"),
                action: action(cmd).to_owned(),
            });
            return Ok(());
        }
        let index = atoi(&value("index"))
            .map_err(|e| format!("converting fw chain interface index: {e}"))?;
        if !rtr.fw_chains.contains_key(chain) {
            return Err(format!("unknown chain {chain}"));
        }
        let Some(rules) = usize::try_from(index)
            .ok()
            .and_then(|i| rtr.fw_rules.get_mut(i))
        else {
            return Err(format!("no such network index: {index}"));
        };
        rules.push(FwRule {
            incoming: m.chose("in"),
            action: chain.to_owned(),
            ..FwRule::default()
        });
        return Ok(());
    }
    if m.chose("default") {
        rtr.fw_default = action(cmd).to_owned();
        return Ok(());
    }
    let index = atoi(&value("index")).map_err(|e| format!("converting fw interface index: {e}"))?;
    if !src.is_empty() {
        check_endpoint(&src, "source")?;
    }
    if !dst.is_empty() {
        check_endpoint(&dst, "destination")?;
    }
    let Some(rules) = usize::try_from(index)
        .ok()
        .and_then(|i| rtr.fw_rules.get_mut(i))
    else {
        return Err(format!("no such network index: {index}"));
    };
    rules.push(FwRule {
        incoming: m.chose("in"),
        src,
        dst,
        proto: value("proto"),
        action: action(cmd).to_owned(),
    });
    Ok(())
}

/// Writes a commit where minimega does: `minirouter-<vm>` in the files
/// directory, or in a folder of the namespace's name there.
fn write_commit(world: &World, ns: &str, vm: &str, text: &str) -> Result<(), String> {
    let mut dir: PathBuf = world.files_dir();
    if ns != DEFAULT_NAMESPACE {
        dir = dir.join(ns);
    }
    let path = dir.join(format!("minirouter-{vm}"));
    std::fs::write(&path, text).map_err(|e| format!("open {}: {e}", path.display()))
}

/// `clear router [vm [part]]`.
fn clear_router(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    let m = &cmd.m;
    let Some(name) = m.value("vm").map(str::to_owned) else {
        world.ns(ctx).routers.clear();
        return Ok(());
    };
    let Some((id, _, _)) = find_vm(world, ctx, &name) else {
        return Err(format!("no such vm {name}").into());
    };
    let Some(rtr) = world.ns(ctx).routers.get_mut(&id) else {
        return Err(format!("no such router {name}").into());
    };
    let value = |key: &str| m.value(key).unwrap_or_default().to_owned();
    if m.chose("interface") {
        return rtr
            .interface_del(m.value("network"), &value("IPv4/MASK"), m.chose("lo"))
            .map_err(Failure::from);
    } else if m.chose("dhcp") {
        let Some(addr) = m.value("listen") else {
            rtr.dhcp.clear();
            return Ok(());
        };
        let Some(d) = rtr.dhcp.get_mut(addr) else {
            return Err(format!("no such address: {addr}").into());
        };
        if m.chose("range") {
            d.low.clear();
            d.high.clear();
        } else if m.chose("router") {
            d.router.clear();
        } else if m.chose("dns") {
            d.dns.clear();
        } else if m.chose("static") {
            clear_or_remove(&mut d.statics, m.value("mac"), "mac")?;
        } else {
            rtr.dhcp.remove(addr);
        }
    } else if m.chose("dns") {
        clear_or_remove(&mut rtr.dns, m.value("ip"), "ip")?;
    } else if m.chose("upstream") {
        rtr.upstream.clear();
    } else if m.chose("gw") {
        rtr.gw.clear();
    } else if m.chose("ra") {
        clear_or_remove(&mut rtr.ra, m.value("subnet"), "subnet")?;
    } else if m.chose("route") {
        return clear_route(rtr, cmd).map_err(Failure::from);
    } else if m.chose("rid") {
        rtr.router_id = NO_ID.to_owned();
    } else if m.chose("fw") {
        flush_firewall(rtr);
    } else {
        // Everything but the upstream DNS, the gateway and the log level.
        let _ = rtr.interface_del(None, "", true);
        rtr.dns.clear();
        rtr.ra.clear();
        rtr.static_routes.clear();
        rtr.named_routes.clear();
        rtr.ospf.clear();
        rtr.dhcp.clear();
        rtr.bgp.clear();
        rtr.router_id = NO_ID.to_owned();
        flush_firewall(rtr);
    }
    Ok(())
}

fn flush_firewall(rtr: &mut Router) {
    rtr.fw_default = "accept".to_owned();
    rtr.fw_rules = vec![Vec::new(); rtr.fw_rules.len()];
    rtr.fw_chains.clear();
}

fn clear_route(rtr: &mut Router, cmd: &MatchedCommand) -> Result<(), String> {
    let m = &cmd.m;
    if m.chose("static") {
        let network = m.value("network").unwrap_or_default();
        let Some(name) = m.value("staticroutename") else {
            if network.is_empty() || network == "all" {
                rtr.static_routes.clear();
            } else if rtr.static_routes.remove(network).is_none() {
                return Err(format!("no such static route: {network}"));
            }
            return Ok(());
        };
        let Some(routes) = rtr.named_routes.get_mut(name) else {
            return Err(format!("no such named static route: {name}"));
        };
        if network == "all" {
            rtr.named_routes.remove(name);
        } else if routes.remove(network).is_none() {
            return Err(format!("no such network in named static route: {network}"));
        }
    } else if m.chose("namedstatic") {
        rtr.named_routes.clear();
    } else if m.chose("ospf") {
        let Some(area) = m.value("area") else {
            rtr.ospf.clear();
            return Ok(());
        };
        let Some(o) = rtr.ospf.get_mut(area) else {
            return Err(format!("no such area: {area}"));
        };
        if let Some(iface) = m.value("network") {
            if o.interfaces.remove(iface).is_none() {
                return Err(format!("no such interface: {iface}"));
            }
        } else if m.chose("export") {
            let filter = m.value("Ipv4/Mask").unwrap_or_default();
            if o.prefixes.remove(filter).is_none() {
                return Err(format!("no such filter: {filter}"));
            }
        } else {
            o.interfaces.clear();
            o.prefixes.clear();
        }
    } else if m.chose("bgp") {
        let process = m.value("processname").unwrap_or_default();
        let Some(b) = rtr.bgp.get_mut(process) else {
            return Err(format!("no such bgp process: {process}"));
        };
        if m.chose("rrclient") {
            b.route_reflector = false;
        } else if m.chose("local") {
            b.local_ip.clear();
            b.local_as = 0;
        } else if m.chose("neighbor") {
            b.neighbor_ip.clear();
            b.neighbor_as = 0;
        } else {
            rtr.bgp.remove(process);
        }
    } else {
        rtr.static_routes.clear();
        rtr.named_routes.clear();
        rtr.ospf.clear();
        rtr.bgp.clear();
    }
    Ok(())
}

/// `clear router … <what> [key]`: every entry, or the one named, which must
/// be there (minimega's `no such <what>: <key>`).
fn clear_or_remove<V>(
    map: &mut std::collections::BTreeMap<String, V>,
    key: Option<&str>,
    what: &str,
) -> Result<(), String> {
    match key {
        None => map.clear(),
        Some(key) => {
            if map.remove(key).is_none() {
                return Err(format!("no such {what}: {key}"));
            }
        }
    }
    Ok(())
}
