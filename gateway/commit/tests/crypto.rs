//! Encryption at rest: round trip, binding to the message id, tamper detection, rotation, and
//! the master key file.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use sealgate_commit::{CommitError, MasterKeys, OsRandom, Spool, crypto};
use sealgate_core::store::{QueueStore, StoreError};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

#[test]
fn sealed_blob_round_trips_and_binds_its_context() {
    let keys = keys1();
    let blob = crypto::seal(&keys, &OsRandom, b"ctx-a", b"secret text").unwrap();
    assert_eq!(&blob[..8], crypto::MAGIC);
    assert_eq!(crypto::key_id_of(&blob).unwrap(), "k1");
    assert_eq!(
        crypto::open(&keys, b"ctx-a", blob.clone()).unwrap(),
        b"secret text"
    );
    assert!(matches!(
        crypto::open(&keys, b"ctx-b", blob.clone()),
        Err(CommitError::Crypto(_))
    ));
    let other = MasterKeys::new("k1", key(9)).unwrap();
    assert!(crypto::open(&other, b"ctx-a", blob).is_err());
    // Empty plaintext works too.
    let empty = crypto::seal(&keys, &OsRandom, b"c", b"").unwrap();
    assert_eq!(crypto::open(&keys, b"c", empty).unwrap(), b"");
}

#[test]
fn bodies_swapped_between_messages_fail_to_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    // Bodies in files.
    let a = message(T0, 1, &large_body("body of a"));
    let b = message(T0, 1, &large_body("body of b"));
    spool.commit(&a).unwrap();
    spool.commit(&b).unwrap();
    let (pa, pb) = (spool.body_path(a.id), spool.body_path(b.id));
    let (ba, bb) = (fs::read(&pa).unwrap(), fs::read(&pb).unwrap());
    fs::write(&pa, &bb).unwrap();
    fs::write(&pb, &ba).unwrap();
    assert!(matches!(spool.body(a.id), Err(StoreError::Crypto(_))));
    assert!(matches!(spool.body(b.id), Err(StoreError::Crypto(_))));
    // Bodies in the database.
    let c = message(T0, 1, b"body of c");
    let d = message(T0, 1, b"body of d");
    spool.commit(&c).unwrap();
    spool.commit(&d).unwrap();
    drop(spool);
    let (sc, sd) = (
        stored_body(dir.path(), c.id).unwrap(),
        stored_body(dir.path(), d.id).unwrap(),
    );
    put_stored_body(dir.path(), c.id, &sd);
    put_stored_body(dir.path(), d.id, &sc);
    let spool = open(dir.path(), TestClock::at(T0));
    assert!(matches!(spool.body(c.id), Err(StoreError::Crypto(_))));
    assert!(matches!(spool.body(d.id), Err(StoreError::Crypto(_))));
}

#[test]
fn any_tampered_byte_of_a_body_in_the_database_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let m = message(T0, 1, b"do not change me");
    open(dir.path(), TestClock::at(T0)).commit(&m).unwrap();
    let original = stored_body(dir.path(), m.id).unwrap();
    assert!(
        !original.windows(6).any(|w| w == b"change"),
        "body stored in clear"
    );
    // Every position: magic, version, key id, wrapped key, nonce, ciphertext, tag.
    let tampered = (0..original.len()).map(|i| {
        let mut bad = original.clone();
        bad[i] ^= 0x01;
        (format!("flip at byte {i}"), bad)
    });
    let truncated = (
        "truncation".to_string(),
        original[..original.len() - 1].to_vec(),
    );
    for (what, bad) in tampered.chain([truncated]) {
        put_stored_body(dir.path(), m.id, &bad);
        let spool = open(dir.path(), TestClock::at(T0));
        assert!(spool.body(m.id).is_err(), "{what} went unnoticed");
    }
    put_stored_body(dir.path(), m.id, &original);
    let spool = open(dir.path(), TestClock::at(T0));
    assert_eq!(&*spool.body(m.id).unwrap(), b"do not change me");
}

#[test]
fn a_tampered_byte_of_a_body_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), TestClock::at(T0));
    let body = large_body("do not change me");
    let m = message(T0, 1, &body);
    spool.commit(&m).unwrap();
    let path = spool.body_path(m.id);
    let original = fs::read(&path).unwrap();
    assert!(
        !original.windows(16).any(|w| w == b"do not change me"),
        "body stored in clear"
    );
    // The header (magic, version, key id, wrapped key, nonce), samples of the ciphertext and
    // the tag: every byte of a 256 KiB body would take minutes.
    let n = original.len();
    let positions = (0..160).chain((160..n).step_by(4099)).chain(n - 20..n);
    for i in positions {
        let mut bad = original.clone();
        bad[i] ^= 0x01;
        fs::write(&path, &bad).unwrap();
        assert!(spool.body(m.id).is_err(), "flip at byte {i} went unnoticed");
    }
    fs::write(&path, &original[..n - 1]).unwrap();
    assert!(spool.body(m.id).is_err());
    fs::write(&path, &original).unwrap();
    assert_eq!(&*spool.body(m.id).unwrap(), &body[..]);
}

#[test]
fn rotation_keeps_old_bodies_readable_and_seals_new_ones_with_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(T0);
    let old = message(T0, 1, b"sealed with k1");
    {
        let spool = Spool::open(dir.path(), keys1(), clock.clone(), Arc::new(OsRandom)).unwrap();
        spool.commit(&old).unwrap();
    }
    let mut keys = keys1();
    keys.add("k2", key(2)).unwrap();
    keys.set_current("k2").unwrap();
    let spool = Spool::open(dir.path(), keys, clock.clone(), Arc::new(OsRandom)).unwrap();
    let new = message(T0, 1, b"sealed with k2");
    spool.commit(&new).unwrap();
    assert_eq!(&*spool.body(old.id).unwrap(), b"sealed with k1");
    assert_eq!(&*spool.body(new.id).unwrap(), b"sealed with k2");
    drop(spool);
    let id_of = |id| {
        crypto::key_id_of(&stored_body(dir.path(), id).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(id_of(old.id), "k1");
    assert_eq!(id_of(new.id), "k2");

    // Without k1, the old body no longer opens (and says so), the new one does.
    let only_k2 = MasterKeys::new("k2", key(2)).unwrap();
    let spool = Spool::open(dir.path(), only_k2, clock, Arc::new(OsRandom)).unwrap();
    assert!(matches!(spool.body(old.id), Err(StoreError::Crypto(_))));
    assert_eq!(&*spool.body(new.id).unwrap(), b"sealed with k2");
}

#[test]
fn key_file_is_generated_private_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("etc").join("sealgate").join("master.keys");
    let keys = MasterKeys::load_or_generate(&path).unwrap();
    assert_eq!(keys.current_id(), "k1");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let parent = path.parent().unwrap();
    assert_eq!(
        fs::metadata(parent).unwrap().permissions().mode() & 0o777,
        0o700
    );

    // Loading again gives the same key: a blob sealed before opens after.
    let blob = crypto::seal(&keys, &OsRandom, b"ctx", b"x").unwrap();
    let again = MasterKeys::load_or_generate(&path).unwrap();
    assert_eq!(crypto::open(&again, b"ctx", blob.clone()).unwrap(), b"x");

    let rotated = MasterKeys::rotate_file(&path).unwrap();
    assert_eq!(rotated.current_id(), "k2");
    let loaded = MasterKeys::load(&path).unwrap();
    assert_eq!(loaded.current_id(), "k2");
    assert_eq!(loaded.ids().collect::<Vec<_>>(), vec!["k1", "k2"]);
    assert_eq!(crypto::open(&loaded, b"ctx", blob).unwrap(), b"x");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let shown = format!("{:?}", keys1());
    assert!(
        shown.contains("k1") && !shown.contains("1, 1") && !shown.contains("0101"),
        "{shown}"
    );
}

#[test]
fn key_file_readable_by_others_is_refused_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.keys");
    fs::write(
        &path,
        format!("old {}\nnew {} current\n", "11".repeat(32), "22".repeat(32)),
    )
    .unwrap();
    for mode in [0o644, 0o640, 0o604, 0o660] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let err = MasterKeys::load_or_generate(&path).unwrap_err();
        assert!(matches!(err, CommitError::KeyFile { .. }), "{err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("group or others"), "{err}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let keys = MasterKeys::load(&path).unwrap();
    assert_eq!(
        keys.current_id(),
        "new",
        "the marked line wins over the last"
    );
}

#[test]
fn malformed_key_files_are_refused_without_echoing_key_material() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.keys");
    let secretish = "ab".repeat(31);
    for text in [
        String::new(),
        "# only comments\n".to_string(),
        format!("k1 {secretish}\n"),
        format!(
            "k1 {} current\nk2 {} current\n",
            "11".repeat(32),
            "22".repeat(32)
        ),
        format!("k1 {}\nk1 {}\n", "11".repeat(32), "22".repeat(32)),
        format!("bad/id {}\n", "11".repeat(32)),
    ] {
        let _ = fs::remove_file(&path);
        fs::write(&path, &text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = MasterKeys::load(&path).unwrap_err().to_string();
        assert!(
            !err.contains(&secretish) && !err.contains(&"11".repeat(32)),
            "{err}"
        );
    }
}
