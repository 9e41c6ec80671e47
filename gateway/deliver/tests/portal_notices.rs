//! The portal sweep's mail, committed to a real spool: the receipt (status link, reference
//! words, no recipient, no subject; to the sender as the gateway's own mail), the link-mode
//! reminder without a link and the server-mode one with a working fresh link, the sender's
//! note, the expiry warning and the read receipt — each once over repeated sweeps — and the
//! English/Spanish table.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom, Spool};
use sealgate_config::{PortalConfig, PortalNotices as NoticeConfig, PortalTenant};
use sealgate_core::store::QueueStore;
use sealgate_core::{Address, Clock, Domain, MessageId, Timestamp};
use sealgate_deliver::escrow::PortalEscrow;
use sealgate_deliver::portal_notices::{PortalNotices, extension};
use sealgate_deliver::{Identity, Originator};
use sealgate_portal::notice_texts::TEXTS;
use sealgate_portal::{Actor, EscrowId, EscrowStore, Half, KeyMode, NewEscrow, PortalEventKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HOUR: u64 = 3_600_000;
const START: u64 = 1_796_256_000_000;

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

fn tenant(server: bool) -> PortalTenant {
    PortalTenant {
        name: "clinic".into(),
        base_url: "https://portal.clinic.example".into(),
        key_mode_server: server,
        organisation: "Riverside Clinic".into(),
        help: "Questions? Call 555-0100.".into(),
        from: Some(Address::parse("secure-mail@clinic.example").unwrap()),
        intro: String::new(),
        logo: None,
        colours: None,
        expiry: None,
        language: Default::default(),
        texts: Vec::new(),
        read_receipt: true,
        reply: Default::default(),
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    spool: Arc<Spool>,
    notices: PortalNotices,
    woken: Arc<Mutex<Vec<MessageId>>>,
}

fn rig(server: bool) -> Rig {
    rig_with(tenant(server))
}

fn rig_with(tenant: PortalTenant) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock(AtomicU64::new(START)));
    let keys = MasterKeys::generate("k", &OsRandom).unwrap();
    let spool = Arc::new(Spool::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap());
    let store = EscrowStore::open(
        dir.path(),
        Arc::new(MasterKeys::generate("p", &OsRandom).unwrap()),
        clock.clone(),
        Arc::new(OsRandom),
    );
    let config = PortalConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        trusted_proxies: vec![],
        default_expiry: Duration::from_secs(30 * 86_400),
        min_expiry: Duration::from_secs(60),
        max_expiry: Duration::from_secs(365 * 86_400),
        max_attachment: 1 << 20,
        tenants: vec![tenant],
        notices: NoticeConfig::default(),
        reply: Default::default(),
    };
    let escrow = Arc::new(PortalEscrow {
        store: Arc::new(store.unwrap()),
        origin: Originator {
            store: spool.clone(),
            clock: clock.clone(),
            rng: Arc::new(OsRandom),
            identity: Identity {
                hostname: "gw.example".into(),
                domain: Domain::parse("gw.example").unwrap(),
                postmaster: Address::parse("postmaster@gw.example").unwrap(),
            },
        },
        config: Arc::new(config),
        domains: Default::default(),
    });
    let woken = Arc::new(Mutex::new(Vec::new()));
    let w = woken.clone();
    let notices = PortalNotices {
        escrow,
        wake: Arc::new(move |id| w.lock().unwrap().push(id)),
    };
    Rig {
        _dir: dir,
        clock,
        spool,
        notices,
        woken,
    }
}

impl Rig {
    fn escrow(&self, index: u32, mode: KeyMode) -> (EscrowId, String, Half) {
        let store = &self.notices.escrow.store;
        let m = MessageId::from_bytes([9; 16]);
        let d = store
            .deposit(NewEscrow {
                message_id: m,
                recipient_index: index,
                recipient: Address::parse(&format!("pat{index}@home.example")).unwrap(),
                tenant: "clinic",
                key_mode: mode,
                expires: Timestamp(START + 96 * HOUR),
                raw: b"From: a@clinic.example\r\nSubject: Lab results\r\n\r\nSSN 078-05-1120\r\n",
                max_attachment: 1 << 20,
            })
            .unwrap();
        let sender = Address::parse("avery@clinic.example").unwrap();
        store.register_sender(m, "clinic", &sender).unwrap();
        store
            .append(d.id, PortalEventKind::Notified, Actor::System)
            .unwrap();
        let half = Half::from_bytes(*d.link_half.as_bytes());
        (d.id, d.reference.clone(), half)
    }

    /// Sweeps at `ms` after the start; returns the mails committed, (envelope sender, to, text).
    fn sweep_at(&self, ms: u64) -> Vec<(Option<String>, String, String)> {
        self.clock.0.store(START + ms, Ordering::SeqCst);
        self.woken.lock().unwrap().clear();
        self.notices.sweep().unwrap();
        let ids = self.woken.lock().unwrap().clone();
        ids.into_iter()
            .map(|id| {
                let e = self.spool.get(id).unwrap().unwrap();
                let body = self.spool.body(id).unwrap();
                (
                    e.message.envelope.mail_from.map(|a| a.to_string()),
                    e.message.envelope.recipients[0].address.to_string(),
                    String::from_utf8_lossy(&body).to_string(),
                )
            })
            .collect()
    }
}

fn subject(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap()
}

#[test]
fn link_mode_receipt_reminder_note_warning_and_read_receipt_each_once() {
    let rig = rig(false);
    let (c0, ref0, _) = rig.escrow(0, KeyMode::Link);
    let (_, ref1, _) = rig.escrow(1, KeyMode::Link);
    let sent = rig.sweep_at(0);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (from, to, text) = &sent[0];
    assert_eq!(
        (from.as_deref(), to.as_str()),
        (None, "avery@clinic.example")
    );
    assert!(text.contains("From: \"Riverside Clinic secure mail\" <postmaster@gw.example>"));
    assert_eq!(subject(text), "Secure message sent (Riverside Clinic)");
    assert!(text.contains(&ref0) && text.contains(&ref1) && text.contains("2 recipient(s)"));
    assert!(text.contains("https://portal.clinic.example/s/"));
    for never in ["pat0@", "pat1@", "Lab results", "078-05-1120"] {
        assert!(!text.contains(never), "{never} in {text}");
    }
    let token = text
        .split("/s/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let status = rig.notices.escrow.store.status_by_token(token).unwrap();
    assert_eq!(status.message_id, MessageId::from_bytes([9; 16]));
    assert!(rig.sweep_at(1).is_empty(), "the receipt went twice");
    // Recipient 1 reads: a read receipt to the sender (no recipient named).
    rig.notices
        .escrow
        .store
        .append(rig.escrow_id(1), PortalEventKind::Viewed, Actor::System)
        .unwrap();
    let sent = rig.sweep_at(2);
    assert_eq!(sent.len(), 1);
    assert_eq!(subject(&sent[0].2), "Your secure message was read");
    assert!(sent[0].2.contains(&ref1) && !sent[0].2.contains("pat1@"));
    // 48 h unread: reminder to recipient 0 (no link), note to the sender.
    let sent = rig.sweep_at(48 * HOUR + 1);
    let mut subjects: Vec<(&str, &str)> =
        sent.iter().map(|m| (m.1.as_str(), subject(&m.2))).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            (
                "avery@clinic.example",
                "Your secure message has not been read yet"
            ),
            (
                "pat0@home.example",
                "Reminder: a secure message from Riverside Clinic is waiting"
            ),
        ]
    );
    let reminder = &sent.iter().find(|m| m.1.starts_with("pat0")).unwrap();
    assert_eq!(reminder.0.as_deref(), Some("secure-mail@clinic.example"));
    assert!(
        reminder.2.contains(&ref0) && !reminder.2.contains("http"),
        "{}",
        reminder.2
    );
    // 24 h before expiry: a warning to each; then nothing more, ever.
    let sent = rig.sweep_at(72 * HOUR + 1);
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|m| subject(&m.2).contains("expires soon")));
    assert!(rig.sweep_at(72 * HOUR + 2).is_empty());
    let kinds: Vec<&str> = rig
        .notices
        .escrow
        .store
        .events(c0)
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(
        kinds,
        [
            "escrowed",
            "notified",
            "reminded",
            "sender-reminded",
            "expiry-warned"
        ]
    );
}

impl Rig {
    fn escrow_id(&self, index: u32) -> EscrowId {
        let r = self
            .notices
            .escrow
            .store
            .find(MessageId::from_bytes([9; 16]), index);
        r.unwrap().unwrap().id.parse().unwrap()
    }
}

#[test]
fn a_server_mode_reminder_carries_a_fresh_link_that_opens_the_copy() {
    let rig = rig(true);
    let (c0, _, half) = rig.escrow(0, KeyMode::Server);
    rig.sweep_at(0);
    let sent = rig.sweep_at(48 * HOUR + 1);
    let reminder = sent.iter().find(|m| m.1.starts_with("pat0")).unwrap();
    let link = format!("https://portal.clinic.example/m/{c0}#");
    let at = reminder.2.find(&link).expect("a link") + link.len();
    let fragment = reminder.2[at..].split_whitespace().next().unwrap();
    let fresh = Half::from_fragment(fragment).unwrap();
    assert_eq!(fresh.as_bytes(), half.as_bytes());
    let doc = rig.notices.escrow.store.read(c0, Some(&fresh)).unwrap();
    assert!(doc.html.contains("078-05-1120"), "the link opens the copy");
    // The status page's "Extend": a week past the later of now and the expiry.
    let r = rig.notices.escrow.store.record(c0).unwrap();
    assert_eq!(
        extension(&rig.notices.escrow, &r),
        Some(Timestamp(r.expires.millis() + 7 * 24 * HOUR))
    );
}

#[test]
fn every_text_is_in_english_and_spanish_with_the_same_placeholders() {
    let mut keys: Vec<&str> = TEXTS.iter().map(|t| t.0).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), TEXTS.len());
    let holes = |s: &str| {
        let mut v: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(k, _)| k.to_string()))
            .collect();
        v.sort();
        v
    };
    for (key, en, es) in TEXTS {
        assert!(!en.is_empty() && !es.is_empty() && en != es, "{key}");
        assert_eq!(holes(en), holes(es), "{key}");
    }
}

#[test]
fn the_tenants_mail_language_writes_the_notices_spanish_or_both() {
    use sealgate_config::MailLanguage;
    let mut es = tenant(false);
    es.language = MailLanguage::Es;
    let rig = rig_with(es);
    let (c0, _, _) = rig.escrow(0, KeyMode::Link);
    let sent = rig.sweep_at(0);
    let text = &sent[0].2;
    // "Mensaje seguro enviado (Riverside Clinic)", ASCII only: no encoded word needed.
    assert_eq!(subject(text), "Mensaje seguro enviado (Riverside Clinic)");
    assert!(text.contains("destinatario(s)") && !text.contains("recipient(s)"));
    // The reminder's Spanish subject has no accent either; its body has (UTF-8, 8bit).
    let sent = rig.sweep_at(49 * HOUR);
    let reminder = sent
        .iter()
        .find(|(_, to, _)| to == "pat0@home.example")
        .unwrap();
    assert!(reminder.2.contains("aún no ha leído"), "{}", reminder.2);
    let _ = c0;

    let mut both = tenant(false);
    both.language = MailLanguage::EnEs;
    both.organisation = "Clínica Riverside".into();
    let rig = rig_with(both);
    rig.escrow(0, KeyMode::Link);
    let sent = rig.sweep_at(0);
    let text = &sent[0].2;
    // Non-ASCII subject and display name go out as RFC 2047 encoded words.
    let subj = subject(text);
    assert!(subj.starts_with("=?utf-8?q?"), "{subj}");
    assert!(text.contains("From: =?utf-8?q?"), "{text}");
    assert!(text.is_ascii() || text.contains("Su mensaje"), "{text}");
    let en = text.find("Your message of").unwrap();
    let es = text.find("Su mensaje del").unwrap();
    assert!(en < es, "English first in a bilingual mail");
}
