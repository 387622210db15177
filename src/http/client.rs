//! Who sent a request, for the abuse limits: the TCP peer, unless the peer
//! is a proxy the operator trusts (`--trusted-proxies`), whose
//! `X-Forwarded-For` then names the client. Anyone can write that header, so
//! it is believed only from trusted proxies, and only up to the first
//! address (from the right, the hop nearest to us) that is not one of them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

use crate::domain::limits::ClientAddress;

pub fn client_address(
    headers: &HeaderMap,
    extensions: &Extensions,
    trusted: &[IpNet],
) -> ClientAddress {
    let Some(peer) = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_canonical())
    else {
        // Served without a socket (as in tests that call the router directly).
        return ClientAddress("unknown".to_string());
    };
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    let mut client = peer;
    if is_trusted(&peer) {
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for hop in forwarded.iter().rev() {
            // A hop that is no address ends what can be believed.
            let Ok(address) = hop.trim().parse::<IpAddr>().map(|a| a.to_canonical()) else {
                break;
            };
            client = address;
            if !is_trusted(&address) {
                break;
            }
        }
    }
    ClientAddress(client.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 4000)));
        let trusted: Vec<IpNet> = trusted.iter().map(|net| net.parse().unwrap()).collect();
        client_address(&headers, &extensions, &trusted).0
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        assert_eq!(from("198.51.100.1", &["203.0.113.9"], &[]), "198.51.100.1");
        assert_eq!(
            from("10.0.0.2", &["203.0.113.9"], &["10.0.0.0/8"]),
            "203.0.113.9"
        );
        assert_eq!(
            from(
                "10.0.0.2",
                &["1.1.1.1, 203.0.113.9, 10.0.0.7"],
                &["10.0.0.0/8"]
            ),
            "203.0.113.9",
            "the nearest untrusted hop, not what the client wrote first"
        );
        assert_eq!(
            from("10.0.0.2", &["1.1.1.1", "203.0.113.9"], &["10.0.0.0/8"]),
            "203.0.113.9",
            "several header lines are one list"
        );
        assert_eq!(
            from("10.0.0.2", &["junk, 10.0.0.7"], &["10.0.0.0/8"]),
            "10.0.0.7"
        );
        assert_eq!(from("10.0.0.2", &[], &["10.0.0.0/8"]), "10.0.0.2");
        assert_eq!(
            from("::ffff:10.0.0.2", &["2001:db8::1"], &["10.0.0.0/8"]),
            "2001:db8::1",
            "an IPv4 peer seen through IPv6"
        );
    }
}
