//! WasmEdge's log line format, `[2026-11-22 18:00:00.000] [error] message`, on stderr.

fn line(level: &str, message: &str) {
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f");
    eprintln!("[{now}] [{level}] {message}");
}

pub fn error(message: &str) {
    line("error", message);
}

pub fn warn(message: &str) {
    line("warning", message);
}

pub fn info(message: &str) {
    line("info", message);
}
