//! A socket the guest opened: the host descriptor with its family and type. It sits in `wasi-common`'s
//! descriptor table as a [`SocketFile`], so `fd_read`, `fd_write`, `fd_close`, `fd_fdstat_*` and `poll_oneoff`
//! work on it as on any descriptor, and in our own side table for the `sock_*` functions.

use std::any::Any;
use std::io::{IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use rustix::net::{self as rnet, AddressFamily, RecvFlags, SendFlags, SocketAddrAny, SocketAddrUnix, SocketType};
use wasi_common::file::{FdFlags, FileType, Filestat, RiFlags, RoFlags, SdFlags, SiFlags, WasiFile};
use wasi_common::{Error, ErrorExt};

/// The address families WasmEdge's socket API has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Inet4,
    Inet6,
    Unix,
}

impl Family {
    /// WasmEdge's `__wasi_address_family_t`.
    pub(crate) fn wasi(self) -> u8 {
        match self {
            Family::Inet4 => 1,
            Family::Inet6 => 2,
            Family::Unix => 3,
        }
    }
}

/// Stream or datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Dgram,
    Stream,
}

/// A decoded guest address.
#[derive(Clone, Debug)]
pub(crate) enum Addr {
    Ip(SocketAddr),
    Unix(SocketAddrUnix),
}

/// What a receive returned: bytes, whether a datagram was cut short, and the sender.
pub(crate) struct Received {
    pub len: usize,
    pub truncated: bool,
    pub from: Option<SocketAddrAny>,
}

pub(crate) struct Socket {
    fd: OwnedFd,
    pub family: Family,
    pub kind: Kind,
}

impl Socket {
    pub(crate) fn open(family: Family, kind: Kind) -> rustix::io::Result<Socket> {
        let af = match family {
            Family::Inet4 => AddressFamily::INET,
            Family::Inet6 => AddressFamily::INET6,
            Family::Unix => AddressFamily::UNIX,
        };
        let ty = match kind {
            Kind::Dgram => SocketType::DGRAM,
            Kind::Stream => SocketType::STREAM,
        };
        let fd = rnet::socket_with(af, ty, rnet::SocketFlags::CLOEXEC, None)?;
        Ok(Socket { fd, family, kind })
    }

    pub(crate) fn bind(&self, addr: &Addr) -> rustix::io::Result<()> {
        match addr {
            Addr::Ip(a) => rnet::bind(&self.fd, a),
            Addr::Unix(a) => rnet::bind(&self.fd, a),
        }
    }

    pub(crate) fn connect(&self, addr: &Addr) -> rustix::io::Result<()> {
        match addr {
            Addr::Ip(a) => rnet::connect(&self.fd, a),
            Addr::Unix(a) => rnet::connect(&self.fd, a),
        }
    }

    pub(crate) fn listen(&self, backlog: i32) -> rustix::io::Result<()> {
        rnet::listen(&self.fd, backlog)
    }

    pub(crate) fn accept(&self, nonblocking: bool) -> rustix::io::Result<Socket> {
        let mut flags = rnet::SocketFlags::CLOEXEC;
        if nonblocking {
            flags |= rnet::SocketFlags::NONBLOCK;
        }
        let fd = rnet::accept_with(&self.fd, flags)?;
        Ok(Socket { fd, family: self.family, kind: self.kind })
    }

    /// Receive into `buf`. Datagrams report truncation (the kernel's full length with `MSG_TRUNC`).
    pub(crate) fn recv(
        &self,
        buf: &mut [u8],
        peek: bool,
        waitall: bool,
        want_from: bool,
    ) -> rustix::io::Result<Received> {
        let mut flags = RecvFlags::empty();
        if peek {
            flags |= RecvFlags::PEEK;
        }
        if waitall {
            flags |= RecvFlags::WAITALL;
        }
        if self.kind == Kind::Dgram {
            flags |= RecvFlags::TRUNC;
        }
        let cap = buf.len();
        let (len, full, from) = if want_from {
            let (len, full, from) = rnet::recvfrom(&self.fd, buf, flags)?;
            (len, full, from)
        } else {
            let (len, full) = rnet::recv(&self.fd, buf, flags)?;
            (len, full, None)
        };
        Ok(Received { len: len.min(cap), truncated: full > cap, from })
    }

    /// Send the gathered `bufs`, to `to` when given; never raises `SIGPIPE`.
    pub(crate) fn send(&self, bufs: &[IoSlice<'_>], to: Option<&Addr>) -> rustix::io::Result<usize> {
        let mut control = rnet::SendAncillaryBuffer::default();
        let flags = SendFlags::NOSIGNAL;
        match to {
            None => rnet::sendmsg(&self.fd, bufs, &mut control, flags),
            Some(Addr::Ip(a)) => rnet::sendmsg_addr(&self.fd, a, bufs, &mut control, flags),
            Some(Addr::Unix(a)) => rnet::sendmsg_addr(&self.fd, a, bufs, &mut control, flags),
        }
    }

    pub(crate) fn shutdown(&self, how: rnet::Shutdown) -> rustix::io::Result<()> {
        rnet::shutdown(&self.fd, how)
    }

    pub(crate) fn local_addr(&self) -> rustix::io::Result<SocketAddrAny> {
        rnet::getsockname(&self.fd)
    }

    pub(crate) fn peer_addr(&self) -> rustix::io::Result<Option<SocketAddrAny>> {
        rnet::getpeername(&self.fd)
    }

    pub(crate) fn nonblocking(&self) -> rustix::io::Result<bool> {
        Ok(rustix::fs::fcntl_getfl(&self.fd)?.contains(rustix::fs::OFlags::NONBLOCK))
    }

    pub(crate) fn set_nonblocking(&self, on: bool) -> rustix::io::Result<()> {
        rustix::io::ioctl_fionbio(&self.fd, on)
    }

    /// Bytes waiting to be read (0 where the kernel cannot say, e.g. for a listening socket).
    pub(crate) fn ready_bytes(&self) -> u64 {
        rustix::io::ioctl_fionread(&self.fd).unwrap_or(0)
    }

    pub(crate) fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn file_type(&self) -> FileType {
        match self.kind {
            Kind::Dgram => FileType::SocketDgram,
            Kind::Stream => FileType::SocketStream,
        }
    }
}

/// The socket as `wasi-common` sees it.
pub(crate) struct SocketFile(pub Arc<Socket>);

fn host(e: rustix::io::Errno) -> Error {
    std::io::Error::from(e).into()
}

#[async_trait::async_trait]
impl WasiFile for SocketFile {
    fn as_any(&self) -> &dyn Any {
        self
    }

    async fn get_filetype(&self) -> Result<FileType, Error> {
        Ok(self.0.file_type())
    }

    fn pollable(&self) -> Option<rustix::fd::BorrowedFd<'_>> {
        Some(self.0.fd())
    }

    async fn get_fdflags(&self) -> Result<FdFlags, Error> {
        Ok(if self.0.nonblocking().map_err(host)? { FdFlags::NONBLOCK } else { FdFlags::empty() })
    }

    async fn set_fdflags(&mut self, flags: FdFlags) -> Result<(), Error> {
        if !(flags - FdFlags::NONBLOCK).is_empty() {
            return Err(Error::invalid_argument().context("a socket takes no descriptor flag but NONBLOCK"));
        }
        self.0.set_nonblocking(flags.contains(FdFlags::NONBLOCK)).map_err(host)
    }

    async fn get_filestat(&self) -> Result<Filestat, Error> {
        let st = rustix::fs::fstat(self.0.fd()).map_err(host)?;
        Ok(Filestat {
            device_id: st.st_dev,
            inode: st.st_ino,
            filetype: self.0.file_type(),
            nlink: st.st_nlink,
            size: 0,
            atim: None,
            mtim: None,
            ctim: None,
        })
    }

    async fn read_vectored<'a>(&self, bufs: &mut [IoSliceMut<'a>]) -> Result<u64, Error> {
        Ok(rustix::io::readv(self.0.fd(), bufs).map_err(host)? as u64)
    }

    async fn write_vectored<'a>(&self, bufs: &[IoSlice<'a>]) -> Result<u64, Error> {
        Ok(self.0.send(bufs, None).map_err(host)? as u64)
    }

    fn num_ready_bytes(&self) -> Result<u64, Error> {
        Ok(self.0.ready_bytes())
    }

    async fn sock_accept(&self, fdflags: FdFlags) -> Result<Box<dyn WasiFile>, Error> {
        let s = self.0.accept(fdflags.contains(FdFlags::NONBLOCK)).map_err(host)?;
        Ok(Box::new(SocketFile(Arc::new(s))))
    }

    async fn sock_recv<'a>(&self, ri_data: &mut [IoSliceMut<'a>], ri_flags: RiFlags) -> Result<(u64, RoFlags), Error> {
        let peek = ri_flags.contains(RiFlags::RECV_PEEK);
        let waitall = ri_flags.contains(RiFlags::RECV_WAITALL);
        let Some(first) = ri_data.iter_mut().find(|b| !b.is_empty()) else { return Ok((0, RoFlags::empty())) };
        let r = self.0.recv(first, peek, waitall, false).map_err(host)?;
        let flags = if r.truncated { RoFlags::RECV_DATA_TRUNCATED } else { RoFlags::empty() };
        Ok((r.len as u64, flags))
    }

    async fn sock_send<'a>(&self, si_data: &[IoSlice<'a>], _si_flags: SiFlags) -> Result<u64, Error> {
        Ok(self.0.send(si_data, None).map_err(host)? as u64)
    }

    async fn sock_shutdown(&self, how: SdFlags) -> Result<(), Error> {
        let how = if how == SdFlags::RD | SdFlags::WR {
            rnet::Shutdown::Both
        } else if how == SdFlags::RD {
            rnet::Shutdown::Read
        } else if how == SdFlags::WR {
            rnet::Shutdown::Write
        } else {
            return Err(Error::invalid_argument());
        };
        self.0.shutdown(how).map_err(host)
    }
}
