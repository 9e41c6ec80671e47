//! The code step and sessions, driven by a test clock.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_commit::OsRandom;
use sealgate_core::time::{Clock, Timestamp};
use sealgate_portal::{CodeError, CodePolicy, Codes, EscrowId, Sessions};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct TestClock(AtomicU64);
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

fn rig() -> (Arc<TestClock>, Codes, EscrowId) {
    let clock = Arc::new(TestClock(AtomicU64::new(1_800_000_000_000)));
    let codes = Codes::new(CodePolicy::default(), clock.clone(), Arc::new(OsRandom));
    (clock, codes, EscrowId::generate(&OsRandom))
}

fn wrong_of(code: &str) -> String {
    let first = (code.as_bytes()[0] - b'0' + 1) % 10;
    format!("{first}{}", &code[1..])
}

#[test]
fn a_code_is_six_digits_and_works_once_in_its_own_session() {
    let (_, codes, e) = rig();
    let code = codes.issue(e, "s1", "addr:1", "ip:1").unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        codes.verify(e, "s2", &code),
        Err(CodeError::NoCode),
        "another browser"
    );
    assert_eq!(
        codes.verify(EscrowId::generate(&OsRandom), "s1", &code),
        Err(CodeError::NoCode),
        "another message"
    );
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert_eq!(codes.verify(e, "s1", &spaced), Ok(()));
    assert_eq!(
        codes.verify(e, "s1", &code),
        Err(CodeError::NoCode),
        "one use"
    );
}

#[test]
fn a_code_expires_after_ten_minutes() {
    let (clock, codes, e) = rig();
    let code = codes.issue(e, "s1", "addr:1", "ip:1").unwrap();
    clock.0.fetch_add(600_000, Ordering::SeqCst);
    assert_eq!(codes.verify(e, "s1", &code), Err(CodeError::Expired));
}

#[test]
fn five_wrong_codes_lock_the_message_for_every_session() {
    let (clock, codes, e) = rig();
    let code = codes.issue(e, "s1", "addr:1", "ip:1").unwrap();
    for left in (1..5).rev() {
        assert_eq!(
            codes.verify(e, "s1", &wrong_of(&code)),
            Err(CodeError::Wrong { left })
        );
    }
    let until = clock.now().plus(Duration::from_secs(1800));
    assert_eq!(
        codes.verify(e, "s1", &wrong_of(&code)),
        Err(CodeError::Locked { until })
    );
    assert_eq!(
        codes.verify(e, "s1", &code),
        Err(CodeError::Locked { until }),
        "even the right code"
    );
    assert_eq!(
        codes.issue(e, "s3", "addr:1", "ip:9").err(),
        Some(CodeError::Locked { until })
    );
    clock.0.fetch_add(1_800_000, Ordering::SeqCst);
    let fresh = codes.issue(e, "s3", "addr:1", "ip:9").unwrap();
    assert_eq!(codes.verify(e, "s3", &fresh), Ok(()));
}

#[test]
fn code_mails_are_limited_per_recipient_and_per_client() {
    let (clock, codes, _) = rig();
    for i in 0..5 {
        codes
            .issue(
                EscrowId::generate(&OsRandom),
                "s",
                "addr:r",
                &format!("ip:{i}"),
            )
            .unwrap();
    }
    assert_eq!(
        codes
            .issue(EscrowId::generate(&OsRandom), "s", "addr:r", "ip:new")
            .err(),
        Some(CodeError::RateLimited)
    );
    for i in 0..20 {
        codes
            .issue(
                EscrowId::generate(&OsRandom),
                "s",
                &format!("addr:{i}"),
                "ip:x",
            )
            .unwrap();
    }
    assert_eq!(
        codes
            .issue(EscrowId::generate(&OsRandom), "s", "addr:other", "ip:x")
            .err(),
        Some(CodeError::RateLimited)
    );
    clock.0.fetch_add(3_600_000, Ordering::SeqCst);
    assert!(
        codes
            .issue(EscrowId::generate(&OsRandom), "s", "addr:r", "ip:x")
            .is_ok(),
        "the hour slid by"
    );
}

#[test]
fn sessions_end_after_the_idle_time_and_check_csrf() {
    let clock = Arc::new(TestClock(AtomicU64::new(1_800_000_000_000)));
    let sessions = Sessions::new(Duration::from_secs(900), clock.clone(), Arc::new(OsRandom));
    let s = sessions.get_or_start(None);
    assert_ne!(s.id, s.csrf);
    assert_eq!(s.id.len(), 43);
    let e = EscrowId::generate(&OsRandom);
    assert!(!sessions.is_authenticated(&s.id, e));
    assert!(sessions.authenticate(&s.id, e));
    assert!(sessions.is_authenticated(&s.id, e));
    assert!(
        !sessions.is_authenticated(&s.id, EscrowId::generate(&OsRandom)),
        "per message"
    );
    assert!(sessions.check_csrf(&s.id, &s.csrf));
    assert!(!sessions.check_csrf(&s.id, &s.id));
    assert!(!sessions.check_csrf("unknown", &s.csrf));

    clock.0.fetch_add(899_000, Ordering::SeqCst);
    assert!(
        sessions.is_authenticated(&s.id, e),
        "activity keeps it alive"
    );
    clock.0.fetch_add(900_000, Ordering::SeqCst);
    assert!(!sessions.is_authenticated(&s.id, e), "idle logoff");
    assert!(sessions.touch(&s.id).is_none());
    let again = sessions.get_or_start(Some(&s.id));
    assert_ne!(again.id, s.id, "a fresh session, not the old one revived");
}
