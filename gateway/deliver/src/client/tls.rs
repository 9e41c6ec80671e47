//! Outbound TLS facts. The client configurations (TLS 1.2 and 1.3 only, aws-lc-rs) and their
//! verifiers come from the TLS policy per host (`sealgate_tlspolicy::MxPlan::tls`): any
//! certificate at `may` / `encrypt`, WebPKI plus the host name at `verify`, DANE's at a host
//! with usable TLSA. Whatever the level, the chain's WebPKI result is recorded with the attempt.

/// Protocol version and cipher suite names of an established session.
pub fn describe(conn: &rustls::ClientConnection) -> (Option<String>, Option<String>) {
    let version = conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    });
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| s.suite().as_str().unwrap_or("unknown").to_string());
    (version, suite)
}
