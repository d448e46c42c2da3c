//! Downloads from the release location: `http(s)://` through `ureq` (rustls), or `file://` (a directory),
//! with a stall timeout, a size limit, SHA-256 while the bytes arrive, and a progress bar on a terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Where releases are served from.
#[derive(Clone, Debug)]
enum Base {
    Http(String),
    Dir(PathBuf),
}

/// Fetches files of the release location.
#[derive(Clone)]
pub struct Fetcher {
    base: Base,
    agent: ureq::Agent,
    timeout: Duration,
    interrupted: Arc<AtomicBool>,
    progress: bool,
}

/// The hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path.display(), e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).map_err(|e| Error::io(path.display(), e))?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Fetcher {
    /// `base`: `http://…`, `https://…` or `file:///dir`. `timeout`: how long a connection may stay silent.
    pub fn new(base: &str, timeout: Duration, interrupted: Arc<AtomicBool>) -> Result<Fetcher> {
        let trimmed = base.trim_end_matches('/');
        let base = if let Some(dir) = trimmed.strip_prefix("file://") {
            Base::Dir(PathBuf::from(if dir.is_empty() { "/" } else { dir }))
        } else if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            Base::Http(trimmed.to_string())
        } else {
            return Err(Error::usage(format!("--base-url `{base}` must start with http://, https:// or file://")));
        };
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout_read(timeout)
            .timeout_write(timeout)
            .user_agent(concat!("wasmedge-installer/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Fetcher { base, agent, timeout, interrupted, progress: std::io::stderr().is_terminal() })
    }

    /// The URL of a file of the release location.
    pub fn url(&self, rel: &str) -> String {
        match &self.base {
            Base::Http(b) => format!("{b}/{rel}"),
            Base::Dir(d) => format!("file://{}", d.join(rel).display()),
        }
    }

    /// Open `rel`: its reader and its length when known.
    fn open(&self, rel: &str) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
        match &self.base {
            Base::Dir(dir) => {
                let path = dir.join(rel);
                let f = std::fs::File::open(&path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::download(format!("{} not found", self.url(rel)))
                    } else {
                        Error::io(path.display(), e)
                    }
                })?;
                let len = f.metadata().ok().map(|m| m.len());
                Ok((Box::new(f), len))
            }
            Base::Http(_) => {
                let url = self.url(rel);
                match self.agent.get(&url).call() {
                    Ok(resp) => {
                        let len = resp.header("Content-Length").and_then(|v| v.parse().ok());
                        Ok((Box::new(resp.into_reader()), len))
                    }
                    Err(ureq::Error::Status(404, _)) => Err(Error::download(format!("{url} not found (HTTP 404)"))),
                    Err(ureq::Error::Status(code, resp)) => {
                        Err(Error::download(format!("{url}: HTTP {code} {}", resp.status_text())))
                    }
                    Err(ureq::Error::Transport(t)) => {
                        Err(Error::download(format!("{url}: {}", transport(&t, self.timeout))))
                    }
                }
            }
        }
    }

    /// Run `work` on its own thread and wait for it, returning at once on Ctrl-C: a signal may be
    /// delivered to any thread, so a blocking read cannot be relied on to see it. An abandoned transfer
    /// ends with the process.
    fn interruptible<T: Send + 'static>(&self, work: impl FnOnce(Fetcher) -> Result<T> + Send + 'static) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        let fetcher = self.clone();
        std::thread::spawn(move || {
            let _ = tx.send(work(fetcher));
        });
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if self.interrupted.load(Ordering::SeqCst) {
                        return Err(Error::interrupted());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::download("the download thread stopped unexpectedly"));
                }
            }
        }
    }

    /// A small file (`index.toml`, `SHA256SUMS`), at most `limit` bytes, as text.
    pub fn text(&self, rel: &str, limit: u64) -> Result<String> {
        let bytes = self.bytes(rel, limit)?;
        String::from_utf8(bytes).map_err(|_| Error::verify(format!("{} is not UTF-8 text", self.url(rel))))
    }

    /// A small file, at most `limit` bytes.
    pub fn bytes(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        let rel = rel.to_string();
        self.interruptible(move |f| f.bytes_inner(&rel, limit))
    }

    fn bytes_inner(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        let (reader, _) = self.open(rel)?;
        let mut bytes = Vec::new();
        reader
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::download(format!("{}: {}", self.url(rel), io_text(&e, self.timeout))))?;
        if bytes.len() as u64 > limit {
            return Err(Error::verify(format!("{} is larger than {limit} bytes", self.url(rel))));
        }
        Ok(bytes)
    }

    /// Download `rel` to `dest`, checking its size and SHA-256 against what the release says. A partial or
    /// mismatching file is removed.
    pub fn download(&self, rel: &str, dest: &Path, size: u64, sha256: &str) -> Result<()> {
        let (r, d, h) = (rel.to_string(), dest.to_path_buf(), sha256.to_string());
        let result = self.interruptible(move |f| f.download_inner(&r, &d, size, &h));
        if result.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        result
    }

    fn download_inner(&self, rel: &str, dest: &Path, size: u64, sha256: &str) -> Result<()> {
        let url = self.url(rel);
        let (mut reader, len) = self.open(rel)?;
        if let Some(len) = len
            && len != size
        {
            return Err(Error::verify(format!("{url} is {len} bytes, but the release index says {size}")));
        }
        let mut out = std::fs::File::create(dest).map_err(|e| Error::io(dest.display(), e))?;
        let bar = self.bar(rel, size);
        let mut hasher = Sha256::new();
        let mut got: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if self.interrupted.load(Ordering::SeqCst) {
                return Err(Error::interrupted());
            }
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::download(format!(
                        "{url}: the download stopped after {got} of {size} bytes: {}",
                        io_text(&e, self.timeout)
                    )));
                }
            };
            got += n as u64;
            if got > size {
                return Err(Error::verify(format!("{url} is larger than the {size} bytes the release index says")));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io(dest.display(), e))?;
            if let Some(bar) = &bar {
                bar.set_position(got);
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if got < size {
            return Err(Error::download(format!(
                "{url}: the connection closed after {got} of {size} bytes (truncated download)"
            )));
        }
        out.sync_all().map_err(|e| Error::io(dest.display(), e))?;
        let actual = hex(&hasher.finalize());
        if actual != sha256 {
            return Err(Error::verify(format!(
                "{url} does not match its checksum: SHA-256 is {actual}, the release says {sha256}; nothing was installed"
            )));
        }
        Ok(())
    }

    fn bar(&self, rel: &str, size: u64) -> Option<indicatif::ProgressBar> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if !self.progress {
            eprintln!("downloading {name} ({size} bytes)");
            return None;
        }
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message(name.to_string());
        Some(bar)
    }
}

fn transport(t: &ureq::Transport, timeout: Duration) -> String {
    let text = t.to_string();
    if text.contains("timed out") || text.contains("WouldBlock") {
        format!("no answer within {} s ({text})", timeout.as_secs())
    } else {
        text
    }
}

fn io_text(e: &std::io::Error, timeout: Duration) -> String {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("the server sent nothing for {} s (timed out)", timeout.as_secs())
        }
        _ => e.to_string(),
    }
}
