//! Switching a staged installation into place, all or nothing.
//!
//! The staging directory sits inside the installation (same file system, so every step is a `rename`):
//! `new/` holds the files to put, `backup/` receives what they replace or what is removed, and `journal`
//! lists the operations before the first one runs. Each operation's progress is visible in the file
//! system alone — whether `new/<rel>` and `backup/<rel>` still exist — so a failure rolls back what was
//! done, and a run that was killed is rolled back by the next one ([`recover`]).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One step of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Move `new/<rel>` to `<root>/<rel>`, keeping what was there in `backup/<rel>`.
    Put(PathBuf),
    /// Move `<root>/<rel>` to `backup/<rel>`.
    Remove(PathBuf),
}

pub const JOURNAL: &str = "journal";
/// The prefix of staging directories inside an installation.
pub const STAGING_PREFIX: &str = ".wasmedge-staging-";

fn journal_text(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| match op {
            Op::Put(p) => format!("put {}\n", p.display()),
            Op::Remove(p) => format!("remove {}\n", p.display()),
        })
        .collect()
}

fn parse_journal(text: &str) -> Vec<Op> {
    text.lines()
        .filter_map(|l| {
            if let Some(p) = l.strip_prefix("put ") {
                Some(Op::Put(PathBuf::from(p)))
            } else {
                l.strip_prefix("remove ").map(|p| Op::Remove(PathBuf::from(p)))
            }
        })
        .collect()
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::io(format!("moving {} to {}", from.display(), to.display()), e))
}

/// Create `dir` and its missing ancestors, recording those created (outermost first) for [`remove_created`].
pub(crate) fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut p = Some(dir);
    while let Some(q) = p.filter(|q| !q.exists()) {
        missing.push(q.to_path_buf());
        p = q.parent();
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    created.extend(missing.into_iter().rev());
    Ok(())
}

/// Remove the directories [`create_dirs`] recorded, innermost first, where they are still empty.
pub(crate) fn remove_created(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

fn ensure_parent(path: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    path.parent().map_or(Ok(()), |parent| create_dirs(parent, created))
}

fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// Apply `ops` to `root` from `staging`; on any error, undo what was done and return the error.
pub fn commit(root: &Path, staging: &Path, ops: &[Op]) -> Result<()> {
    let journal = staging.join(JOURNAL);
    crate::manifest::write_atomic(&journal, journal_text(ops).as_bytes(), None)?;
    let mut created = Vec::new();
    let mut result = Ok(());
    for op in ops {
        result = step(root, staging, op, &mut created);
        if result.is_err() {
            break;
        }
    }
    if let Err(e) = result {
        rollback(root, staging, ops);
        remove_created(&created);
        let _ = std::fs::remove_file(&journal);
        return Err(e);
    }
    std::fs::remove_file(&journal).map_err(|e| Error::io(journal.display(), e))
}

fn step(root: &Path, staging: &Path, op: &Op, created: &mut Vec<PathBuf>) -> Result<()> {
    match op {
        Op::Put(rel) => {
            let dest = root.join(rel);
            let backup = staging.join("backup").join(rel);
            if exists(&dest) {
                if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                    return Err(Error::verify(format!(
                        "{} is a directory where the release has a file",
                        dest.display()
                    )));
                }
                ensure_parent(&backup, &mut Vec::new())?;
                rename(&dest, &backup)?;
            } else {
                ensure_parent(&dest, created)?;
            }
            rename(&staging.join("new").join(rel), &dest)
        }
        Op::Remove(rel) => {
            let dest = root.join(rel);
            if exists(&dest) {
                let backup = staging.join("backup").join(rel);
                ensure_parent(&backup, &mut Vec::new())?;
                rename(&dest, &backup)?;
            }
            Ok(())
        }
    }
}

/// Undo `ops` as far as they got, from what the file system shows.
fn rollback(root: &Path, staging: &Path, ops: &[Op]) {
    for op in ops.iter().rev() {
        let (rel, put) = match op {
            Op::Put(rel) => (rel, true),
            Op::Remove(rel) => (rel, false),
        };
        let dest = root.join(rel);
        let backup = staging.join("backup").join(rel);
        let new_moved = put && !exists(&staging.join("new").join(rel));
        if exists(&backup) {
            let _ = std::fs::rename(&backup, &dest);
        } else if new_moved {
            let _ = std::fs::remove_file(&dest);
        }
    }
}

/// Roll back and remove staging directories left in `root` by a run that was killed. Returns the number
/// of directories cleaned.
pub fn recover(root: &Path) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(0) };
    let mut cleaned = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(STAGING_PREFIX) else { continue };
        // A staging directory of a live installer is left alone.
        if pid.parse::<u32>().is_ok_and(|pid| pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists())
        {
            continue;
        }
        let staging = entry.path();
        if let Ok(text) = std::fs::read_to_string(staging.join(JOURNAL)) {
            rollback(root, &staging, &parse_journal(&text));
        }
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(staging.display(), e))?;
        cleaned += 1;
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    fn read(root: &Path, rel: &str) -> Option<String> {
        std::fs::read_to_string(root.join(rel)).ok()
    }

    #[test]
    fn a_commit_replaces_adds_and_removes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        tree(root, &[("bin/a", "old a"), ("old", "old"), ("user", "mine")]);
        let staging = root.join(".wasmedge-staging-1");
        tree(&staging.join("new"), &[("bin/a", "new a"), ("plugin/p", "new p")]);
        let ops = [Op::Put("bin/a".into()), Op::Put("plugin/p".into()), Op::Remove("old".into())];
        commit(root, &staging, &ops).unwrap();
        assert_eq!(read(root, "bin/a").as_deref(), Some("new a"));
        assert_eq!(read(root, "plugin/p").as_deref(), Some("new p"));
        assert_eq!(read(root, "old"), None);
        assert_eq!(read(root, "user").as_deref(), Some("mine"));
    }

    #[test]
    fn a_failed_step_rolls_everything_back() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        tree(root, &[("bin/a", "old a"), ("old", "old")]);
        let staging = root.join(".wasmedge-staging-1");
        tree(&staging.join("new"), &[("bin/a", "new a"), ("plugin/p", "new p")]);
        // The third step fails: its staged file does not exist.
        let ops =
            [Op::Put("bin/a".into()), Op::Remove("old".into()), Op::Put("plugin/p".into()), Op::Put("missing".into())];
        assert!(commit(root, &staging, &ops).is_err());
        assert_eq!(read(root, "bin/a").as_deref(), Some("old a"));
        assert_eq!(read(root, "old").as_deref(), Some("old"));
        assert!(!root.join("plugin").exists(), "directories the commit created are removed");
    }

    #[test]
    fn a_killed_commit_is_rolled_back_by_the_next_run() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        tree(root, &[("bin/a", "old a"), ("bin/b", "old b")]);
        // The state a commit of [put a, put b] leaves when killed between its two renames of b.
        let staging = root.join(format!("{STAGING_PREFIX}999999999"));
        tree(&staging.join("new"), &[("bin/b", "new b")]);
        tree(&staging.join("backup"), &[("bin/a", "old a"), ("bin/b", "old b")]);
        std::fs::write(root.join("bin/a"), "new a").unwrap();
        std::fs::remove_file(root.join("bin/b")).unwrap();
        std::fs::write(staging.join(JOURNAL), "put bin/a\nput bin/b\n").unwrap();
        assert_eq!(recover(root).unwrap(), 1);
        assert_eq!(read(root, "bin/a").as_deref(), Some("old a"));
        assert_eq!(read(root, "bin/b").as_deref(), Some("old b"));
        assert!(!staging.exists());
    }
}
