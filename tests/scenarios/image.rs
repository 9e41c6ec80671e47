//! The container image (`deploy/container/`), built by `build-image.sh` with buildah from the
//! static binary and run by podman (vfs storage, runc) with a read-only root file system as the
//! image's unprivileged user: `/healthz`, `/readyz` and an SMTP `EHLO` answer; the image's
//! layer holds exactly the files of `deploy/container/FILES`; the OCI labels name version,
//! commit, source and licence.
//!
//! The static binary comes from `cargo build -p sealgate --profile image --target
//! x86_64-unknown-linux-gnu` with `RUSTFLAGS="-C target-feature=+crt-static"` (tests/run.sh
//! builds it first) or from `$SEALGATE_STATIC_BIN`. The container uses the host network and
//! binds 127.0.0.1:0 (read back from its READY line): no port mapping, no CNI needed.

use sealgate_tests::OrDie;
use sealgate_tests::smtp::Smtp;
use sealgate_tests::tools::{describe, http_get, require_tool, run};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TARGET: &str = "x86_64-unknown-linux-gnu";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn static_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SEALGATE_STATIC_BIN") {
        return PathBuf::from(p);
    }
    let bin = root().join("target").join(TARGET).join("image/sealgate");
    assert!(
        bin.is_file(),
        "{} is missing: build it with RUSTFLAGS=\"-C target-feature=+crt-static\" cargo build \
         -p sealgate --profile image --target {TARGET} (tests/run.sh does)",
        bin.display()
    );
    bin
}

/// podman (or buildah) on the test's own storage: vfs, runc, no systemd, no journald.
fn containers(tool: &str, store: &Path) -> Command {
    let mut c = Command::new(tool);
    c.arg("--root")
        .arg(store)
        .arg("--runroot")
        .arg(store.join("run"))
        .args(["--storage-driver", "vfs"]);
    if tool == "podman" {
        c.args(["--runtime", "runc", "--cgroup-manager", "cgroupfs"])
            .args(["--events-backend", "file"]);
    }
    c
}

fn build(store: &Path, tag: &str, archive: &Path) {
    let out = run(
        Command::new("bash")
            .arg(root().join("deploy/container/build-image.sh"))
            .arg("--binary")
            .arg(static_binary())
            .args(["--tag", tag, "--archive"])
            .arg(archive)
            .env("CONTAINERS_ROOT", store),
        Duration::from_secs(600),
    );
    assert!(out.status.success(), "build-image.sh: {}", describe(&out));
}

/// The OCI archive's manifest and image configuration, and its layers unpacked as listings.
fn read_archive(archive: &Path, dir: &Path) -> (serde_json::Value, Vec<String>) {
    let out = run(
        Command::new("tar")
            .arg("-xf")
            .arg(archive)
            .arg("-C")
            .arg(dir),
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "untar archive: {}", describe(&out));
    let blob = |digest: &str| {
        dir.join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let json = |p: PathBuf| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(&p).or_die("read blob")).or_die("blob json")
    };
    let index = json(dir.join("index.json"));
    let manifest = json(blob(
        index["manifests"][0]["digest"].as_str().or_die("manifest"),
    ));
    let config = json(blob(manifest["config"]["digest"].as_str().or_die("config")));
    let mut entries = Vec::new();
    for layer in manifest["layers"].as_array().or_die("layers") {
        let path = blob(layer["digest"].as_str().or_die("layer digest"));
        let out = run(
            Command::new("tar")
                .args(["--numeric-owner", "-tvzf"])
                .arg(path),
            Duration::from_secs(120),
        );
        assert!(out.status.success(), "list layer: {}", describe(&out));
        entries.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(listing_entry),
        );
    }
    (config, entries)
}

/// `drwx------ 65532/65532 0 2026-12-03 13:26 var/lib/sealgate/` → `var/lib/sealgate d 0700 65532:65532`.
fn listing_entry(line: &str) -> String {
    let f: Vec<&str> = line.split_whitespace().collect();
    let (perm, owner, path) = (f[0], f[1], f[f.len() - 1]);
    let kind = if perm.starts_with('d') { "d" } else { "f" };
    let mut mode = 0u32;
    for (i, c) in perm[1..10].chars().enumerate() {
        if c != '-' {
            mode |= 1 << (8 - i);
        }
    }
    format!(
        "{} {kind} {mode:04o} {}",
        path.trim_end_matches('/'),
        owner.replace('/', ":")
    )
}

fn listed_files() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("deploy/container/FILES")).or_die("FILES");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Limits podman may set here: at most the current hard limits (raising one needs
/// CAP_SYS_RESOURCE, which this machine's root lacks).
fn ulimit_args() -> Vec<String> {
    let limits = std::fs::read_to_string("/proc/self/limits").or_die("limits");
    let hard = |name: &str| -> u64 {
        let line = limits.lines().find(|l| l.starts_with(name)).or_die(name);
        let v = line[name.len()..]
            .split_whitespace()
            .nth(1)
            .or_die("hard limit");
        v.parse().unwrap_or(u64::MAX)
    };
    let nofile = hard("Max open files").min(8192);
    let nproc = hard("Max processes").min(4096);
    vec![
        format!("--ulimit=nofile={nofile}:{nofile}"),
        format!("--ulimit=nproc={nproc}:{nproc}"),
    ]
}

struct Running {
    child: Child,
    name: String,
    smtp: SocketAddr,
    admin: SocketAddr,
}

/// The spool volume: a host directory owned by the image's user, as a volume would be.
fn data_volume(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir(dir).or_die("mkdir data");
    std::os::unix::fs::chown(dir, Some(65532), Some(65532)).or_die("chown data");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).or_die("chmod data");
    format!("{}:/var/lib/sealgate:rw", dir.display())
}

fn start(store: &Path, data: &Path, tag: &str, name: &str) -> Running {
    let mut cmd = containers("podman", store);
    cmd.args(["run", "--rm", "--name", name, "--read-only"])
        .args(["--network", "host", "--user", "65532:65532"])
        .args(["--volume", &data_volume(data)])
        .args(ulimit_args())
        .arg(tag)
        .args(["serve", "--config", "/etc/sealgate/sealgate.toml"])
        .args([
            "--smtp-listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().or_die("start podman run");
    let stdout = child.stdout.take().or_die("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let Ok(ready) = rx.recv_timeout(Duration::from_secs(120)) else {
        let _ = child.kill();
        let out = child.wait_with_output().or_die("podman output");
        panic!("no READY line from the container: {}", describe(&out));
    };
    let v: serde_json::Value =
        serde_json::from_str(ready.strip_prefix("READY ").or_die("READY line")).or_die("json");
    let addr =
        |s: &serde_json::Value| -> SocketAddr { s.as_str().or_die("addr").parse().or_die("addr") };
    Running {
        smtp: addr(&v["smtp"][0]),
        admin: addr(&v["admin"]),
        child,
        name: name.to_owned(),
    }
}

fn inspect(store: &Path, name: &str, format: &str) -> String {
    let out = run(
        containers("podman", store).args(["inspect", "--format", format, name]),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "podman inspect: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn the_image_holds_only_its_files_and_serves_read_only_as_an_unprivileged_user() {
    for tool in ["buildah", "podman", "runc", "tar", "readelf"] {
        require_tool(tool);
    }
    let tmp = tempfile::tempdir().or_die("tempdir");
    let store = tmp.path().join("storage");
    let tag = format!("localhost/sealgate-test:{}", std::process::id());
    let archive = tmp.path().join("sealgate.oci.tar");
    build(&store, &tag, &archive);

    let unpacked = tmp.path().join("oci");
    std::fs::create_dir(&unpacked).or_die("mkdir");
    let (config, entries) = read_archive(&archive, &unpacked);
    let found: BTreeSet<String> = entries.into_iter().collect();
    assert_eq!(
        found,
        listed_files(),
        "the image's files differ from deploy/container/FILES"
    );
    let c = &config["config"];
    assert_eq!(c["User"], "65532:65532");
    let env: Vec<&str> = c["Env"]
        .as_array()
        .or_die("Env")
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(env.contains(&"SEALGATE_OCR=off"), "{env:?}");
    let labels = &c["Labels"];
    for key in ["version", "revision", "source", "licenses"] {
        let v = labels[format!("org.opencontainers.image.{key}")]
            .as_str()
            .unwrap_or("");
        assert!(!v.is_empty() && v != "unknown", "label {key}: {labels}");
    }
    assert_eq!(labels["org.opencontainers.image.licenses"], "Apache-2.0");

    let name = format!("sealgate-test-{}", std::process::id());
    let mut gw = start(&store, &tmp.path().join("data"), &tag, &name);
    assert_eq!(
        inspect(&store, &name, "{{.HostConfig.ReadonlyRootfs}}"),
        "true"
    );
    let pid = inspect(&store, &name, "{{.State.Pid}}");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).or_die("status");
    let uid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .or_die("Uid line");
    assert!(
        uid.split_whitespace().skip(1).all(|u| u == "65532"),
        "{uid}"
    );
    for (path, want) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let (code, body) = http_get(gw.admin, path, None, Duration::from_secs(30)).or_die(path);
        assert_eq!(code, 200, "{path}");
        assert!(
            String::from_utf8_lossy(&body).contains(want),
            "{path}: {body:?}"
        );
    }
    let mut smtp = Smtp::open(gw.smtp);
    let ehlo = smtp.cmd("EHLO client.test");
    assert_eq!(ehlo.code, 250, "{ehlo}");
    assert!(ehlo.text().contains("STARTTLS"), "{ehlo}");
    smtp.cmd("QUIT");

    let stop = run(
        containers("podman", &store).args(["stop", "--time", "60", &gw.name]),
        Duration::from_secs(90),
    );
    assert!(stop.status.success(), "podman stop: {}", describe(&stop));
    let status = gw.child.wait().or_die("podman run exit");
    assert!(
        status.success(),
        "the gateway did not stop cleanly on SIGTERM: {status:?}"
    );
    let _ = run(
        containers("podman", &store).args(["rmi", "-f", &tag]),
        Duration::from_secs(60),
    );
}

/// The Containerfile (for Docker users; no daemon runs here) installs the same files, with the
/// same modes, as build-image.sh: both against FILES.
#[test]
fn the_containerfile_installs_the_listed_files() {
    let text =
        std::fs::read_to_string(root().join("deploy/container/Containerfile")).or_die("read");
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "install") else {
            continue;
        };
        let mode = words.iter().position(|w| *w == "-m").map(|i| words[i + 1]);
        let dest = words.iter().rev().find(|w| w.starts_with("/rootfs/"));
        let (Some(mode), Some(dest)) = (mode, dest) else {
            continue;
        };
        let kind = if words[at..].contains(&"-d") {
            "d"
        } else {
            "f"
        };
        let owner = if words.contains(&"65532") {
            "65532:65532"
        } else {
            "0:0"
        };
        let path = dest.trim_start_matches("/rootfs/");
        found.insert(format!("{path} {kind} {mode} {owner}"));
    }
    let listed: BTreeSet<String> = listed_files()
        .into_iter()
        .filter(|l| l.split(' ').nth(1) == Some("f") || l.contains("65532"))
        .collect();
    assert_eq!(
        found, listed,
        "Containerfile and deploy/container/FILES disagree"
    );
}
