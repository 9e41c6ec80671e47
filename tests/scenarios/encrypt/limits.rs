//! The chain's limits (part of `encrypt.rs`, split for length): an encrypted copy over the next hop's
//! size, and a discovered key below the rules' `min_key_trust`.

use super::*;

#[test]
fn an_encrypted_copy_over_the_next_hops_size_goes_to_the_next_method_never_plaintext() {
    // Postfix takes 20,000 octets; the text fits, its PGP/MIME copy (about a third larger)
    // does not. Postfix's certificate does not verify, so tls-verified fails first; pgp is
    // refused for its size (552 5.3.4) and sends the recipient back; no S/MIME certificate:
    // held with a notice — never a bounce of a message that could still be protected, never
    // plaintext.
    let pf = sealgate_tests::postfix::Postfix::start_with(&["message_size_limit=20000"]);
    let env = Env::new();
    let rcpt = format!("bob@{}", sealgate_tests::postfix::DOMAIN);
    let bob = GpgHome::generate(&format!("Bob <{rcpt}>"));
    let bob_key = env.write_etc("bob.asc", &String::from_utf8(bob.export()).unwrap());
    let cert = test_cert(&env.etc(), "return.acme-health.org");
    let mut tenant = Receiver::start(LOOPBACK, 0, &env.root().join("tenant"), Some(&cert));
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[delivery.routes]\n\"{}\" = \"{}\"\n\"acme-health.org\" = \"{}\"\n",
            sealgate_tests::postfix::DOMAIN,
            pf.addr,
            tenant.addr
        ),
        ..GatewayConfig::default()
    };
    let config = cfg.write(&env, "sealgate.toml");
    let out = sealgate(&[
        "keys",
        "import",
        "--config",
        config.to_str().unwrap(),
        bob_key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "keys import: {}", describe(&out));
    let gw = Gateway::start_file(&env, &config, &[]);
    let filler = sealgate_tests::mail::filler(15_000, "results").replace('\n', "\r\n");
    let message = phi_message(&rcpt, "<big@t>") + &filler;
    assert!(message.len() < 20_000, "the plain text must fit");
    let id = send(&gw, &rcpt, &message);
    let e = queue::wait_all(&gw, &env, &id, "held", WAIT);
    let attempts = queue::attempts(&e);
    let pgp: Vec<&serde_json::Value> = attempts
        .iter()
        .filter(|a| a["copy"]["protection"] == "pgp")
        .collect();
    assert_eq!(pgp.len(), 1, "one PGP attempt expected: {e}");
    assert_eq!(pgp[0]["reply"]["code"], 552, "{e}");
    let held = e["recipients"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["kind"]["status"] == "held")
        .filter_map(|ev| ev["kind"]["reason"].as_str())
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        held.contains("tls-verified: failed at delivery")
            && held.contains("pgp: failed at delivery")
            && held.contains("smime: no key on file"),
        "{held}"
    );
    tenant.wait_messages(1, WAIT, "the held notice");
    assert!(gw.terminate().success());
    assert!(pf.delivered().is_empty(), "something reached Postfix");
}

/// Issue 6 item 2, through delivery: pat's only key was imported `--trust discovered` and the
/// PHI rule says `min_key_trust = "manual"`. Behind a plaintext hop `tls-verified` fails, PGP is
/// skipped for the key's trust (reason and fingerprint recorded), there is no certificate, so
/// the copy is held and nothing reaches the receiver — the key is never used.
#[test]
fn a_discovered_key_below_the_rules_min_key_trust_is_not_used_and_the_copy_is_held() {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                copy_dir(&p, &to.join(e.file_name()));
            } else {
                std::fs::copy(&p, to.join(e.file_name())).unwrap();
            }
        }
    }
    let env = Env::new();
    let pat = GpgHome::generate("Pat <pat@dest.test>");
    let pat_key = env.write_etc("pat.asc", &String::from_utf8(pat.export()).unwrap());
    let rules = env.etc().join("rules");
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rules"),
        &rules,
    );
    std::fs::remove_dir_all(rules.join("cases")).unwrap();
    let phi = rules.join("50-phi.toml");
    let text = std::fs::read_to_string(&phi).unwrap();
    assert!(text.contains("id = \"phi-identifier\"\n"));
    std::fs::write(
        &phi,
        text.replacen(
            "id = \"phi-identifier\"\n",
            "id = \"phi-identifier\"\nmin_key_trust = \"manual\"\n",
            1,
        ),
    )
    .unwrap();
    let q = |p: &std::path::Path| serde_json::to_string(&p.to_string_lossy()).unwrap();
    let mut dest = Receiver::start(LOOPBACK, 0, &env.root().join("dest"), None);
    let cfg = GatewayConfig {
        mode: Mode::Mx,
        delivery: vec!["retry_schedule = [3600]".into()],
        extra: format!(
            "[rules]\ndir = {}\n\n[delivery.routes]\n\"dest.test\" = \"{}\"\n",
            q(&rules),
            dest.addr
        ),
        ..GatewayConfig::default()
    };
    let config = cfg.write(&env, "sealgate.toml");
    let out = sealgate(&[
        "keys",
        "import",
        "--config",
        config.to_str().unwrap(),
        "--trust",
        "discovered",
        pat_key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "keys import: {}", describe(&out));
    let gw = Gateway::start_file(&env, &config, &[]);

    let id = send(
        &gw,
        "pat@dest.test",
        &phi_message("pat@dest.test", "<trust@t>"),
    );
    let e = queue::wait_all(&gw, &env, &id, "held", WAIT);
    assert_eq!(
        e["message"]["decision"]["recipients"][0]["min_key_trust"], "manual",
        "{e}"
    );
    let held_reason = e["recipients"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["kind"]["status"] == "held")
        .filter_map(|ev| ev["kind"]["reason"].as_str())
        .next()
        .unwrap_or_default()
        .to_string();
    let fp = pat.fingerprint();
    assert!(
        held_reason.contains("pgp: no usable key")
            && held_reason.contains(&fp)
            && held_reason.contains("below-trust")
            && held_reason.contains("smime: no key on file"),
        "{held_reason}"
    );
    // Whatever reached the receiver (the tls-verified attempt is refused before DATA), none of
    // it is a copy: no PGP/MIME, no canary.
    for m in dest.messages() {
        let bytes = String::from_utf8_lossy(&m.bytes()).to_string();
        assert!(!bytes.contains(SSN), "PHI reached the receiver");
        assert!(
            !bytes.contains("multipart/encrypted"),
            "a PGP copy was sent"
        );
    }
}
