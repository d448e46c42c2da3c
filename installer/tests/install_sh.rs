//! `install.sh` and `uninstall.sh` run by dash (POSIX sh, no bashisms), over HTTP and `file://`.

mod common;

use common::server::Server;
use common::*;

fn dash(home: &Home, script: &str, args: &[&str]) -> std::process::Output {
    home.command("dash").arg(repo().join("installer").join(script)).args(args).output().unwrap()
}

#[test]
fn install_sh_fetches_checks_and_runs_the_installer_and_uninstall_sh_undoes_it() {
    let server = Server::start(releases());
    let home = Home::new();
    let o = dash(&home, "install.sh", &["--plugins", "wasi_crypto", "--base-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    // No -v: the script asked index.toml for the newest version and passed it on.
    assert!(text(&o).contains(&format!("installing wasmedge {NEW}")), "{}", text(&o));
    assert!(text(&o).contains("(plugin \"wasi_crypto\")"), "{}", text(&o));
    let o = home.wasmedge(&[&crypto_guest(), "selftest"]);
    assert!(o.status.success() && text(&o).contains(" passed, 0 failed"), "{}", text(&o));
    // -p with a file:// location and an explicit version.
    let p = home.path().join("opt/we");
    let file_url = format!("file://{}", releases().display());
    let o = dash(&home, "install.sh", &["-v", OLD, "-p", p.to_str().unwrap(), "--base-url", &file_url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(p.join("bin/wasmedge").exists());
    let o = dash(&home, "uninstall.sh", &["-p", p.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!p.exists());
    let o = dash(&home, "uninstall.sh", &["-q"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!home.install_dir().exists());
    let left: Vec<_> = std::fs::read_dir(home.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, ["opt"], "only the empty parent the test named remains");
}

#[test]
fn install_sh_refuses_a_tampered_installer_and_unknown_versions() {
    let rel = releases_copy();
    let home = Home::new();
    let installer = rel.path().join(NEW).join(format!("wasmedge-installer-linux-{}", host_arch()));
    let mut bytes = std::fs::read(&installer).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(&installer, bytes).unwrap();
    let server = Server::start(rel.path());
    let o = dash(&home, "install.sh", &["--base-url", &server.url]);
    assert!(!o.status.success());
    assert!(text(&o).contains("does not match SHA256SUMS"), "{}", text(&o));
    assert!(!home.install_dir().exists());
    let o = dash(&home, "install.sh", &["-v", "9.9.9", "--base-url", &server.url]);
    assert!(!o.status.success());
    assert!(text(&o).contains("could not download"), "{}", text(&o));
    let o = dash(&home, "uninstall.sh", &["-q"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("is not an installation made by wasmedge-installer"), "{}", text(&o));
}

#[test]
fn the_scripts_parse_under_dash() {
    for script in ["install.sh", "uninstall.sh", "release.sh"] {
        let o =
            std::process::Command::new("dash").arg("-n").arg(repo().join("installer").join(script)).output().unwrap();
        assert!(o.status.success(), "{script}: {}", text(&o));
    }
    // Help needs no network.
    let o = std::process::Command::new("dash").arg(repo().join("installer/install.sh")).arg("-h").output().unwrap();
    assert!(o.status.success() && text(&o).contains("--plugins P..."), "{}", text(&o));
}
