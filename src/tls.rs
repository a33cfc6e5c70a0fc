//! The TLS of every reqwest client (Okta, AWS's sign-in page): what reqwest builds by
//! default with its `rustls` feature — the platform's verifier, `AWS_CA_BUNDLE`'s
//! certificates as extra roots, TLS 1.2 and 1.3, ALPN http/1.1 — built once for the process
//! instead of once per client.
//!
//! Building that verifier loads and parses the system's root certificates (with
//! `SSL_CERT_DIR`, a whole directory of files), milliseconds of CPU that reqwest spends on
//! every `build()`, before the first request. Here it is built once, on first need: by
//! `warm_up`'s thread while a login starts, or by the first TLS handshake (which waits for
//! that thread rather than doing the work twice). A client that only talks plain http on
//! loopback (tests, the demo) never loads the roots.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The configuration to hand every reqwest client (`tls_backend_preconfigured`): cheap to
/// clone, its verifier shared.
pub fn client_config() -> rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG.get_or_init(build_client_config).clone()
}

/// As reqwest's own (`ClientBuilder::build`, rustls back end): its crypto provider, every
/// protocol version, no client certificate, and `http/1.1` only (reqwest is built without
/// HTTP/2 here).
fn build_client_config() -> rustls::ClientConfig {
    let verifier = Arc::new(SharedVerifier {
        provider: crypto_provider(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .expect("the provider supports rustls's protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// reqwest's choice: a process-wide default provider if one is installed, else aws-lc-rs.
fn crypto_provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

/// Build the verifier on another thread now, so that the first handshake finds it ready.
/// Only after `net::configure` (the bundle is read there).
pub fn warm_up() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("tls-roots".into())
            .spawn(|| drop(platform_verifier()));
    });
}

/// The platform's verifier with `AWS_CA_BUNDLE`'s certificates as extra roots, as reqwest
/// builds it; built by whoever asks first, the others waiting for it.
fn platform_verifier() -> Result<&'static rustls_platform_verifier::Verifier, rustls::Error> {
    static VERIFIER: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>> =
        OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            crate::prompt::log::debug("loading the trusted root certificates");
            let provider = crypto_provider();
            match extra_roots()? {
                None => rustls_platform_verifier::Verifier::new(provider),
                Some(roots) => {
                    rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
                }
            }
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// `AWS_CA_BUNDLE`'s certificates (`net::configure` checked that it holds some).
fn extra_roots() -> Result<Option<Vec<CertificateDer<'static>>>, rustls::Error> {
    let Some(pem) = crate::net::config().ca_bundle() else {
        return Ok(None);
    };
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(|e| rustls::Error::General(format!("AWS_CA_BUNDLE: {e}")))
}

/// The platform's verifier, built when a handshake first needs it: every answer is its own.
#[derive(Debug)]
struct SharedVerifier {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for SharedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        platform_verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        platform_verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        platform_verifier()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match platform_verifier() {
            Ok(verifier) => verifier.supported_verify_schemes(),
            // The handshake fails at the certificate anyway, with the reason.
            Err(_) => self
                .provider
                .signature_verification_algorithms
                .supported_schemes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reqwest_takes_the_configuration() {
        // A rustls of another version than reqwest's would be an "unknown TLS backend".
        crate::net::http_client()
            .build()
            .expect("reqwest accepts the shared rustls configuration");
    }

    #[test]
    fn the_configuration_is_reqwests_own() {
        let config = client_config();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(config.enable_sni);
        assert!(
            !config.client_auth_cert_resolver.has_certs(),
            "no client certificate"
        );
    }
}
