use super::*;
use std::time::Duration;

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

#[test]
fn gateway_defaults() {
    let c = Config::from_toml("[smtp]\nhostname = \"gw.example.org\"\n").unwrap();
    assert_eq!(c.gateway.domain.as_str(), "gw.example.org");
    assert_eq!(
        c.gateway.postmaster.to_string(),
        "postmaster@gw.example.org"
    );
    let c = Config::embedded();
    assert_eq!(c.gateway.domain.as_str(), "localhost");
    assert_eq!(c.delivery.retry_schedule.len(), 5);
    assert_eq!(c.delivery.max_queue_lifetime.as_secs(), 5 * 86_400);
}

#[test]
fn delivery_routes_and_testing_overrides() {
    let c = Config::from_toml(
        r#"
        [tenants.acme]
        networks = ["127.0.0.1/32"]
        sender_domains = ["acme-health.org"]
        [delivery]
        mode = "mx"
        retry_schedule = ["1s", 2]
        [delivery.routes]
        "partner.example" = "10.1.2.3:25"
        "v6.example" = "[::1]:2525"
        "relay.example" = "smarthost.example"
        "*" = "[127.0.0.1]"
        [delivery.tenants.acme]
        helo = "mail.acme-health.org"
        source_address = "127.0.0.2"
        [delivery.testing]
        nameservers = ["127.0.0.1:5353"]
        mx_port = 2525
        mx_host_ports = ["MX-Plain.Test.:2526"]
        wkd_address = "127.0.0.1:8443"
        wkd_ca = "/tmp/rig/ca.pem"
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = &c.delivery;
    assert_eq!(
        d.retry_schedule,
        vec![Duration::from_secs(1), Duration::from_secs(2)]
    );
    let hop = |name: &str| {
        d.routes
            .iter()
            .find(|r| r.domain.as_ref().map(|x| x.as_str()) == Some(name))
            .map(|r| r.next_hop.clone())
            .unwrap()
    };
    assert_eq!(
        hop("partner.example"),
        NextHop {
            host: "10.1.2.3".into(),
            port: 25
        }
    );
    assert_eq!(
        hop("v6.example"),
        NextHop {
            host: "::1".into(),
            port: 2525
        }
    );
    assert_eq!(hop("relay.example").port, 25);
    assert!(d.routes.iter().any(|r| r.domain.is_none()));
    assert_eq!(d.tenants[0].helo.as_deref(), Some("mail.acme-health.org"));
    assert_eq!(d.testing.mx_port, Some(2525));
    assert_eq!(
        d.testing.mx_host_ports,
        vec![("mx-plain.test".to_string(), 2526)]
    );
    assert_eq!(d.testing.nameservers[0].port(), 5353);
    assert_eq!(d.testing.wkd_address, Some(([127, 0, 0, 1], 8443).into()));
    assert_eq!(
        d.testing.wkd_ca.as_deref(),
        Some(std::path::Path::new("/tmp/rig/ca.pem"))
    );
    assert!(d.wkd, "WKD is on unless turned off");
    let off = Config::from_toml("[delivery]\nwkd = false\n").unwrap();
    assert!(!off.delivery.wkd);
    assert!(Config::embedded().delivery.wkd);
}

#[test]
fn delivery_mistakes_are_all_named() {
    let err = Config::from_toml(
        r#"
        [delivery]
        retry_schedule = ["soon"]
        max_per_destination = 0
        wkd = "yes"
        [delivery.routes]
        "bad domain" = "10.1.2.3:25"
        "ok.example" = "10.1.2.3:99999"
        [delivery.testing]
        mx_port = 0
        mx_host_ports = ["mx.example:0"]
        wkd_address = "openpgpkey.example"
        [delivery.tenants.acmee]
        helo = "out.acme-health.org"
        [gateway]
        postmaster = "nobody"
        "#,
    )
    .unwrap_err();
    let keys: Vec<&str> = err.issues.iter().map(|i| i.key.as_str()).collect();
    for k in [
        "delivery.retry_schedule[0]",
        "delivery.max_per_destination",
        "delivery.routes.bad domain",
        "delivery.routes.ok.example",
        "delivery.testing.mx_port",
        "delivery.testing.mx_host_ports[0]",
        "delivery.wkd",
        "delivery.testing.wkd_address",
        // Regression: a `[delivery.tenants.NAME]` naming no tenant was silently ignored.
        "delivery.tenants.acmee",
        "gateway.postmaster",
    ] {
        assert!(keys.contains(&k), "{k} missing in {keys:?}");
    }
}

#[test]
fn zero_where_a_positive_value_is_needed_is_named_per_key() {
    let err = Config::from_toml(
        r#"
        [smtp]
        max_message_size = 0
        max_recipients = 0
        max_connections = 0
        max_connections_per_ip = 0
        max_errors = 0
        memory_budget = "0MiB"
        max_junk_commands = 0
        [delivery]
        max_queue_lifetime = "0s"
        hold_expiry = 0
        connect_timeout = "0s"
        scan_interval = 0
        max_per_destination = 0
        max_deliveries = 0
        connection_reuse_limit = 0
        [tls]
        mta_sts_fetch_timeout = "0s"
        "#,
    )
    .unwrap_err();
    let named: Vec<&str> = err
        .issues
        .iter()
        .filter(|i| i.message.contains("greater than 0"))
        .map(|i| i.key.as_str())
        .collect();
    assert_eq!(named.len(), 15, "{named:?}");
    for k in [
        "smtp.max_message_size",
        "smtp.memory_budget",
        "smtp.max_errors",
    ] {
        assert!(named.contains(&k), "{k} missing in {named:?}");
    }
    for k in ["delivery.hold_expiry", "delivery.connection_reuse_limit"] {
        assert!(named.contains(&k), "{k} missing in {named:?}");
    }
    assert!(named.contains(&"tls.mta_sts_fetch_timeout"));
}

#[test]
fn misspelt_keys_get_a_did_you_mean() {
    let err = Config::from_toml(
        "[rulez]\ndir = \"/x\"\n[smtp]\nmax_recipeints = 10\n[admin]\nheader_read_timout = \"2s\"\nzzz = 1\n",
    )
    .unwrap_err();
    let msg = |k: &str| {
        err.issues
            .iter()
            .find(|i| i.key == k)
            .map(|i| i.message.clone())
            .unwrap_or_else(|| panic!("{k} missing in {err}"))
    };
    assert_eq!(msg("rulez"), "unknown key (did you mean `rules`?)");
    assert_eq!(
        msg("smtp.max_recipeints"),
        "unknown key (did you mean `max_recipients`?)"
    );
    assert_eq!(
        msg("admin.header_read_timout"),
        "unknown key (did you mean `header_read_timeout`?)"
    );
    assert_eq!(msg("admin.zzz"), "unknown key");
}

#[test]
fn admin_tls_needs_both_files() {
    let c = Config::from_toml(
        "[admin]\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\nheader_read_timeout = \"3s\"\n",
    )
    .unwrap();
    assert_eq!(
        c.admin.header_read_timeout,
        std::time::Duration::from_secs(3)
    );
    assert!(c.admin.tls.is_some());
    let err = Config::from_toml("[admin]\ntls_cert = \"/c.pem\"\n").unwrap_err();
    assert!(err.issues.iter().any(|i| i.key == "admin.tls_key"), "{err}");
}

#[test]
fn non_global_destinations_are_refused_unless_allowed() {
    assert!(!Config::embedded().delivery.allow_non_global_destinations);
    let on = Config::from_toml("[delivery]\nallow_non_global_destinations = true\n").unwrap();
    assert!(on.delivery.allow_non_global_destinations);
    let err =
        Config::from_toml("[delivery]\nallow_non_global_destinations = \"yes\"\n").unwrap_err();
    assert!(
        err.issues
            .iter()
            .any(|i| i.key == "delivery.allow_non_global_destinations"),
        "{err}"
    );
}

const PORTAL_BASE: &str = r#"
[tenants.acme]
networks = ["10.0.0.0/8"]
sender_domains = ["clinic.example"]
"#;

#[test]
fn portal_section_reads_with_defaults() {
    let c = Config::from_toml(&format!(
        "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\ntrusted_proxies = [\"10.1.0.0/16\"]\n\
         [portal.tenants.acme]\nbase_url = \"https://portal.clinic.example/\"\nkey_mode = \"server\"\n"
    ))
    .unwrap();
    let p = c.portal.unwrap();
    assert_eq!(p.default_expiry, DEFAULT_PORTAL_EXPIRY);
    assert_eq!(p.max_attachment, DEFAULT_PORTAL_MAX_ATTACHMENT);
    let t = p.tenant("acme").unwrap();
    assert_eq!(t.base_url, "https://portal.clinic.example");
    assert!(t.key_mode_server);
    assert_eq!(t.organisation, "acme");
    assert_eq!(
        p.bound_expiry(Some(Duration::from_secs(1))),
        Duration::from_secs(60)
    );
    assert!(Config::from_toml(PORTAL_BASE).unwrap().portal.is_none());
}

#[test]
fn portal_errors_name_the_key() {
    let e = Config::from_toml(&format!(
        "{PORTAL_BASE}\n[portal]\ndefault_expiry = \"400d\"\ntls_cert = \"/x.pem\"\n\
         [portal.tenants.acme]\nbase_url = \"http://portal.clinic.example\"\nkey_mode = \"both\"\n\
         [portal.tenants.nobody]\nbase_url = \"https://p.example\"\n"
    ))
    .unwrap_err()
    .to_string();
    for key in [
        "portal.listen",
        "portal.default_expiry",
        "portal.tls_key",
        "portal.tenants.acme.base_url",
        "portal.tenants.acme.key_mode",
        "portal.tenants.nobody",
    ] {
        assert!(e.contains(key), "{key} not named in: {e}");
    }
}

#[test]
fn portal_template_colours_are_checked_for_aa_contrast_naming_the_key() {
    let c = Config::from_toml(&format!(
        "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
         base_url = \"https://p.example\"\nintro = \"Riverside uses secure mail.\"\n\
         logo = \"/etc/sealgate/logo.svg\"\ncolour = \"#0B5394\"\n"
    ))
    .unwrap();
    let t = c.portal.unwrap().tenant("acme").unwrap().clone();
    assert_eq!(t.intro, "Riverside uses secure mail.");
    assert_eq!(
        t.logo.unwrap(),
        std::path::Path::new("/etc/sealgate/logo.svg")
    );
    let colours = t.colours.unwrap();
    assert_eq!(colours.background.css(), "#0b5394");
    assert_eq!(colours.text, Rgb::WHITE);

    // Known ratios: black on white 21:1, #767676 on white just passes (4.54), #777 does not.
    assert!((Rgb([0, 0, 0]).contrast(Rgb::WHITE) - 21.0).abs() < 1e-9);
    assert!(Rgb::parse("#767676").unwrap().contrast(Rgb::WHITE) >= AA_CONTRAST);
    assert!(Rgb::parse("#777").unwrap().contrast(Rgb::WHITE) < AA_CONTRAST);

    for (lines, key) in [
        ("colour = \"#777777\"", "portal.tenants.acme.colour"),
        (
            "colour = \"#ffd700\"\ncolour_text = \"#ffffff\"",
            "portal.tenants.acme.colour_text",
        ),
        ("colour = \"blue\"", "portal.tenants.acme.colour"),
        ("colour = \"#12345\"", "portal.tenants.acme.colour"),
        (
            "colour_text = \"#000000\"",
            "portal.tenants.acme.colour_text",
        ),
    ] {
        let e = Config::from_toml(&format!(
            "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
             base_url = \"https://p.example\"\n{lines}\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains(key), "{key} not named for {lines}: {e}");
    }
    // A light brand colour with dark text is fine.
    let c = Config::from_toml(&format!(
        "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
         base_url = \"https://p.example\"\ncolour = \"#ffd700\"\ncolour_text = \"#1a1a1a\"\n"
    ));
    assert!(c.is_ok(), "{c:?}");
}

#[test]
fn a_tenant_may_narrow_the_expiry_bounds() {
    let c = Config::from_toml(&format!(
        "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
         base_url = \"https://p.example\"\ndefault_expiry = \"7d\"\nmax_expiry = \"14d\"\n"
    ))
    .unwrap();
    let p = c.portal.unwrap();
    let day = Duration::from_secs(86_400);
    assert_eq!(p.bound_expiry_for("acme", None), 7 * day);
    assert_eq!(p.bound_expiry_for("acme", Some(90 * day)), 14 * day);
    assert_eq!(
        p.bound_expiry_for("acme", Some(Duration::from_secs(1))),
        Duration::from_secs(60)
    );
    // A tenant without its own bounds, or unknown, has [portal]'s.
    assert_eq!(p.bound_expiry_for("other", Some(90 * day)), 90 * day);
    assert_eq!(p.bound_expiry_for("other", None), DEFAULT_PORTAL_EXPIRY);

    for (lines, key) in [
        ("max_expiry = \"400d\"", "portal.tenants.acme.max_expiry"),
        (
            "default_expiry = \"20d\"\nmax_expiry = \"14d\"",
            "portal.tenants.acme.default_expiry",
        ),
        ("min_expiry = \"40d\"", "portal.tenants.acme.min_expiry"),
    ] {
        let e = Config::from_toml(&format!(
            "{PORTAL_BASE}\n[portal]\nlisten = \"127.0.0.1:8443\"\n[portal.tenants.acme]\n\
             base_url = \"https://p.example\"\n{lines}\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains(key), "{key} not named for {lines}: {e}");
    }
}
