//! Host names and addresses, as a student types them after `--host`.
//!
//! A TCP or UDP socket is bound or connected to a *socket address*: an IP
//! address and a port. On the command line people write that in several ways
//! (`127.0.0.1`, `::1`, `[::1]`, `localhost`); [`Host`] accepts all of them and
//! [`resolve`] turns a host and a port into the [`SocketAddr`] the socket calls
//! need.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::str::FromStr;

/// The `--host` a student typed: an IP address or a host name.
///
/// Parsing only checks the *syntax*. Whether a host name exists is found out
/// later, by [`resolve`], because that needs the network (or `/etc/hosts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// An IPv4 or IPv6 address, such as `127.0.0.1` or `::1`.
    Ip(IpAddr),
    /// A host name such as `localhost`, looked up when it is used.
    Name(String),
}

impl Host {
    /// `127.0.0.1`: the loopback address, the default everywhere in this workspace.
    ///
    /// Only programs on this machine can reach a server bound to it, which is
    /// what a student running both sides in two terminals wants.
    pub const LOOPBACK: Host = Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST));

    /// True for `0.0.0.0` and `::`, the "every interface" addresses.
    ///
    /// A server bound there can be reached from other machines, so the lessons
    /// log a warning when a student chooses it.
    pub fn is_unspecified(&self) -> bool {
        matches!(self, Host::Ip(ip) if ip.is_unspecified())
    }
}

/// What is wrong with a `--host` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHost {
    /// The text that was typed.
    pub input: String,
    /// Why it is not a host: one short phrase.
    pub reason: &'static str,
}

impl fmt::Display for BadHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a host: {} (try 127.0.0.1, ::1 or localhost)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for BadHost {}

impl FromStr for Host {
    type Err = BadHost;

    /// Accepts `127.0.0.1`, `::1`, `[::1]` and host names like `localhost`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |reason| BadHost {
            input: input.to_string(),
            reason,
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        // `[::1]` is how IPv6 addresses are written next to a port (`[::1]:80`);
        // accept the brackets here too, so people can copy what the server logged.
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| bad("a `[` without its `]`"))?;
            return inner
                .parse::<Ipv6Addr>()
                .map(|ip| Host::Ip(IpAddr::V6(ip)))
                .map_err(|_| bad("only IPv6 addresses go inside `[ ]`"));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Host::Ip(ip));
        }
        if text.contains(':') {
            return Err(bad(
                "it looks like an address with a port; give the port with --port",
            ));
        }
        // Looks numeric but did not parse as IPv4: `127.0.0.256`, `1.2.3`.
        if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(bad("it is not a valid IPv4 address"));
        }
        // A host name: labels of letters, digits and `-`, separated by dots
        // (RFC 1123). Checking here gives a usage error (exit 2) at once
        // instead of a look-up failure later.
        let name = text.strip_suffix('.').unwrap_or(text);
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if name.len() > 253 || !name.split('.').all(label_ok) {
            return Err(bad(
                "a host name has only letters, digits, `-` and dots between them",
            ));
        }
        Ok(Host::Name(name.to_ascii_lowercase()))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(ip) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// A host name that could not be turned into an address.
///
/// [`crate::error`] recognises it and prints a hint about spelling.
#[derive(Debug)]
pub struct HostNotFound {
    /// The name that was looked up.
    pub host: String,
    /// What the resolver said, when it said anything.
    pub source: Option<io::Error>,
}

impl fmt::Display for HostNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The resolver's own words come next in the chain of causes
        // (`source()`), so they are not repeated here.
        match &self.source {
            Some(_) => write!(f, "could not find the host `{}`", self.host),
            None => write!(f, "the host `{}` has no IP address", self.host),
        }
    }
}

impl std::error::Error for HostNotFound {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Turns a host and a port into the socket address to bind or connect to.
///
/// An IP address is used as it is. A host name is looked up with the system
/// resolver (`getaddrinfo(3)`, which reads `/etc/hosts` first); when it has
/// several addresses the first one is taken, IPv4 before IPv6 when both exist,
/// because the lessons' servers listen on `127.0.0.1` by default and
/// `localhost` should reach them.
///
/// # Errors
///
/// [`HostNotFound`] when the name has no address.
pub fn resolve(host: &Host, port: u16) -> Result<SocketAddr, HostNotFound> {
    match host {
        Host::Ip(ip) => Ok(SocketAddr::new(*ip, port)),
        Host::Name(name) => {
            let found: Vec<SocketAddr> = (name.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| HostNotFound {
                    host: name.clone(),
                    source: Some(e),
                })?
                .collect();
            found
                .iter()
                .find(|a| a.is_ipv4())
                .or_else(|| found.first())
                .copied()
                .ok_or_else(|| HostNotFound {
                    host: name.clone(),
                    source: None,
                })
        }
    }
}

/// The address a socket really got from `bind()` (`getsockname(2)`): with
/// `--port 0`, this is where the real port shows up.
///
/// # Errors
///
/// When the OS cannot say, or the socket is not an IP socket.
pub fn local_addr(socket: &socket2::Socket) -> io::Result<SocketAddr> {
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the socket has no IP address"))
}

/// The address to connect to in order to reach a server bound to `bound`.
///
/// Connecting to `0.0.0.0` or `::` is not portable, so a server bound to every
/// interface is reached through loopback of the same family instead.
/// [`crate::shutdown`] uses this to wake a server blocked in `accept()`.
pub fn reachable(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), bound.port())
        }
        _ => bound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Host {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Every spelling of an address that a student may type is accepted.
    #[test]
    fn accepts_ipv4_ipv6_and_names() {
        assert_eq!(host("127.0.0.1"), Host::LOOPBACK);
        assert_eq!(host("::1"), Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(host("[::1]"), Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(
            host(" 0.0.0.0 "),
            Host::Ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        );
        assert_eq!(host("localhost"), Host::Name("localhost".into()));
        assert_eq!(host("LocalHost."), Host::Name("localhost".into()));
        assert_eq!(host("my-pc.lan"), Host::Name("my-pc.lan".into()));
    }

    /// Bad hosts are refused with a reason, before anything touches the network.
    #[test]
    fn refuses_bad_hosts_with_a_reason() {
        for bad in [
            "",
            "127.0.0.256",
            "1.2.3",
            "[::1",
            "[127.0.0.1]",
            "127.0.0.1:80",
            "-bad.example",
            "under_score",
            "a..b",
            "héllo",
        ] {
            let err = bad.parse::<Host>().expect_err(bad);
            assert!(err.to_string().contains("is not a host"), "{err}");
        }
        let err = "127.0.0.1:80".parse::<Host>().expect_err("port");
        assert!(err.to_string().contains("--port"), "{err}");
    }

    /// Display prints what was meant, so log lines and hints can repeat it.
    #[test]
    fn displays_plainly() {
        assert_eq!(host("[::1]").to_string(), "::1");
        assert_eq!(host("localhost").to_string(), "localhost");
        assert!(host("::").is_unspecified());
        assert!(!Host::LOOPBACK.is_unspecified());
    }

    /// `localhost` resolves, to IPv4 first, with the port kept (0 included).
    #[test]
    fn resolves_names_and_ports() {
        let addr = resolve(&host("localhost"), 0).expect("localhost resolves");
        assert!(addr.ip().is_loopback());
        assert_eq!(addr.port(), 0);
        let addr = resolve(&host("::1"), 9999).expect("an IP needs no look-up");
        assert_eq!(addr.to_string(), "[::1]:9999");
    }

    /// A name that does not exist gives `HostNotFound`, not a panic.
    #[test]
    fn unknown_names_are_errors() {
        let err = resolve(&host("no-such-host.invalid"), 1).expect_err("must fail");
        assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
    }

    /// Wildcard addresses are woken through loopback of the same family.
    #[test]
    fn reachable_maps_wildcards_to_loopback() {
        let v4: SocketAddr = "0.0.0.0:80".parse().expect("literal");
        let v6: SocketAddr = "[::]:80".parse().expect("literal");
        let lo: SocketAddr = "127.0.0.1:80".parse().expect("literal");
        assert_eq!(reachable(v4).to_string(), "127.0.0.1:80");
        assert_eq!(reachable(v6).to_string(), "[::1]:80");
        assert_eq!(reachable(lo), lo);
    }
}
