use super::*;

#[test]
fn embedded_default_is_valid() {
    let c = Config::from_toml(EMBEDDED_DEFAULT).unwrap();
    assert_eq!(c.smtp.listen[0].port(), 2525);
    assert_eq!(c.tenants.len(), 1);
    assert!(c.tenants[0].any_sender_domain);
    assert!(matches!(c.delivery.mode, DeliveryMode::Outbox { .. }));
    assert_eq!(c.smtp.tls.cert, CertSource::SelfSigned);
}

#[test]
fn full_example_parses() {
    let c = Config::from_toml(
        r#"
        [storage]
        dir = "/var/lib/sealgate"
        master_key_file = "/etc/sealgate/master.key"
        [smtp]
        listen = ["0.0.0.0:25"]
        hostname = "gw.example.org"
        max_message_size = "50MiB"
        max_recipients = 500
        proxy_protocol_from = ["10.0.0.0/8"]
        command_timeout = "2m"
        [smtp.tls]
        cert = "/etc/sealgate/tls.crt"
        key = "/etc/sealgate/tls.key"
        client_ca = "system"
        require = false
        [tenants.acme]
        networks = ["40.92.0.0/15"]
        client_cert_names = ["mail.protection.outlook.com"]
        sender_domains = ["ACME-health.org", "bücher.example"]
        [admin]
        listen = "127.0.0.1:9925"
        token_file = "/etc/sealgate/admin.token"
        [delivery]
        mode = "mx"
        "#,
    )
    .unwrap();
    assert_eq!(c.smtp.max_message_size, 50 << 20);
    assert_eq!(c.smtp.command_timeout.as_secs(), 120);
    assert_eq!(c.tenants[0].sender_domains[0].as_str(), "acme-health.org");
    assert_eq!(
        c.tenants[0].sender_domains[1].as_str(),
        "xn--bcher-kva.example"
    );
    assert_eq!(c.delivery.mode, DeliveryMode::Mx);
}

#[test]
fn three_mistakes_are_all_named() {
    let err = Config::from_toml(
        r#"
        [smtp]
        listen = ["127.0.0.1:2525"]
        max_recipients = "many"
        colour = "blue"
        [tenants.acme]
        networks = ["10.0.0.0/33"]
        sender_domains = ["acme.org"]
        "#,
    )
    .unwrap_err();
    let keys: Vec<&str> = err.issues.iter().map(|i| i.key.as_str()).collect();
    assert!(keys.contains(&"smtp.max_recipients"), "{keys:?}");
    assert!(keys.contains(&"smtp.colour"), "{keys:?}");
    assert!(keys.contains(&"tenants.acme.networks[0]"), "{keys:?}");
    assert_eq!(err.issues.len(), 3, "{err}");
}

#[test]
fn tenant_without_authentication_is_refused() {
    let err = Config::from_toml("[tenants.open]\nsender_domains = [\"x.org\"]\n").unwrap_err();
    assert_eq!(err.issues[0].key, "tenants.open.networks");
}

#[test]
fn broken_toml_is_reported() {
    let err = Config::from_toml("[smtp\nlisten=").unwrap_err();
    assert_eq!(err.issues[0].key, "(file)");
}

#[test]
fn shipped_example_config_is_valid() {
    let text = include_str!("../../../deploy/examples/sealgate.toml");
    let c = Config::from_toml(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.smtp.hostname, "gw.example.org");
    assert!(c.log.json);
}
