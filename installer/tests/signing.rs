//! Signed releases: `SHA256SUMS.sig` made by `release.sh` with an OpenSSL Ed25519 key, checked by the
//! installer (`--public-key`) and by `install.sh` (with `openssl pkeyutl`) — including the attack the
//! checksums alone cannot see: archive, checksums and index all replaced consistently.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// An Ed25519 key pair made by OpenSSL: (private, public) PEM files.
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (key, public) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.pub.pem")));
    let s = Command::new("openssl").args(["genpkey", "-algorithm", "ed25519", "-out"]).arg(&key).status().unwrap();
    assert!(s.success());
    let s =
        Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&key).arg("-out").arg(&public).status().unwrap();
    assert!(s.success());
    (key, public)
}

fn check(o: &std::process::Output, success: bool, what: &str) {
    assert_eq!(o.status.success(), success, "{}", text(o));
    assert!(text(o).contains(what), "expected `{what}` in:\n{}", text(o));
}

#[test]
fn signed_releases_are_checked_by_the_installer_and_install_sh() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, public) = keypair(tmp.path(), "release");
    let (_, other) = keypair(tmp.path(), "other");
    let rel = tmp.path().join("rel");
    release_signed(&rel, OLD, Some(&key));
    assert_eq!(std::fs::metadata(rel.join(OLD).join("SHA256SUMS.sig")).unwrap().len(), 64);
    let base = format!("file://{}", rel.display());
    let pk = public.to_str().unwrap();

    let home = Home::new();
    check(
        &home.installer(&["--plugins", "wasi_crypto", "--base-url", &base, "--public-key", pk, "-V"]),
        true,
        "SHA256SUMS: signature verified",
    );
    let o = home.installer(&["--base-url", &base, "--public-key", other.to_str().unwrap()]);
    check(&o, false, "does not verify with the given public key; nothing was installed");
    // Without a key the installer says what it did not check.
    check(&home.installer(&["--base-url", &base]), true, "the release's signature is not");

    // install.sh checks the signature itself before running the installer, then passes the key on.
    let h2 = Home::new();
    let o = h2
        .command("dash")
        .arg(repo().join("installer/install.sh"))
        .args(["--base-url", &base, "--public-key", pk, "-V"])
        .output()
        .unwrap();
    check(&o, true, "signature verified");
    let o = h2
        .command("dash")
        .arg(repo().join("installer/install.sh"))
        .args(["--base-url", &base, "--public-key", other.to_str().unwrap()])
        .output()
        .unwrap();
    check(&o, false, "install.sh: error: the signature of 0.15.0/SHA256SUMS does not verify with");

    // Everything replaced consistently (archive, SHA256SUMS, index): only the signature tells.
    let installer = format!("wasmedge-installer-linux-{}", host_arch());
    republish(&rel, OLD, &runtime_archive(&rel, OLD), b"not the real runtime");
    republish(&rel, OLD, &installer, b"#!/bin/sh\necho pwned\n");
    let h3 = Home::new();
    check(&h3.installer(&["--base-url", &base, "--public-key", pk]), false, "does not verify");
    let o = h3
        .command("dash")
        .arg(repo().join("installer/install.sh"))
        .args(["--base-url", &base, "--public-key", pk])
        .output()
        .unwrap();
    check(&o, false, "install.sh: error: the signature of 0.15.0/SHA256SUMS does not verify");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("pwned"));
    assert!(!h3.install_dir().exists());
}

#[test]
fn an_unsigned_release_is_refused_when_a_key_is_given_and_a_resigned_one_drops_a_stale_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, public) = keypair(tmp.path(), "release");
    let home = Home::new();
    let base = format!("file://{}", releases().display());
    check(
        &home.installer(&["--base-url", &base, "--public-key", public.to_str().unwrap()]),
        false,
        "release 0.16.0 is not signed",
    );
    assert!(!home.install_dir().exists());
    // Releasing again without the key removes the signature of the earlier SHA256SUMS.
    let (key, _) = keypair(tmp.path(), "k2");
    let rel = tmp.path().join("rel");
    release_signed(&rel, OLD, Some(&key));
    release_signed(&rel, OLD, None);
    assert!(!rel.join(OLD).join("SHA256SUMS.sig").exists());
}
