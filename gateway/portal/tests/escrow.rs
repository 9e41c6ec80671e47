//! The escrow store end to end on a real directory: deposit, read, events, revoke, expiry,
//! extension, key modes, recovery, and what the store alone can open.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::{MasterKeys, OsRandom};
use sealgate_core::address::Address;
use sealgate_core::id::MessageId;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{
    Actor, EscrowState, EscrowStore, Half, KeyMode, NewEscrow, PortalError, PortalEventKind,
};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const DAY: u64 = 86_400_000;
const CANARY: &str = "078-05-1120";

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

struct Rig {
    dir: tempfile::TempDir,
    clock: Arc<TestClock>,
    keys: Arc<MasterKeys>,
}

impl Rig {
    fn new() -> Self {
        Rig {
            dir: tempfile::tempdir().unwrap(),
            clock: Arc::new(TestClock(AtomicU64::new(1_800_000_000_000))),
            keys: Arc::new(MasterKeys::generate("k1", &OsRandom).unwrap()),
        }
    }

    fn store(&self) -> EscrowStore {
        EscrowStore::open(
            self.dir.path(),
            self.keys.clone(),
            self.clock.clone(),
            Arc::new(OsRandom),
        )
        .unwrap()
    }

    fn advance(&self, ms: u64) {
        self.clock.0.fetch_add(ms, Ordering::SeqCst);
    }
}

fn message() -> Vec<u8> {
    format!(
        "From: Dr Avery <avery@clinic.example>\r\nTo: pat@home.example\r\nSubject: Lab results\r\n\
Date: Thu, 3 Dec 2026 07:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Your SSN {CANARY} is on file.</p>\r\n\
--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"results.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDw+PgplbmRvYmoK\r\n--b1--\r\n"
    )
    .into_bytes()
}

fn deposit(
    store: &EscrowStore,
    mode: KeyMode,
    expires: Timestamp,
    raw: &[u8],
) -> sealgate_portal::Deposit {
    store
        .deposit(NewEscrow {
            message_id: MessageId::from_bytes([7; 16]),
            recipient_index: 0,
            recipient: Address::parse("pat@home.example").unwrap(),
            tenant: "clinic",
            key_mode: mode,
            expires,
            raw,
            max_attachment: 1 << 20,
        })
        .unwrap()
}

/// Every byte of every file under `dir`, with its path.
fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn deposit_then_read_with_the_link_half() {
    let rig = Rig::new();
    let store = rig.store();
    let expires = rig
        .clock
        .now()
        .plus(std::time::Duration::from_millis(30 * DAY));
    let d = deposit(&store, KeyMode::Link, expires, &message());
    let doc = store.read(d.id, Some(&d.link_half)).unwrap();
    assert_eq!(doc.subject, "Lab results");
    assert_eq!(doc.from, "Dr Avery <avery@clinic.example>");
    assert!(doc.html.contains(CANARY));
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].name, "results.pdf");
    assert_eq!(doc.attachments[0].content_type, "application/pdf");
    assert!(doc.attachments[0].data.starts_with(b"%PDF-1.4\n"));

    let wrong = Half::generate(&OsRandom);
    assert!(matches!(
        store.read(d.id, Some(&wrong)),
        Err(PortalError::Crypto(_))
    ));
    assert!(
        store.read(d.id, None).is_err(),
        "link mode needs the fragment"
    );

    let rec = store.record(d.id).unwrap();
    assert_eq!(
        (rec.reference.as_str(), rec.expires),
        (d.reference.as_str(), expires)
    );
    assert_eq!(
        store
            .find(MessageId::from_bytes([7; 16]), 0)
            .unwrap()
            .unwrap()
            .id,
        d.id.to_string()
    );
    store
        .append(d.id, PortalEventKind::Notified, Actor::System)
        .unwrap();
    store
        .append(
            d.id,
            PortalEventKind::Opened,
            Actor::Client("ip:0a1b2c".into()),
        )
        .unwrap();
    let kinds: Vec<_> = store
        .events(d.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["escrowed", "notified", "opened"]);
}

#[test]
fn revoke_destroys_the_stored_half_everywhere_in_the_live_store() {
    let rig = Rig::new();
    let store = rig.store();
    let d = deposit(
        &store,
        KeyMode::Link,
        rig.clock.now().plus(std::time::Duration::from_millis(DAY)),
        &message(),
    );
    let half_file = rig.dir.path().join(format!("portal/halves/{}.half", d.id));
    let half = std::fs::read(&half_file).unwrap();
    let wrapped: serde_json::Value = serde_json::from_slice(&half).unwrap();
    let wrapped = wrapped["stored"]["wrapped"].as_str().unwrap().to_string();
    let sealed = std::fs::read(
        rig.dir
            .path()
            .join(format!("portal/sealed/{}.sealed", d.id)),
    )
    .unwrap();

    rig.advance(1000);
    let rec = store.revoke(d.id, Actor::Admin).unwrap();
    assert_eq!(
        rec.state,
        EscrowState::Revoked {
            at: rig.clock.now()
        }
    );
    assert!(matches!(
        store.read(d.id, Some(&d.link_half)),
        Err(PortalError::Revoked)
    ));
    assert!(!half_file.exists());
    for (path, bytes) in all_files(rig.dir.path()) {
        assert!(
            !contains(&bytes, wrapped.as_bytes()),
            "wrapped half still in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, &hex::decode(&wrapped).unwrap()),
            "half bytes in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, &sealed[..64]),
            "sealed copy still in {}",
            path.display()
        );
    }
    let kinds: Vec<_> = store
        .events(d.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["escrowed", "revoked"]);
    // Revoking again changes nothing.
    assert_eq!(store.revoke(d.id, Actor::Admin).unwrap().events, 2);
}

#[test]
fn expiry_is_noticed_on_read_and_by_the_sweep() {
    let rig = Rig::new();
    let store = rig.store();
    let minute = rig.clock.now().plus(std::time::Duration::from_secs(60));
    let a = deposit(&store, KeyMode::Link, minute, &message());
    let b = deposit(&store, KeyMode::Server, minute, &message());
    assert!(store.read(a.id, Some(&a.link_half)).is_ok());
    assert!(store.expire_due().unwrap().is_empty());
    rig.advance(60_000);
    assert!(matches!(
        store.read(a.id, Some(&a.link_half)),
        Err(PortalError::Expired)
    ));
    assert_eq!(
        store.record(a.id).unwrap().state,
        EscrowState::Expired { at: minute }
    );
    assert_eq!(store.expire_due().unwrap(), vec![b.id]);
    assert!(matches!(store.read(b.id, None), Err(PortalError::Expired)));
    assert!(matches!(store.check(b.id), Err(PortalError::Expired)));
    let kinds: Vec<_> = store
        .events(b.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(kinds, ["escrowed", "expired"]);
    assert!(
        std::fs::read_dir(rig.dir.path().join("portal/sealed"))
            .unwrap()
            .next()
            .is_none()
    );
    assert!(
        std::fs::read_dir(rig.dir.path().join("portal/halves"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn extend_moves_the_expiry_of_an_active_copy_only() {
    let rig = Rig::new();
    let store = rig.store();
    let d = deposit(
        &store,
        KeyMode::Link,
        rig.clock.now().plus(std::time::Duration::from_secs(60)),
        &message(),
    );
    assert!(matches!(
        store.extend(d.id, rig.clock.now(), Actor::Admin),
        Err(PortalError::Conflict(_))
    ));
    let later = rig
        .clock
        .now()
        .plus(std::time::Duration::from_millis(7 * DAY));
    assert_eq!(
        store.extend(d.id, later, Actor::Admin).unwrap().expires,
        later
    );
    rig.advance(120_000);
    assert!(
        store.read(d.id, Some(&d.link_half)).is_ok(),
        "the old expiry no longer applies"
    );
    store.revoke(d.id, Actor::Sender).unwrap();
    assert!(matches!(
        store.extend(d.id, later, Actor::Admin),
        Err(PortalError::Revoked)
    ));
}

#[test]
fn server_mode_keeps_the_link_half_link_mode_does_not() {
    let rig = Rig::new();
    let store = rig.store();
    let far = rig.clock.now().plus(std::time::Duration::from_millis(DAY));
    let s = deposit(&store, KeyMode::Server, far, &message());
    assert_eq!(
        store.server_link_half(s.id).unwrap().as_bytes(),
        s.link_half.as_bytes()
    );
    assert!(store.read(s.id, None).unwrap().html.contains(CANARY));
    let l = deposit(&store, KeyMode::Link, far, &message());
    assert!(matches!(
        store.server_link_half(l.id),
        Err(PortalError::Conflict(_))
    ));
}

#[test]
fn the_store_alone_opens_nothing_and_holds_no_canary_in_clear() {
    let rig = Rig::new();
    let ids: Vec<_> = {
        let store = rig.store();
        let far = rig.clock.now().plus(std::time::Duration::from_millis(DAY));
        (0..3)
            .map(|_| deposit(&store, KeyMode::Link, far, &message()).id)
            .collect()
        // The deposits (and their link halves) are dropped here: only the store remains.
    };
    // Someone holding the data dir, the master key and the database, but no link.
    let store = rig.store();
    assert_eq!(store.list().unwrap().len(), 3);
    for id in &ids {
        assert!(store.read(*id, None).is_err());
        assert!(store.read(*id, Some(&Half::from_bytes([0; 32]))).is_err());
    }
    for (path, bytes) in all_files(rig.dir.path()) {
        assert!(
            !contains(&bytes, CANARY.as_bytes()),
            "canary in clear in {}",
            path.display()
        );
        assert!(
            !contains(&bytes, b"Lab results"),
            "subject in clear in {}",
            path.display()
        );
    }
}

#[test]
fn recovery_removes_what_a_crash_left_behind() {
    let rig = Rig::new();
    let kept = {
        let store = rig.store();
        deposit(
            &store,
            KeyMode::Link,
            rig.clock.now().plus(std::time::Duration::from_millis(DAY)),
            &message(),
        )
    };
    let sealed = rig.dir.path().join("portal/sealed");
    let orphan = sealed.join(format!("{}.sealed", "ab".repeat(16)));
    std::fs::write(&orphan, b"left by a crash").unwrap();
    std::fs::write(sealed.join("0123.tmp"), b"half written").unwrap();
    let store = rig.store();
    assert!(!orphan.exists());
    assert!(!sealed.join("0123.tmp").exists());
    assert!(store.read(kept.id, Some(&kept.link_half)).is_ok());
}

#[test]
fn the_observer_sees_each_committed_event_with_its_tenant_and_nothing_else() {
    let rig = Rig::new();
    let store = rig.store();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<(String, &'static str)>::new()));
    let sink = seen.clone();
    assert!(
        store.set_observer(Arc::new(move |tenant: &str, kind: &PortalEventKind| {
            sink.lock().unwrap().push((tenant.to_string(), kind.name()));
        }))
    );
    assert!(!store.set_observer(Arc::new(|_: &str, _: &PortalEventKind| {})));
    let now = rig.clock.now();
    let kept = deposit(
        &store,
        KeyMode::Link,
        Timestamp(now.millis() + DAY),
        &message(),
    );
    let short = deposit(
        &store,
        KeyMode::Link,
        Timestamp(now.millis() + 60_000),
        &message(),
    );
    store
        .append(kept.id, PortalEventKind::CodeFailed, Actor::System)
        .unwrap();
    store
        .append(kept.id, PortalEventKind::CodeLocked, Actor::System)
        .unwrap();
    store.revoke(kept.id, Actor::Admin).unwrap();
    rig.advance(60_000);
    assert_eq!(store.expire_due().unwrap(), [short.id]);
    let seen = seen.lock().unwrap().clone();
    let kinds: Vec<&str> = seen.iter().map(|(_, k)| *k).collect();
    assert_eq!(
        kinds,
        [
            "escrowed",
            "escrowed",
            "code-failed",
            "code-locked",
            "revoked",
            "expired"
        ]
    );
    assert!(seen.iter().all(|(t, _)| t == "clinic"), "{seen:?}");
}
