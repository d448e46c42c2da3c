//! A directory preopened `readonly` (`--dir guest:host:readonly`): reads pass through, every operation that
//! could change the file system fails with `EROFS`, including opening a file for writing, creating,
//! truncating, renaming, linking, removing and setting times. Subdirectories opened through it are read-only
//! too.

use std::any::Any;
use std::path::PathBuf;

use wasi_common::dir::{OpenResult, ReaddirCursor, ReaddirEntity};
use wasi_common::file::{FdFlags, Filestat, OFlags};
use wasi_common::snapshots::preview_1::types::Errno;
use wasi_common::{Error, SystemTimeSpec, WasiDir};

/// A [`WasiDir`] that refuses writes.
pub struct ReadOnlyDir {
    inner: Box<dyn WasiDir>,
}

impl ReadOnlyDir {
    /// Wrap `inner`.
    pub fn new(inner: Box<dyn WasiDir>) -> Self {
        ReadOnlyDir { inner }
    }
}

fn rofs() -> Error {
    Errno::Rofs.into()
}

#[async_trait::async_trait]
impl WasiDir for ReadOnlyDir {
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
        if write || oflags.intersects(OFlags::CREATE | OFlags::TRUNCATE) || fdflags.contains(FdFlags::APPEND) {
            return Err(rofs());
        }
        match self.inner.open_file(symlink_follow, path, oflags, read, false, fdflags).await? {
            OpenResult::Dir(d) => Ok(OpenResult::Dir(Box::new(ReadOnlyDir::new(d)))),
            file => Ok(file),
        }
    }

    async fn create_dir(&self, _path: &str) -> Result<(), Error> {
        Err(rofs())
    }

    async fn readdir(
        &self,
        cursor: ReaddirCursor,
    ) -> Result<Box<dyn Iterator<Item = Result<ReaddirEntity, Error>> + Send>, Error> {
        self.inner.readdir(cursor).await
    }

    async fn symlink(&self, _old_path: &str, _new_path: &str) -> Result<(), Error> {
        Err(rofs())
    }

    async fn remove_dir(&self, _path: &str) -> Result<(), Error> {
        Err(rofs())
    }

    async fn unlink_file(&self, _path: &str) -> Result<(), Error> {
        Err(rofs())
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

    async fn rename(&self, _path: &str, _dest_dir: &dyn WasiDir, _dest_path: &str) -> Result<(), Error> {
        Err(rofs())
    }

    async fn hard_link(&self, _path: &str, _target_dir: &dyn WasiDir, _target_path: &str) -> Result<(), Error> {
        Err(rofs())
    }

    async fn set_times(
        &self,
        _path: &str,
        _atime: Option<SystemTimeSpec>,
        _mtime: Option<SystemTimeSpec>,
        _follow_symlinks: bool,
    ) -> Result<(), Error> {
        Err(rofs())
    }
}
