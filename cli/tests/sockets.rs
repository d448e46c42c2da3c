//! WasmEdge's socket API end to end: `tests/fixtures/wasi/net.c` under the built `wasmedge`, talking over
//! loopback to another `wasmedge`, to this test, or to itself. Every wait is bounded: a hung guest fails
//! the test instead of hanging it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

const LIMIT: Duration = Duration::from_secs(60);

fn net_wasm() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi/net.wasm").to_str().unwrap().to_string()
}

/// `wasmedge [flags] net.wasm args...`, with `WASMEDGE_TEST_FLAG` (the compiler re-run) added.
fn command(flags: &[&str], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmedge"));
    if let Ok(flag) = std::env::var("WASMEDGE_TEST_FLAG") {
        cmd.arg(flag);
    }
    cmd.args(flags).arg(net_wasm()).args(args);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// Wait for `child` at most `LIMIT`, killing it if it overstays.
fn finish(mut child: Child, stdout_rest: Option<mpsc::Receiver<String>>) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > LIMIT {
            child.kill().unwrap();
            let o = child.wait_with_output().unwrap();
            panic!("guest did not finish in {LIMIT:?}: {}", String::from_utf8_lossy(&o.stderr));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut o = child.wait_with_output().unwrap();
    if let Some(rest) = stdout_rest {
        o.stdout = rest.recv_timeout(LIMIT).unwrap().into_bytes();
    }
    o
}

fn run(flags: &[&str], args: &[&str]) -> Output {
    finish(command(flags, args).spawn().unwrap(), None)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Start a server guest and read its "listening PORT" line; the rest of its stdout arrives on the channel.
fn server(flags: &[&str], args: &[&str]) -> (Child, u16, mpsc::Receiver<String>) {
    let mut child = command(flags, args).spawn().unwrap();
    let stdout: ChildStdout = child.stdout.take().unwrap();
    let (port_tx, port_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let _ = port_tx.send(line.clone());
        let mut rest = String::new();
        reader.read_to_string(&mut rest).unwrap();
        let _ = rest_tx.send(rest);
    });
    let line = match port_rx.recv_timeout(LIMIT) {
        Ok(line) => line,
        Err(_) => {
            child.kill().unwrap();
            panic!("the server guest did not start listening: {}", err(&child.wait_with_output().unwrap()));
        }
    };
    let port = line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (child, port.parse().unwrap(), rest_rx)
}

#[test]
fn tcp_echo_between_two_wasmedge_processes() {
    let (srv, port, rest) = server(&[], &["echo-server", "0", "2"]);
    for msg in ["hello over tcp", "second connection"] {
        let client = run(&[], &["echo-client", &port.to_string(), msg]);
        assert!(client.status.success(), "{}{}", out(&client), err(&client));
        assert_eq!(out(&client), format!("echo: {msg}\n"));
    }
    let srv = finish(srv, Some(rest));
    assert!(srv.status.success(), "{}", err(&srv));
}

#[test]
fn http_get_served_by_a_guest() {
    let (srv, port, rest) = server(&[], &["http-server", "0"]);
    let resp = ureq::get(&format!("http://127.0.0.1:{port}/index.html")).timeout(LIMIT).call().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.header("content-type"), Some("text/plain"));
    assert_eq!(resp.into_string().unwrap(), "hello from wasm: /index.html\n");
    let srv = finish(srv, Some(rest));
    assert!(srv.status.success(), "{}", err(&srv));
    assert_eq!(out(&srv), "served /index.html\n");
}

#[test]
fn udp_send_to_and_recv_from_with_the_v2_signature() {
    let o = run(&[], &["udp"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let text = out(&o);
    let first = text.lines().next().unwrap();
    // "udp: got 'ping' (4 bytes) from 127.0.0.1:P, family 1; sender port P": the port comes back in host
    // byte order (WasmEdge gives sock_recv_from_v2's port in network byte order).
    let (got, sender) = first.split_once("; sender port ").unwrap();
    assert!(got.starts_with("udp: got 'ping' (4 bytes) from 127.0.0.1:"), "{first}");
    assert!(got.ends_with(&format!(":{sender}, family 1")), "{first}");
    assert_eq!(text.lines().nth(1), Some("udp: truncated read 4 bytes, roflags 1"), "{text}");
}

#[test]
fn getaddrinfo_finds_localhost() {
    let o = run(&[], &["getaddrinfo", "localhost", "80"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.lines()
            .any(|l| l == "addr inet4 127.0.0.1 port 80 socktype 2"
                || l == "addr inet6 0:0:0:0:0:0:0:1 port 80 socktype 2"),
        "{text}"
    );
    let o = run(&[], &["getaddrinfo", "no-such-host.invalid", "80"]);
    // EAI_NONAME (84), or EAI_AGAIN (78) where no resolver answers.
    assert!(out(&o).contains("error: sock_getaddrinfo: errno 84") || out(&o).contains("errno 78"), "{}", out(&o));
}

#[test]
fn a_thousand_connections_polled_at_once() {
    const N: usize = 1000;
    // This process holds N client sockets too.
    let mut limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    limit.current = limit.maximum;
    let _ = rustix::process::setrlimit(rustix::process::Resource::Nofile, limit);
    let (srv, port, rest) = server(&[], &["many", "0", &N.to_string()]);
    let start = Instant::now();
    let mut conns: Vec<TcpStream> = (0..N).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        c.set_read_timeout(Some(LIMIT)).unwrap();
        c.write_all(&[(i % 251) as u8]).unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let mut b = [0u8];
        c.read_exact(&mut b).unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert_eq!(b[0], (i % 251) as u8);
    }
    let elapsed = start.elapsed();
    drop(conns);
    let srv = finish(srv, Some(rest));
    assert!(srv.status.success(), "{}", err(&srv));
    assert_eq!(out(&srv), format!("served {N} with {N} connections open at once\n"));
    assert!(elapsed < LIMIT, "{elapsed:?}");
}

#[test]
fn a_peer_that_resets_the_connection() {
    let o = run(&[], &["reset"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("linger: on 1, 0 s (size 8)\n"), "{text}");
    assert!(text.contains("recv after reset: errno 15\n"), "ECONNRESET: {text}");
}

#[test]
fn errno_values_as_wasmedge_gives_them() {
    let o = run(&[], &["errors"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert_eq!(
        out(&o),
        "addrinuse 3\nconnrefused 14\nbadaddrlen 28\nwouldblock 6 (nonblocking 1)\nnotsock 57\nbadf 8\nafunix 52\n\
         badfamily 28\nfault 21\n"
    );
}

#[test]
fn af_unix_only_with_allow_af_unix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    let path = path.to_str().unwrap();
    let o = run(&["--allow-af-unix"], &["unix", path]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert_eq!(out(&o), format!("unix: over unix (family 3, path {path})\n"));
    let o = run(&[], &["unix", path]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "error: sock_open unix: errno 52\n");
}

#[test]
fn the_network_policy_refuses_what_it_does_not_allow() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let allowed = format!("--allow-net=127.0.0.1:{port}");
    let o = run(&[&allowed], &["connect", &port]);
    assert_eq!(out(&o), "connect: errno 0\n", "{}", err(&o));
    for flags in [&["--allow-net=10.0.0.0/8,[::1]"][..], &[&allowed, "--deny-net=127.0.0.0/8"][..]] {
        let o = run(flags, &["connect", &port]);
        assert_eq!(out(&o), "connect: errno 2\n", "EACCES with {flags:?}");
        assert!(err(&o).contains(&format!("network policy: refused connect to 127.0.0.1:{port}")), "{}", err(&o));
    }
    // The guest's own listener is a bind: refused too when not allowed (the tool binds 127.0.0.1:0).
    let o = run(&["--deny-net=*"], &["errors"]);
    assert_eq!(out(&o), "error: sock_bind: errno 2\n");
    let o = run(&["--allow-net=localhost"], &["errors"]);
    assert_eq!(o.status.code(), Some(1), "a bad rule is a usage error");
    assert!(err(&o).contains("bad network rule `localhost`"), "{}", err(&o));
}

#[test]
fn every_socket_test_passes_under_the_compiler() {
    common::rerun_under_the_compiler("every_socket_test_passes_under_the_compiler");
}

#[test]
fn ipv6_tcp_and_udp_over_loopback() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this host has no IPv6 loopback (::1)");
        return;
    }
    let o = run(&[], &["ipv6"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert_eq!(out(&o), "tcp6: over ipv6 (type 6, family 2, ports match 1, ::1 1)\nudp6: ping6 from ::1 1\n");
}
