//! Sending one webhook delivery: where a URL may point (http or https, and
//! not at this machine or a private network unless the operator allows it:
//! no server-side request forgery), the signature (HMAC-SHA256 over the
//! timestamp and the body, as Stripe and GitHub sign theirs), and the POST
//! itself, made to the very address that was checked (a name that resolves
//! elsewhere the second time changes nothing).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use sha2::Sha256;

/// The header that carries the signature: `t=<unix seconds>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "cinegraph-signature";
/// The header that names the delivery: the same on every try of it, so a
/// receiver that got it before can tell (the idempotency key).
pub const DELIVERY_HEADER: &str = "cinegraph-delivery";
/// The header that names the event, such as `FILM.UPDATED`.
pub const EVENT_HEADER: &str = "cinegraph-event";

/// Where a delivery goes: the URL's parts and the address checked.
#[derive(Debug, Clone)]
pub struct Target {
    https: bool,
    host: String,
    /// The `Host` header: the host, with the port when it is not the scheme's.
    authority: String,
    path: String,
    address: SocketAddr,
}

/// Checks a webhook URL and resolves it: an error says why it may not be
/// delivered to.
pub async fn target(url: &str, allow_private: bool) -> Result<Target, String> {
    let parsed = url::Url::parse(url).map_err(|err| format!("not a URL: {err}"))?;
    let https = match parsed.scheme() {
        "https" => true,
        "http" => false,
        other => return Err(format!("the scheme must be http or https, not {other:?}")),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("a URL with a user name or password is not accepted".into());
    }
    let host = parsed
        .host_str()
        .ok_or("the URL has no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or("the URL has no port")?;
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|err| format!("cannot resolve {host:?}: {err}"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("{host:?} has no address"));
    }
    if !allow_private && let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(format!(
            "{host:?} resolves to {}, a loopback, link-local or private address; an operator may allow those (--webhooks-allow-private)",
            private.ip()
        ));
    }
    let authority = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or(&host)),
        None => parsed.host_str().unwrap_or(&host).to_string(),
    };
    let mut path = parsed.path().to_string();
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    Ok(Target {
        https,
        host,
        authority,
        path,
        address: addresses[0],
    })
}

/// Whether an address is on the public internet: not loopback, private,
/// link-local, carrier-grade NAT, unspecified, multicast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (b & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// POSTs `body` to `target` with `headers`, within `timeout`: the answer's
/// status, or why there is none.
pub async fn post(
    target: &Target,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<u16, String> {
    tokio::time::timeout(timeout, send(target, headers, body))
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs_f64()))?
}

async fn send(target: &Target, headers: &[(&str, String)], body: Vec<u8>) -> Result<u16, String> {
    let tcp = tokio::net::TcpStream::connect(target.address)
        .await
        .map_err(|err| format!("cannot connect to {}: {err}", target.address))?;
    let mut request = hyper::Request::post(target.path.as_str())
        .header("host", target.authority.as_str())
        .header("content-type", "application/json")
        .header("user-agent", "cinegraph-webhooks/1");
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|err| format!("cannot build the request: {err}"))?;
    if target.https {
        let name = rustls_pki_types::ServerName::try_from(target.host.clone())
            .map_err(|err| format!("{:?} cannot be a TLS server name: {err}", target.host))?;
        let tls = tokio_rustls::TlsConnector::from(tls_config())
            .connect(name, tcp)
            .await
            .map_err(|err| format!("TLS with {:?} failed: {err}", target.host))?;
        exchange(TokioIo::new(tls), request).await
    } else {
        exchange(TokioIo::new(tcp), request).await
    }
}

async fn exchange<S>(io: TokioIo<S>, request: hyper::Request<Full<Bytes>>) -> Result<u16, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|err| format!("HTTP handshake failed: {err}"))?;
    tokio::spawn(connection);
    let answer = sender
        .send_request(request)
        .await
        .map_err(|err| format!("the request failed: {err}"))?;
    Ok(answer.status().as_u16())
}

/// TLS trusting the web's root certificates (webpki-roots: no system store needed).
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_timestamp_and_body() {
        // HMAC-SHA256("key", "1.{}"), computed with Python's hmac module.
        let signed = signature("key", 1, b"{}");
        assert_eq!(
            signed,
            "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_ne!(signed, signature("other", 1, b"{}"));
        assert_ne!(signed, signature("key", 2, b"{}"));
    }

    #[tokio::test]
    async fn urls_are_checked_before_anything_is_sent() {
        for (url, allowed) in [
            ("ftp://example.com/x", false),
            ("http://user:pw@127.0.0.1/x", true),
            ("http://127.0.0.1:9/x", false),
            ("http://[::1]:9/x", false),
            ("not a url", true),
        ] {
            assert!(target(url, allowed).await.is_err(), "{url}");
        }
        let local = target("http://127.0.0.1:9/hook?x=1", true).await.unwrap();
        assert_eq!(local.path, "/hook?x=1");
        assert_eq!(local.authority, "127.0.0.1:9");
    }
}
