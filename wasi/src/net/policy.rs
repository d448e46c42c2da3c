//! The network policy: which addresses a guest may bind, connect or send to. WasmEdge has none (a guest may
//! use any address the host can); ours is opt-in with `--allow-net` / `--deny-net`, and the default stays
//! WasmEdge's.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// One rule: an address (`*` for any, an IP, or a CIDR block) and an optional port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetRule {
    net: Option<(IpAddr, u8)>,
    port: Option<u16>,
}

impl NetRule {
    /// Parse `*`, `*:PORT`, `ADDR`, `ADDR:PORT`, `ADDR/PREFIX`, `ADDR/PREFIX:PORT`, `[V6]`, `[V6]:PORT` or
    /// `[V6/PREFIX]:PORT`.
    pub fn parse(spec: &str) -> Result<NetRule, String> {
        let bad = || format!("bad network rule `{spec}`: expected ADDR[/PREFIX][:PORT], [IPV6][:PORT] or *[:PORT]");
        let (host, port) = if let Some(rest) = spec.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(bad)?),
            };
            (host, port)
        } else if spec.matches(':').count() > 1 {
            (spec, None) // a bare IPv6 address
        } else {
            match spec.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (spec, None),
            }
        };
        let port = port.map(|p| p.parse::<u16>().map_err(|_| bad())).transpose()?;
        let net = if host == "*" {
            None
        } else {
            let (ip, prefix) = match host.split_once('/') {
                Some((ip, prefix)) => (ip, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
                None => (host, None),
            };
            let ip: IpAddr = ip.parse().map_err(|_| bad())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad());
            }
            Some((ip, prefix))
        };
        Ok(NetRule { net, port })
    }

    fn matches(&self, addr: SocketAddr) -> bool {
        if self.port.is_some_and(|p| p != addr.port()) {
            return false;
        }
        let Some((net, prefix)) = self.net else { return true };
        // An IPv4-mapped IPv6 address is the IPv4 address it maps.
        let ip = match addr.ip() {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let (bytes, bits) = ((prefix / 8) as usize, prefix % 8);
    if a[..bytes] != b[..bytes] {
        return false;
    }
    bits == 0 || (a[bytes] ^ b[bytes]) >> (8 - bits) == 0
}

impl fmt::Display for NetRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.net {
            None => write!(f, "*")?,
            Some((IpAddr::V6(ip), 128)) => write!(f, "[{ip}]")?,
            Some((IpAddr::V4(ip), 32)) => write!(f, "{ip}")?,
            Some((IpAddr::V6(ip), p)) => write!(f, "[{ip}/{p}]")?,
            Some((IpAddr::V4(ip), p)) => write!(f, "{ip}/{p}")?,
        }
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// Where refusals are reported.
type Reporter = Arc<dyn Fn(&str) + Send + Sync>;

/// What a guest may reach: with an allow list, only matching addresses; a matching deny rule always refuses.
/// Refusals are reported to the `on_refuse` callback (the CLI logs them) and the guest gets `EACCES`.
#[derive(Clone, Default)]
pub struct NetPolicy {
    allow: Option<Vec<NetRule>>,
    deny: Vec<NetRule>,
    on_refuse: Option<Reporter>,
}

impl fmt::Debug for NetPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetPolicy").field("allow", &self.allow).field("deny", &self.deny).finish()
    }
}

impl NetPolicy {
    /// Allow everything (WasmEdge's behaviour).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add allowed addresses; once any is given, everything else is refused.
    pub fn allow(&mut self, rules: impl IntoIterator<Item = NetRule>) -> &mut Self {
        self.allow.get_or_insert_with(Vec::new).extend(rules);
        self
    }

    /// Add refused addresses.
    pub fn deny(&mut self, rules: impl IntoIterator<Item = NetRule>) -> &mut Self {
        self.deny.extend(rules);
        self
    }

    /// Called with a message for every refusal.
    pub fn on_refuse(&mut self, f: impl Fn(&str) + Send + Sync + 'static) -> &mut Self {
        self.on_refuse = Some(Arc::new(f));
        self
    }

    /// Whether the policy restricts anything.
    pub fn is_open(&self) -> bool {
        self.allow.is_none() && self.deny.is_empty()
    }

    /// Whether `what` (bind, connect, send to) of `addr` is allowed; reports a refusal.
    pub fn check(&self, what: &str, addr: SocketAddr) -> bool {
        let denied = self.deny.iter().find(|r| r.matches(addr));
        let allowed = self.allow.as_ref().is_none_or(|list| list.iter().any(|r| r.matches(addr)));
        if denied.is_none() && allowed {
            return true;
        }
        let why = match denied {
            Some(rule) => format!("it matches --deny-net {rule}"),
            None => "no --allow-net rule matches it".to_string(),
        };
        let message = format!("network policy: refused {what} {addr}: {why}");
        match &self.on_refuse {
            Some(f) => f(&message),
            None => eprintln!("{message}"),
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str], deny: &[&str]) -> NetPolicy {
        let mut p = NetPolicy::new();
        if !allow.is_empty() {
            p.allow(allow.iter().map(|s| NetRule::parse(s).unwrap()));
        }
        p.deny(deny.iter().map(|s| NetRule::parse(s).unwrap()));
        p.on_refuse(|_| {});
        p
    }

    #[test]
    fn rules_parse_and_print() {
        for s in [
            "*",
            "*:80",
            "127.0.0.1",
            "127.0.0.1:8080",
            "10.0.0.0/8",
            "10.0.0.0/8:53",
            "[::1]",
            "[::1]:443",
            "[fe80::/10]:22",
        ] {
            assert_eq!(NetRule::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(NetRule::parse("::1").unwrap().to_string(), "[::1]");
        for bad in ["", "localhost", "1.2.3.4:x", "1.2.3.4/33", "[::1", "[::1]x", "1.2.3.4:70000"] {
            assert!(NetRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allow_lists_restrict_and_deny_wins() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(NetPolicy::new().check("connect", a("8.8.8.8:53")));
        let p = policy(&["127.0.0.1:8080", "10.0.0.0/8"], &["10.1.0.0/16"]);
        assert!(p.check("connect", a("127.0.0.1:8080")));
        assert!(!p.check("connect", a("127.0.0.1:8081")));
        assert!(p.check("connect", a("10.2.3.4:1")));
        assert!(!p.check("connect", a("10.1.3.4:1")));
        assert!(p.check("connect", a("[::ffff:127.0.0.1]:8080")), "IPv4-mapped addresses match IPv4 rules");
        assert!(!p.check("connect", a("[::1]:8080")));
        let p = policy(&[], &["*:25"]);
        assert!(!p.check("connect", a("1.2.3.4:25")));
        assert!(p.check("connect", a("1.2.3.4:26")));
    }
}
