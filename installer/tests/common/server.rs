//! A small HTTP/1.1 file server on 127.0.0.1 for the installer's tests, with faults to inject per path:
//! a connection closed mid-file, a server that stops sending, a 404.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Send the headers (full Content-Length) and only this many bytes of the body, then close.
    Truncate(usize),
    /// Send the headers and a little of the body, then nothing for a minute.
    Stall,
}

pub struct Server {
    pub url: String,
    faults: Arc<Mutex<HashMap<String, Fault>>>,
}

impl Server {
    /// Serve the files under `root`.
    pub fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let faults: Arc<Mutex<HashMap<String, Fault>>> = Arc::default();
        let (root, f) = (root.to_path_buf(), faults.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, f) = (root.clone(), f.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &f);
                });
            }
        });
        Server { url, faults }
    }

    /// Inject a fault for requests of `path` (e.g. `/0.16.0/WasmEdge-….tar.gz`, matched by suffix).
    pub fn fault(&self, path_suffix: &str, fault: Fault) {
        self.faults.lock().unwrap().insert(path_suffix.to_string(), fault);
    }
}

fn serve(stream: TcpStream, root: &Path, faults: &Mutex<HashMap<String, Fault>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut out = stream;
    let path = request.split(' ').nth(1).unwrap_or("/").to_string();
    let rel = PathBuf::from(path.trim_start_matches('/'));
    let file = if rel.components().all(|c| matches!(c, Component::Normal(_))) {
        std::fs::read(root.join(&rel)).ok()
    } else {
        None
    };
    let Some(body) = file else {
        return out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
    };
    let fault = faults.lock().unwrap().iter().find(|(k, _)| path.ends_with(k.as_str())).map(|(_, v)| *v);
    out.write_all(
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes(),
    )?;
    match fault {
        None => out.write_all(&body)?,
        Some(Fault::Truncate(n)) => out.write_all(&body[..n.min(body.len())])?,
        Some(Fault::Stall) => {
            out.write_all(&body[..body.len().min(1000)])?;
            out.flush()?;
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    out.flush()
}
