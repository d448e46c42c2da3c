//! The `env` file of an installation and the one line that sources it from the user's shell profiles —
//! added once, and removed on uninstall leaving every other byte of the profile as it was.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::{ProfileLine, write_atomic};

/// Quote a string for POSIX sh (single quotes).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The `env` file for an installation at `root`: prepends its directories to the search variables, once.
pub fn env_file(root: &Path) -> String {
    let root = root.display().to_string();
    let mut s = format!(
        "# wasmedge environment for the installation in {root}, written by wasmedge-installer.\n\
         # Sourced from your shell profile; each directory is added once.\n"
    );
    for (var, sub) in [
        ("PATH", "bin"),
        ("LD_LIBRARY_PATH", "lib"),
        ("LIBRARY_PATH", "lib"),
        ("C_INCLUDE_PATH", "include"),
        ("CPLUS_INCLUDE_PATH", "include"),
    ] {
        let dir = sh_quote(&format!("{root}/{sub}"));
        s.push_str(&format!(
            "case \":${{{var}-}}:\" in *:{dir}:*) ;; *) {var}={dir}\"${{{var}:+:${var}}}\" ;; esac\nexport {var}\n"
        ));
    }
    s
}

/// The line added to profiles.
pub fn source_line(root: &Path) -> String {
    format!(". {}", sh_quote(&root.join("env").display().to_string()))
}

/// The profiles to add the line to: those of `.profile`, `.bashrc`, `.bash_profile`, `.zshrc`, `.zprofile`
/// that exist, `.zshrc` also when the login shell is zsh, and `.profile` when none exists.
pub fn profiles(home: &Path, shell: Option<&str>) -> Vec<PathBuf> {
    let names = [".profile", ".bashrc", ".bash_profile", ".zshrc", ".zprofile"];
    let mut out: Vec<PathBuf> = names.iter().map(|n| home.join(n)).filter(|p| p.exists()).collect();
    let zsh = home.join(".zshrc");
    if shell.is_some_and(|s| s.ends_with("/zsh")) && !out.contains(&zsh) {
        out.push(zsh);
    }
    if out.is_empty() {
        out.push(home.join(".profile"));
    }
    out
}

fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

/// Where a profile's bytes live: the target of a link (a profile kept in a dotfiles repository stays a link).
fn real_path(file: &Path) -> PathBuf {
    std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
}

fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

/// What adding `line` to `file` would do: `None` when the line is already there.
pub fn plan_add(file: &Path, line: &str) -> Result<Option<ProfileLine>> {
    match std::fs::read(real_path(file)) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            if has_line(&text, line) {
                return Ok(None);
            }
            let newline_added = !bytes.is_empty() && !bytes.ends_with(b"\n");
            Ok(Some(ProfileLine { file: file.to_path_buf(), line: line.to_string(), created: false, newline_added }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(ProfileLine {
            file: file.to_path_buf(),
            line: line.to_string(),
            created: true,
            newline_added: false,
        })),
        Err(e) => Err(Error::io(file.display(), e)),
    }
}

/// Append the planned line.
pub fn apply_add(p: &ProfileLine) -> Result<()> {
    let real = real_path(&p.file);
    let mut bytes = match std::fs::read(&real) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(p.file.display(), e)),
    };
    if p.newline_added {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(p.line.as_bytes());
    bytes.push(b'\n');
    write_atomic(&real, &bytes, mode_of(&real).or(Some(0o644)))
}

/// Remove the line `p` added (the first whole line equal to it, and the newline added before it when it is
/// still the last line). A file the installer created and that holds nothing else is removed. Returns
/// whether the file changed.
pub fn remove(p: &ProfileLine) -> Result<bool> {
    let real = real_path(&p.file);
    let bytes = match std::fs::read(&real) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(p.file.display(), e)),
    };
    let line = p.line.as_bytes();
    let mut start = 0;
    let mut found = None;
    while start <= bytes.len() {
        let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
        if &bytes[start..end] == line {
            found = Some((start, end));
            break;
        }
        start = end + 1;
    }
    let Some((start, end)) = found else { return Ok(false) };
    let mut out = bytes[..start].to_vec();
    let after = if end < bytes.len() { &bytes[end + 1..] } else { &[][..] };
    if after.is_empty() && p.newline_added && out.ends_with(b"\n") {
        out.pop();
    }
    out.extend_from_slice(after);
    if out.is_empty() && p.created {
        std::fs::remove_file(&real).map_err(|e| Error::io(p.file.display(), e))?;
    } else {
        write_atomic(&real, &out, mode_of(&real))?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(before: &[u8]) {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(".bashrc");
        std::fs::write(&file, before).unwrap();
        let line = source_line(Path::new("/home/u/it's here/.wasmedge"));
        let plan = plan_add(&file, &line).unwrap().unwrap();
        apply_add(&plan).unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(has_line(&text, &line), "{text}");
        assert!(plan_add(&file, &line).unwrap().is_none(), "idempotent");
        assert!(remove(&plan).unwrap());
        assert_eq!(std::fs::read(&file).unwrap(), before, "byte-identical after removal");
    }

    #[test]
    fn profiles_come_back_byte_identical() {
        round_trip(b"");
        round_trip(b"export A=1\n");
        round_trip(b"export A=1");
        round_trip(b"export A=1\n\n# end\n");
        round_trip(b"caf\xc3\xa9 \xff\n");
    }

    #[test]
    fn a_created_profile_is_removed_and_a_moved_line_still_found() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(".profile");
        let plan = plan_add(&file, ". '/x/env'").unwrap().unwrap();
        assert!(plan.created);
        apply_add(&plan).unwrap();
        assert!(remove(&plan).unwrap());
        assert!(!file.exists());
        // The user wrote more after our line: only our line goes.
        std::fs::write(&file, "a\n").unwrap();
        let plan = plan_add(&file, ". '/x/env'").unwrap().unwrap();
        apply_add(&plan).unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
        std::io::Write::write_all(&mut f, b"b\n").unwrap();
        remove(&plan).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a\nb\n");
    }

    #[test]
    fn a_linked_profile_stays_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("dotfiles-bashrc");
        std::fs::write(&real, "x\n").unwrap();
        let link = tmp.path().join(".bashrc");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let plan = plan_add(&link, ". '/x/env'").unwrap().unwrap();
        apply_add(&plan).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(std::fs::read_to_string(&real).unwrap().contains("/x/env"));
        remove(&plan).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "x\n");
    }

    #[test]
    fn the_env_file_is_valid_sh_and_adds_each_directory_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("a b'c");
        let env = tmp.path().join("env");
        std::fs::write(&env, env_file(&root)).unwrap();
        let script =
            format!(". {0}; . {0}; printf '%s\\n' \"$PATH\" \"$LIBRARY_PATH\"", sh_quote(env.to_str().unwrap()));
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("PATH", "/usr/bin:/bin")
            .env_remove("LIBRARY_PATH")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let bin = format!("{}/bin", root.display());
        assert_eq!(
            text,
            format!("{bin}:/usr/bin:/bin\n{}/lib\n", root.display()),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn profiles_chosen() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(profiles(tmp.path(), Some("/bin/bash")), [tmp.path().join(".profile")]);
        assert_eq!(profiles(tmp.path(), Some("/usr/bin/zsh")), [tmp.path().join(".zshrc")]);
        std::fs::write(tmp.path().join(".bashrc"), "").unwrap();
        assert_eq!(profiles(tmp.path(), None), [tmp.path().join(".bashrc")]);
    }
}
