//! End to end with a real containerd (Debian's `containerd` and `ctr`): a private containerd (root, state
//! and socket in a temporary directory, started here and stopped by its PID) finds our shim on its PATH
//! for runtime `io.containerd.wasmedge.v1`, imports images from the image builder, and runs them with
//! `ctr`. Needs root and containerd; says why it skipped otherwise.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use containerd_shim_wasmedge::image::{ImageSpec, write_image};

const NAMESPACE: &str = "wasmedge-test";
const RUNTIME: &str = "io.containerd.wasmedge.v1";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/wasi").join(name)).unwrap()
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Why this machine cannot run the test, if it cannot.
fn unavailable() -> Option<String> {
    if !rustix::process::geteuid().is_root() {
        return Some("containers need root".into());
    }
    for tool in ["containerd", "ctr"] {
        if !on_path(tool) {
            return Some(format!("{tool} is not installed (apt-get install containerd)"));
        }
    }
    None
}

struct Containerd {
    dir: tempfile::TempDir,
    child: Child,
}

impl Containerd {
    fn start() -> Containerd {
        let dir = tempfile::Builder::new().prefix("ctrd").tempdir_in("/tmp").unwrap();
        let d = dir.path();
        let config = format!(
            "version = 2\nroot = \"{root}\"\nstate = \"{state}\"\n\
             disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
             [grpc]\n  address = \"{sock}\"\n[ttrpc]\n  address = \"{sock}.ttrpc\"\n",
            root = d.join("root").display(),
            state = d.join("state").display(),
            sock = d.join("sock").display(),
        );
        std::fs::write(d.join("config.toml"), config).unwrap();
        // containerd finds `containerd-shim-wasmedge-v1` on its PATH.
        let shim_dir = Path::new(env!("CARGO_BIN_EXE_containerd-shim-wasmedge-v1")).parent().unwrap().to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(shim_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        let log = std::fs::File::create(d.join("containerd.log")).unwrap();
        let child = Command::new("containerd")
            .arg("--config")
            .arg(d.join("config.toml"))
            .env("PATH", path)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let c = Containerd { dir, child };
        let start = Instant::now();
        while !c.ctr(&["version"]).status.success() {
            assert!(start.elapsed() < Duration::from_secs(20), "containerd did not start: {}", c.log());
            std::thread::sleep(Duration::from_millis(100));
        }
        c
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("containerd.log")).unwrap_or_default()
    }

    fn ctr(&self, args: &[&str]) -> Output {
        let sock = self.dir.path().join("sock");
        Command::new("ctr")
            .args(["--address", sock.to_str().unwrap(), "--namespace", NAMESPACE])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `ctr` that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.ctr(args);
        assert!(
            out.status.success(),
            "ctr {args:?}: {}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn import(&self, spec: &ImageSpec) {
        let tarball = self.dir.path().join("image.tar");
        write_image(spec, std::fs::File::create(&tarball).unwrap()).unwrap();
        self.ok(&["images", "import", "--all-platforms", tarball.to_str().unwrap()]);
    }

    /// `ctr run` of `image` as container `id` with our runtime, extra `ctr run` options and arguments.
    fn run(&self, options: &[&str], image: &str, id: &str, args: &[&str]) -> Output {
        let mut all = vec!["run", "--runtime", RUNTIME, "--snapshotter", "native", "--platform", "wasip1/wasm"];
        all.extend_from_slice(options);
        all.extend([image, id]);
        all.extend_from_slice(args);
        self.ctr(&all)
    }

    fn task_status(&self, id: &str) -> String {
        let list = self.ok(&["tasks", "ls"]);
        list.lines().find(|l| l.split_whitespace().next() == Some(id)).map(|l| l.to_string()).unwrap_or_default()
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        // Leftover tasks first (their shims would outlive containerd), then containerd itself.
        if let Ok(list) = String::from_utf8(self.ctr(&["tasks", "ls", "-q"]).stdout) {
            for id in list.lines() {
                let _ = self.ctr(&["tasks", "kill", "-s", "SIGKILL", id]);
                let _ = self.ctr(&["tasks", "delete", "-f", id]);
            }
        }
        let _ =
            rustix::process::kill_process(rustix::process::Pid::from_child(&self.child), rustix::process::Signal::TERM);
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spin() -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(r#"(module (func (export "_start") (loop (br 0))))"#).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

#[test]
fn ctr_runs_wasm_containers_on_our_shim() {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let c = Containerd::start();
    c.import(&ImageSpec {
        name: "docker.io/library/hello:latest".into(),
        wasm: fixture("hello.wasm"),
        wasm_path: "/hello.wasm".into(),
        env: vec!["GREETING=from the image".into()],
        ..ImageSpec::default()
    });
    c.import(&ImageSpec {
        name: "docker.io/library/misc:latest".into(),
        wasm: fixture("misc.wasm"),
        wasm_path: "/misc.wasm".into(),
        ..ImageSpec::default()
    });
    c.import(&ImageSpec {
        name: "docker.io/library/fs:latest".into(),
        wasm: fixture("fs.wasm"),
        wasm_path: "/bin/fs.wasm".into(),
        files: vec![("/etc/motd".into(), b"a file in the image\n".to_vec())],
        ..ImageSpec::default()
    });
    c.import(&ImageSpec {
        name: "docker.io/library/spin:latest".into(),
        wasm: spin(),
        wasm_path: "/spin.wasm".into(),
        ..ImageSpec::default()
    });

    // Output, arguments and the image's environment; the exit code. (`ctr run` replaces the whole command
    // line, entry point included, when it is given arguments; without, the image's entry point runs.)
    let out = c.run(&["--rm"], "docker.io/library/hello:latest", "plain", &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("argv[0]=/hello.wasm\nGREETING="), "{}", c.log());
    let out = c.run(&["--rm"], "docker.io/library/hello:latest", "hello", &["/hello.wasm", "one", "two"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), c.log());
    assert_eq!(
        stdout.replace("\r\n", "\n"),
        "hello from wasm\nargv[0]=/hello.wasm\nargv[1]=one\nargv[2]=two\nGREETING=from the image\nenvc=1\n"
    );
    let out = c.run(&["--rm"], "docker.io/library/misc:latest", "exit", &["/misc.wasm", "exit", "7"]);
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    let out = c.run(&["--rm"], "docker.io/library/misc:latest", "trap", &["/misc.wasm", "trap"]);
    assert_ne!(out.status.code(), Some(0));

    // A file from the image.
    let out = c.run(&["--rm"], "docker.io/library/fs:latest", "fs", &["/bin/fs.wasm", "cat", "/etc/motd"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"), "a file in the image\n");

    // The container's memory limit caps linear memory when its cgroup is mounted in it, as Kubernetes'
    // CRI does and `ctr run` does on request: 2000 pages (125 MiB) do not fit in 100 MiB.
    let big = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32))) (memory 2000)
        (func (export "_start") (call $e (i32.div_u (memory.size) (i32.const 100)))))"#;
    let buf = wast::parser::ParseBuffer::new(big).unwrap();
    let wasm = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
    c.import(&ImageSpec {
        name: "docker.io/library/big:latest".into(),
        wasm,
        wasm_path: "/big.wasm".into(),
        ..ImageSpec::default()
    });
    let out = c.run(&["--rm"], "docker.io/library/big:latest", "big", &[]);
    assert_eq!(out.status.code(), Some(20), "no limit: {}", String::from_utf8_lossy(&out.stderr));
    let cgroup = "type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev";
    let out =
        c.run(&["--rm", "--memory-limit", "104857600", "--mount", cgroup], "docker.io/library/big:latest", "big", &[]);
    assert_eq!(out.status.code(), Some(137));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("memory needs 2000 pages but the limit is 1600 pages"), "{stderr}");

    // Two detached containers at once; one killed with SIGKILL, the other stopped by SIGTERM.
    for id in ["spin1", "spin2"] {
        let out = c.run(&["-d"], "docker.io/library/spin:latest", id, &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for id in ["spin1", "spin2"] {
        wait_until(id, Duration::from_secs(10), || c.task_status(id).contains("RUNNING"));
    }
    let start = Instant::now();
    c.ok(&["tasks", "kill", "-s", "SIGKILL", "spin1"]);
    c.ok(&["tasks", "kill", "-s", "SIGTERM", "spin2"]);
    for id in ["spin1", "spin2"] {
        wait_until(id, Duration::from_secs(10), || c.task_status(id).contains("STOPPED"));
    }
    let stopped_in = start.elapsed();
    for id in ["spin1", "spin2"] {
        c.ok(&["tasks", "delete", id]);
        c.ok(&["containers", "delete", id]);
    }
    assert!(c.task_status("spin1").is_empty() && c.task_status("spin2").is_empty());
    eprintln!("both containers stopped in {stopped_in:?}");

    // The exit status of a stopped guest, as an attached `ctr run` reports it: 128 + the signal.
    for (signal, status) in [("SIGTERM", 143), ("SIGINT", 130), ("SIGKILL", 137)] {
        let sock = c.dir.path().join("sock");
        let attached = Command::new("ctr")
            .args(["--address", sock.to_str().unwrap(), "--namespace", NAMESPACE])
            .args(["run", "--rm", "--runtime", RUNTIME, "--snapshotter", "native", "--platform", "wasip1/wasm"])
            .args(["docker.io/library/spin:latest", "attached"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until("attached", Duration::from_secs(10), || c.task_status("attached").contains("RUNNING"));
        c.ok(&["tasks", "kill", "-s", signal, "attached"]);
        let out = attached.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(status), "{signal}");
        wait_until("attached's removal", Duration::from_secs(10), || {
            c.ctr(&["containers", "info", "attached"]).status.code() != Some(0)
        });
    }
}
