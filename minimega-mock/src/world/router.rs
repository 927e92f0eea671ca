//! minirouter's configuration as minimega keeps it for a router VM: its
//! IPs, DHCP, DNS, routes (static, named, OSPF, BGP) and firewall, how
//! `router <vm>` shows it and what `router <vm> commit` writes. The mock
//! has no minirouter inside the VM to give the configuration to.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;

/// One DHCP server of a router.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dhcp {
    pub(crate) low: String,
    pub(crate) high: String,
    pub(crate) router: String,
    pub(crate) dns: String,
    pub(crate) statics: BTreeMap<String, String>,
}

/// One OSPF area.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ospf {
    /// Interface → its options.
    pub(crate) interfaces: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) prefixes: BTreeMap<String, bool>,
}

/// One BGP process.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bgp {
    pub(crate) local_ip: String,
    pub(crate) local_as: i64,
    pub(crate) neighbor_ip: String,
    pub(crate) neighbor_as: i64,
    pub(crate) route_reflector: bool,
    pub(crate) export: BTreeMap<String, bool>,
}

/// A firewall rule: on an interface (`incoming`/`outgoing`) or in a chain.
#[derive(Debug, Clone, Default)]
pub(crate) struct FwRule {
    pub(crate) incoming: bool,
    pub(crate) src: String,
    pub(crate) dst: String,
    pub(crate) proto: String,
    /// accept, drop, reject, or a chain's name.
    pub(crate) action: String,
}

impl FwRule {
    fn show(&self, chain: &str) -> String {
        let any = |s: &str| {
            if s.is_empty() {
                "<any>".to_owned()
            } else {
                s.to_owned()
            }
        };
        let chain = match chain {
            "" if self.incoming => "incoming",
            "" => "outgoing",
            chain => chain,
        };
        format!(
            "{chain}: {} --> {} via {} -> {}",
            any(&self.src),
            any(&self.dst),
            any(&self.proto),
            self.action
        )
    }
}

/// A firewall chain.
#[derive(Debug, Clone, Default)]
pub(crate) struct FwChain {
    pub(crate) default_action: String,
    pub(crate) rules: Vec<FwRule>,
}

/// A router's configuration.
#[derive(Debug, Clone)]
pub(crate) struct Router {
    /// IPs per network of the VM, in order.
    pub(crate) ips: Vec<Vec<String>>,
    /// Loopback IPs by the index given with them.
    pub(crate) loopbacks: BTreeMap<i64, String>,
    pub(crate) log_level: String,
    pub(crate) update_ips: bool,
    pub(crate) dhcp: BTreeMap<String, Dhcp>,
    /// IP → hostnames, in the order added.
    pub(crate) dns: BTreeMap<String, Vec<String>>,
    pub(crate) upstream: String,
    pub(crate) gw: String,
    pub(crate) ra: BTreeMap<String, bool>,
    pub(crate) static_routes: BTreeMap<String, String>,
    pub(crate) named_routes: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) ospf: BTreeMap<String, Ospf>,
    pub(crate) bgp: BTreeMap<String, Bgp>,
    pub(crate) router_id: String,
    pub(crate) fw_default: String,
    /// Rules per network of the VM.
    pub(crate) fw_rules: Vec<Vec<FwRule>>,
    pub(crate) fw_chains: BTreeMap<String, FwChain>,
    /// Whether the VM is a container (no firewall then).
    pub(crate) container: bool,
}

/// The id a router has until one is set or derived.
pub(crate) const NO_ID: &str = "0.0.0.0";

/// Go's `net.ParseCIDR` succeeding, or `dhcp`.
pub(crate) fn valid_ip(text: &str) -> bool {
    if text == "dhcp" {
        return true;
    }
    let Some((ip, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    !bits.is_empty()
        && bits.bytes().all(|b| b.is_ascii_digit())
        && bits.parse::<u32>().is_ok_and(|b| b <= max)
}

impl Router {
    /// A router for a VM of `networks` interfaces.
    pub(crate) fn new(networks: usize, container: bool) -> Router {
        Router {
            ips: vec![Vec::new(); networks],
            loopbacks: BTreeMap::new(),
            log_level: "error".to_owned(),
            update_ips: false,
            dhcp: BTreeMap::new(),
            dns: BTreeMap::new(),
            upstream: String::new(),
            gw: String::new(),
            ra: BTreeMap::new(),
            static_routes: BTreeMap::new(),
            named_routes: BTreeMap::new(),
            ospf: BTreeMap::new(),
            bgp: BTreeMap::new(),
            router_id: NO_ID.to_owned(),
            fw_default: "accept".to_owned(),
            fw_rules: vec![Vec::new(); networks],
            fw_chains: BTreeMap::new(),
            container,
        }
    }

    pub(crate) fn interface_add(&mut self, n: i64, ip: &str, loopback: bool) -> Result<(), String> {
        if loopback {
            if ip == "dhcp" {
                return Err(format!("Cannot put {ip} on loopback"));
            }
            if !valid_ip(ip) {
                return Err(format!("invalid IP: {ip}"));
            }
            if self.loopbacks.values().any(|v| v == ip) {
                return Err(format!("IP {ip} already exists"));
            }
            self.loopbacks.insert(n, ip.to_owned());
            self.update_ips = true;
            return Ok(());
        }
        let Some(ips) = usize::try_from(n).ok().and_then(|n| self.ips.get_mut(n)) else {
            return Err(format!("no such network index: {n}"));
        };
        if !valid_ip(ip) {
            return Err(format!("invalid IP: {ip}"));
        }
        if ips.iter().any(|v| v == ip) {
            return Err(format!("IP {ip} already exists"));
        }
        ips.push(ip.to_owned());
        self.update_ips = true;
        Ok(())
    }

    /// `clear router <vm> interface [network [ip|all] [lo]]`.
    pub(crate) fn interface_del(
        &mut self,
        network: Option<&str>,
        ip: &str,
        lo: bool,
    ) -> Result<(), String> {
        let Some(network) = network else {
            self.ips = vec![Vec::new(); self.ips.len()];
            self.loopbacks.clear();
            self.update_ips = true;
            return Ok(());
        };
        let n: i64 = network
            .parse()
            .map_err(|_| format!("strconv.Atoi: parsing {network:?}: invalid syntax"))?;
        if lo {
            if ip == "all" {
                self.loopbacks.clear();
                self.update_ips = true;
            } else {
                self.loopbacks.remove(&n);
            }
            return Ok(());
        }
        let Some(ips) = usize::try_from(n).ok().and_then(|n| self.ips.get_mut(n)) else {
            return Err(format!("no such network index: {n}"));
        };
        if ip.is_empty() || ip == "all" {
            ips.clear();
            self.update_ips = true;
            return Ok(());
        }
        if !valid_ip(ip) {
            return Err(format!("invalid IP: {ip}"));
        }
        match ips.iter().position(|v| v == ip) {
            Some(at) => {
                ips.remove(at);
                self.update_ips = true;
                Ok(())
            }
            None => Err(format!("no such network: {ip}")),
        }
    }

    /// The router id a commit uses: the one set, else the highest loopback
    /// IP, else the highest interface IP.
    fn derived_id(&self) -> String {
        if self.router_id != NO_ID {
            return self.router_id.clone();
        }
        let ips: Vec<&String> = if self.loopbacks.is_empty() {
            self.ips.iter().flatten().collect()
        } else {
            self.loopbacks.values().collect()
        };
        let mut best: Option<IpAddr> = None;
        for ip in ips {
            let addr = ip.split('/').next().unwrap_or_default();
            if let Ok(addr) = addr.parse::<IpAddr>() {
                if best.map_or(true, |b| ip_bytes(addr) > ip_bytes(b)) {
                    best = Some(addr);
                }
            }
        }
        best.map_or_else(|| NO_ID.to_owned(), |b| b.to_string())
    }

    /// What `router <vm>` shows; `log` is the VM's `minirouter_log` tag.
    pub(crate) fn show(&self, log: &str) -> String {
        let mut o = String::from("IPs:\n");
        for (i, ips) in self.ips.iter().enumerate() {
            let _ = writeln!(o, "Network: {i}: [{}]", ips.join(" "));
        }
        if !self.loopbacks.is_empty() {
            let mut values: Vec<&String> = self.loopbacks.values().collect();
            values.sort();
            o.push_str("Loopback IPs:\n");
            for v in values {
                let _ = writeln!(o, "{v}");
            }
        }
        o.push('\n');
        for (addr, d) in &self.dhcp {
            o.push_str(&show_dhcp(addr, d));
            o.push('\n');
        }
        if !self.dns.is_empty() {
            o.push_str("DNS:\n");
            for (ip, hosts) in &self.dns {
                for host in hosts {
                    let _ = writeln!(o, "{ip}\t{host}");
                }
            }
            o.push('\n');
        }
        if !self.upstream.is_empty() {
            let _ = writeln!(o, "Upstream DNS: {}", self.upstream);
        }
        if !self.gw.is_empty() {
            let _ = writeln!(o, "Default Gateway: {}", self.gw);
        }
        if !self.ra.is_empty() {
            o.push_str("Router Advertisements:\n");
            for subnet in self.ra.keys() {
                let _ = writeln!(o, "{subnet}");
            }
            o.push('\n');
        }
        if !self.static_routes.is_empty() {
            o.push_str("Static Routes:\n");
            for (network, nh) in &self.static_routes {
                let _ = writeln!(o, "{network}\t{nh}");
            }
            o.push('\n');
        }
        if !self.named_routes.is_empty() {
            o.push_str("Named Static Routes:\n");
            for (name, routes) in &self.named_routes {
                let _ = writeln!(o, "{name}");
                for (network, nh) in routes {
                    let nh = if nh.is_empty() {
                        String::new()
                    } else {
                        format!("\t{nh}")
                    };
                    let _ = writeln!(o, "\t{network}{nh}");
                }
            }
            o.push('\n');
        }
        for (area, ospf) in &self.ospf {
            let _ = writeln!(o, "OSPF Area:\t{area}\nInterfaces:");
            for iface in ospf.interfaces.keys() {
                let _ = writeln!(o, "\t{iface}");
            }
            if !ospf.prefixes.is_empty() {
                o.push_str("OSPF Export Networks or Routes:\n");
                for filter in ospf.prefixes.keys() {
                    let _ = writeln!(o, "\t{filter}");
                }
            }
            o.push('\n');
        }
        for (name, b) in &self.bgp {
            let _ = writeln!(
                o,
                "BGP Process Name:\t{name}\nBGP Local IP:\t{}\nBGP Local As:\t{}\n\
                 BGP Neighbor IP:\t{}\nBGP Neighbor As:\t{}\nBGP RouteReflector:\t{}",
                b.local_ip, b.local_as, b.neighbor_ip, b.neighbor_as, b.route_reflector
            );
            if !b.export.is_empty() {
                o.push_str("BGP Export Networks or Routes:\n");
                for filter in b.export.keys() {
                    let _ = writeln!(o, "\t{filter}");
                }
            }
            o.push('\n');
        }
        if !self.container {
            if !self.fw_rules.is_empty() {
                o.push_str("Firewall Rules:\n");
                for (index, rules) in self.fw_rules.iter().enumerate() {
                    for rule in rules {
                        let _ = writeln!(o, "  (iface {index}) {}", rule.show(""));
                    }
                }
                let _ = writeln!(o, "  Default Action: {}", self.fw_default);
            }
            if !self.fw_chains.is_empty() {
                o.push_str("Firewall Chains:\n");
                for (name, chain) in &self.fw_chains {
                    for rule in &chain.rules {
                        let _ = writeln!(o, "  {}", rule.show(name));
                    }
                    let _ = writeln!(o, "  Default Action ({name}): {}", chain.default_action);
                }
            }
        }
        o.push_str("Log:\n");
        for line in log.split('\n') {
            let _ = writeln!(o, "\t{line}");
        }
        o
    }

    /// What `commit` writes for minirouter (minimega writes it from Go maps,
    /// in no set order); it also settles the router id.
    pub(crate) fn commit(&mut self) -> String {
        let mut w = String::new();
        let _ = writeln!(w, "log level {}", self.log_level);
        if self.update_ips {
            w.push_str("ip flush\n");
            for (i, ips) in self.ips.iter().enumerate() {
                for ip in ips {
                    let _ = writeln!(w, "ip add {i} {ip}");
                }
            }
            for ip in self.loopbacks.values() {
                let _ = writeln!(w, "ip add lo {ip}");
            }
        }
        w.push_str("dnsmasq flush\n");
        for (addr, d) in &self.dhcp {
            if !d.low.is_empty() {
                let _ = writeln!(w, "dnsmasq dhcp range {addr} {} {}", d.low, d.high);
            }
            if !d.router.is_empty() {
                let _ = writeln!(w, "dnsmasq dhcp option router {addr} {}", d.router);
            }
            if !d.dns.is_empty() {
                let _ = writeln!(w, "dnsmasq dhcp option dns {addr} {}", d.dns);
            }
            for (mac, ip) in &d.statics {
                let _ = writeln!(w, "dnsmasq dhcp static {addr} {mac} {ip}");
            }
        }
        for (ip, hosts) in &self.dns {
            for host in hosts {
                let _ = writeln!(w, "dnsmasq dns {ip} {host}");
            }
        }
        if !self.upstream.is_empty() {
            let _ = writeln!(w, "dnsmasq upstream {}", self.upstream);
        }
        if self.gw.is_empty() {
            w.push_str("route del default\n");
        } else {
            let _ = writeln!(w, "route add default gw {}", self.gw);
        }
        for subnet in self.ra.keys() {
            let _ = writeln!(w, "dnsmasq ra {subnet}");
        }
        w.push_str("dnsmasq commit\nbird flush\n");
        for (network, nh) in &self.static_routes {
            let _ = writeln!(w, "bird static {network} {nh} null");
        }
        for (name, routes) in &self.named_routes {
            for (network, nh) in routes {
                let nh = if nh.is_empty() { "null" } else { nh };
                let _ = writeln!(w, "bird static {network} {nh} {name}");
            }
        }
        for (area, o) in &self.ospf {
            for (iface, options) in &o.interfaces {
                let _ = writeln!(w, "bird ospf {area} {iface}");
                for (k, v) in options {
                    let _ = writeln!(w, "bird ospf {area} {iface} {k:?} {v:?}");
                }
            }
            for filter in o.prefixes.keys() {
                let _ = writeln!(w, "bird ospf {area} filter {filter}");
            }
        }
        for (name, b) in &self.bgp {
            let _ = writeln!(w, "bird bgp {name} local {} {}", b.local_ip, b.local_as);
            let _ = writeln!(
                w,
                "bird bgp {name} neighbor {} {}",
                b.neighbor_ip, b.neighbor_as
            );
            if b.route_reflector {
                let _ = writeln!(w, "bird bgp {name} rrclient");
            }
            for net in b.export.keys() {
                let _ = writeln!(w, "bird bgp {name} filter {net}");
            }
        }
        self.router_id = self.derived_id();
        let _ = writeln!(w, "bird routerid {}\nbird commit", self.router_id);
        if !self.container {
            let _ = writeln!(w, "fw flush\nfw default {}", self.fw_default);
            for (name, chain) in &self.fw_chains {
                for rule in &chain.rules {
                    let mut cmd = format!("fw chain {name} action {}", rule.action);
                    if !rule.src.is_empty() {
                        let _ = write!(cmd, " {}", rule.src);
                    }
                    let _ = writeln!(w, "{cmd} {} {}", rule.dst, rule.proto);
                }
                let _ = writeln!(w, "fw chain {name} default action {}", chain.default_action);
            }
            for (i, rules) in self.fw_rules.iter().enumerate() {
                for rule in rules {
                    let way = if rule.incoming { "in" } else { "out" };
                    if rule.src.is_empty() && rule.dst.is_empty() && rule.proto.is_empty() {
                        let _ = writeln!(w, "fw chain {} apply {way} {i}", rule.action);
                        continue;
                    }
                    let mut cmd = format!("fw {} {way} {i}", rule.action);
                    if !rule.src.is_empty() {
                        let _ = write!(cmd, " {}", rule.src);
                    }
                    let _ = writeln!(w, "{cmd} {} {}", rule.dst, rule.proto);
                }
            }
        }
        self.update_ips = false;
        w
    }
}

/// An IP's bytes as Go's `net.ParseIP` keeps them (IPv4 in 16 bytes), for
/// `bytes.Compare`.
fn ip_bytes(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// A DHCP server as minimega's tabwriter lays it out (minimum width 5,
/// padding 1).
fn show_dhcp(addr: &str, d: &Dhcp) -> String {
    let rows = [
        ("Listen address:", addr),
        ("Low address:", d.low.as_str()),
        ("High address:", d.high.as_str()),
        ("Router:", d.router.as_str()),
        ("DNS:", d.dns.as_str()),
        ("Static IPs:", ""),
    ];
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0).max(4) + 1;
    let mut o = String::new();
    for (label, value) in rows {
        let _ = writeln!(o, "{label:<width$}{value}");
    }
    let mac_width = d.statics.keys().map(String::len).max().unwrap_or(0).max(4) + 1;
    for (mac, ip) in &d.statics {
        let _ = writeln!(o, "{:<5}{mac:<mac_width$}{ip}", "");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_router_shows_and_commits_like_minimega() {
        let mut r = Router::new(2, true);
        r.interface_add(0, "1.2.3.4/24", false).unwrap();
        r.interface_add(1, "10.0.0.1/32", true).unwrap();
        assert_eq!(
            r.interface_add(5, "1.2.3.4/24", false),
            Err("no such network index: 5".into())
        );
        assert_eq!(
            r.interface_add(0, "1.2.3.4/24", false),
            Err("IP 1.2.3.4/24 already exists".into())
        );
        assert_eq!(
            r.interface_del(Some("1"), "5.6.7.8/24", false),
            Err("no such network: 5.6.7.8/24".into())
        );
        let shown = r.show("");
        assert!(shown.starts_with("IPs:\nNetwork: 0: [1.2.3.4/24]\nNetwork: 1: []\nLoopback IPs:\n10.0.0.1/32\n\nLog:\n\t\n"), "{shown}");
        let written = r.commit();
        assert!(written.contains("bird routerid 10.0.0.1\n"), "{written}");
        assert!(!written.contains("fw flush"), "containers have no firewall");
        assert!(valid_ip("dhcp") && valid_ip("fd00::1/64") && !valid_ip("1.2.3.4"));
    }
}
