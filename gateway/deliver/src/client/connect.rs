//! Opening a connection: TCP (from the configured source address), the greeting, EHLO and,
//! when offered and asked for, STARTTLS.

use super::io::Io;
use super::{Capabilities, Connection, SessionParams, Timeouts, TlsSeen, timed};
use crate::error::DeliverError;
use crate::route::Target;
use sealgate_core::event::AttemptFacts;
use sealgate_tlspolicy::MxPlan;
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::BufReader;
use tokio::net::TcpSocket;

impl Connection {
    /// Connects, reads the greeting, says EHLO and, when `tls` is given and the server offers
    /// STARTTLS, negotiates TLS with that configuration (its verifier decides which
    /// certificates pass). `tls = None` stays in plaintext (the retry after a failed handshake
    /// where the floor allows it). A failed handshake is [`DeliverError::Handshake`].
    pub async fn open(
        target: &Target,
        params: &SessionParams,
        tls: Option<&MxPlan>,
        timeouts: Timeouts,
    ) -> Result<Connection, DeliverError> {
        let addr = SocketAddr::new(target.ip, target.port);
        let stream = timed(timeouts.connect, "connecting", async {
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }
            .map_err(|e| DeliverError::Connect(e.kind().to_string()))?;
            if let Some(src) = params.source {
                socket
                    .bind(SocketAddr::new(src, 0))
                    .map_err(|e| DeliverError::Connect(format!("bind source: {}", e.kind())))?;
            }
            socket
                .connect(addr)
                .await
                .map_err(|e| DeliverError::Connect(e.kind().to_string()))
        })
        .await?;
        let _ = stream.set_nodelay(true);
        let mut conn = Connection {
            io: BufReader::new(Io::Plain(stream)),
            caps: Capabilities::default(),
            facts: AttemptFacts {
                next_hop: target.host.clone(),
                ip: Some(target.ip.to_string()),
                ..AttemptFacts::default()
            },
            sent: 0,
            idle_since: Instant::now(),
            broken: false,
            in_data: false,
            tls: TlsSeen::default(),
            timeouts,
        };
        let greeting = conn
            .read(timeouts.command, "waiting for the greeting")
            .await?;
        if greeting.reply.code != 220 {
            conn.quit().await;
            return Err(DeliverError::Greeting(greeting.reply));
        }
        conn.ehlo(&params.helo).await?;
        conn.tls.offered = conn.caps.starttls;
        let Some(tls) = tls.filter(|_| conn.caps.starttls) else {
            return Ok(conn);
        };
        conn.starttls(target, tls).await?;
        conn.ehlo(&params.helo).await?;
        Ok(conn)
    }
}
