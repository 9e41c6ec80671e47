//! STARTTLS: the upgrade to TLS under the host's verifier, refusing bytes buffered before the
//! handshake (STARTTLS injection), and the facts the handshake leaves for the attempt record.

use super::io::Io;
use super::{Connection, tls};
use crate::error::DeliverError;
use crate::route::Target;
use rustls::pki_types::{CertificateDer, ServerName};
use sealgate_tlspolicy::MxPlan;
use sealgate_tlspolicy::tlsrpt::{FailureKind, PolicyKind};
use std::sync::Arc;
use tokio::io::BufReader;
use tokio::time::timeout;

impl Connection {
    pub(super) async fn starttls(
        &mut self,
        target: &Target,
        tls: &MxPlan,
    ) -> Result<(), DeliverError> {
        let r = self.command("STARTTLS\r\n").await?;
        if r.reply.code != 220 {
            self.broken = true;
            return Err(DeliverError::Tls(format!(
                "STARTTLS answered {}",
                r.reply.code
            )));
        }
        if !self.io.buffer().is_empty() {
            self.broken = true;
            return Err(DeliverError::Protocol(
                "data after the STARTTLS reply".into(),
            ));
        }
        let name = ServerName::try_from(target.host.clone())
            .map_err(|_| DeliverError::Tls("host name unusable as TLS server name".into()))?;
        // Take the TCP stream out for the handshake; put a TLS stream back.
        // If the handshake fails the connection stays `Detached` and is marked broken.
        self.broken = true;
        let Io::Plain(tcp) =
            std::mem::replace(&mut self.io, BufReader::new(Io::Detached)).into_inner()
        else {
            return Err(DeliverError::Protocol("STARTTLS twice".into()));
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&tls.tls));
        let stream = timeout(self.timeouts.command, connector.connect(name, tcp))
            .await
            .map_err(|_| DeliverError::Tls("handshake timed out".into()))?
            .map_err(|e| handshake_error(&e, tls.report.kind))?;
        let (version, cipher) = tls::describe(stream.get_ref().1);
        let chain: Vec<CertificateDer<'static>> = stream
            .get_ref()
            .1
            .peer_certificates()
            .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default();
        self.facts.tls_version = version;
        self.facts.tls_cipher = cipher;
        let webpki_ok = tls.webpki_ok(&chain);
        // Under the DANE verifier a finished handshake means a TLSA record matched.
        let dane = tls.uses_dane();
        self.facts.cert_verified = Some(webpki_ok || dane);
        self.facts.dane = dane.then_some(true);
        self.tls.webpki_ok = webpki_ok;
        self.tls.chain = Some(chain);
        self.io = BufReader::new(Io::Tls(Box::new(stream)));
        self.broken = false;
        Ok(())
    }
}

/// A failed handshake, with its TLS-RPT result type when rustls says why.
fn handshake_error(e: &std::io::Error, kind: PolicyKind) -> DeliverError {
    let failure = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .map_or(FailureKind::ValidationFailure, |r| {
            FailureKind::from_rustls(r, kind)
        });
    DeliverError::Handshake {
        why: e.to_string(),
        failure,
    }
}
