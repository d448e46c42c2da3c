//! Every preopened directory goes through [`OpenFixDir`], which makes `path_open` with both `O_TRUNC` and
//! `O_APPEND` work as POSIX says.
//!
//! wasi-libc maps `open(f, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND)` to `path_open` with the truncate flag and
//! the append fdflag. `cap-std` (like Rust's `OpenOptions`) refuses truncate together with append with
//! `EINVAL`, so the guest's `open` failed. We open with truncation and without append, then switch the new
//! descriptor to append mode, which has the same effect. Everything else is passed through.

use std::any::Any;
use std::path::PathBuf;

use wasi_common::dir::{OpenResult, ReaddirCursor, ReaddirEntity};
use wasi_common::file::{FdFlags, Filestat, OFlags};
use wasi_common::{Error, SystemTimeSpec, WasiDir};

/// A [`WasiDir`] whose `open_file` accepts truncate + append.
pub struct OpenFixDir {
    inner: Box<dyn WasiDir>,
}

impl OpenFixDir {
    /// Wrap `inner`.
    pub fn new(inner: Box<dyn WasiDir>) -> Self {
        OpenFixDir { inner }
    }

    /// The directory a rename or link should see: the wrapped one, if `dir` is ours.
    fn unwrap(dir: &dyn WasiDir) -> &dyn WasiDir {
        match dir.as_any().downcast_ref::<OpenFixDir>() {
            Some(d) => &*d.inner,
            None => dir,
        }
    }
}

#[async_trait::async_trait]
impl WasiDir for OpenFixDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    async fn open_file(
        &self,
        symlink_follow: bool,
        path: &str,
        oflags: OFlags,
        read: bool,
        write: bool,
        fdflags: FdFlags,
    ) -> Result<OpenResult, Error> {
        let both = oflags.contains(OFlags::TRUNCATE) && fdflags.contains(FdFlags::APPEND);
        let open_flags = if both { fdflags - FdFlags::APPEND } else { fdflags };
        match self.inner.open_file(symlink_follow, path, oflags, read, write, open_flags).await? {
            OpenResult::File(mut file) => {
                if both {
                    file.set_fdflags(fdflags).await?;
                }
                Ok(OpenResult::File(file))
            }
            OpenResult::Dir(dir) => Ok(OpenResult::Dir(Box::new(OpenFixDir::new(dir)))),
        }
    }

    async fn create_dir(&self, path: &str) -> Result<(), Error> {
        self.inner.create_dir(path).await
    }

    async fn readdir(
        &self,
        cursor: ReaddirCursor,
    ) -> Result<Box<dyn Iterator<Item = Result<ReaddirEntity, Error>> + Send>, Error> {
        self.inner.readdir(cursor).await
    }

    async fn symlink(&self, old_path: &str, new_path: &str) -> Result<(), Error> {
        self.inner.symlink(old_path, new_path).await
    }

    async fn remove_dir(&self, path: &str) -> Result<(), Error> {
        self.inner.remove_dir(path).await
    }

    async fn unlink_file(&self, path: &str) -> Result<(), Error> {
        self.inner.unlink_file(path).await
    }

    async fn read_link(&self, path: &str) -> Result<PathBuf, Error> {
        self.inner.read_link(path).await
    }

    async fn get_filestat(&self) -> Result<Filestat, Error> {
        self.inner.get_filestat().await
    }

    async fn get_path_filestat(&self, path: &str, follow_symlinks: bool) -> Result<Filestat, Error> {
        self.inner.get_path_filestat(path, follow_symlinks).await
    }

    async fn rename(&self, path: &str, dest_dir: &dyn WasiDir, dest_path: &str) -> Result<(), Error> {
        self.inner.rename(path, Self::unwrap(dest_dir), dest_path).await
    }

    async fn hard_link(&self, path: &str, target_dir: &dyn WasiDir, target_path: &str) -> Result<(), Error> {
        self.inner.hard_link(path, Self::unwrap(target_dir), target_path).await
    }

    async fn set_times(
        &self,
        path: &str,
        atime: Option<SystemTimeSpec>,
        mtime: Option<SystemTimeSpec>,
        follow_symlinks: bool,
    ) -> Result<(), Error> {
        self.inner.set_times(path, atime, mtime, follow_symlinks).await
    }
}
