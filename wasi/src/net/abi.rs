//! WasmEdge's socket functions in `wasi_snapshot_preview1`: the guest-memory side. Each function decodes its
//! arguments as WasmEdge 0.15 does (same checks, in the same order, with the same errno), and calls
//! [`Socket`]. Every guest pointer is bounds-checked ([`Mem`]); a bad one is `EFAULT`, never a trap.
//!
//! Two generations share the names: the `V1` functions are the pre-0.12 API (4- or 16-byte addresses,
//! `sock_accept` without flags, address type 4/6), the `_v2` ones take a 128-byte address with its family
//! and follow the WASI spec's `sock_accept`. A module importing a `V1` name with the `V2` signature gets
//! the `V2` function ([`wasmedge_host::Linker::alternate`]), as in WasmEdge.

use std::ffi::OsStr;
use std::io::IoSlice;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use rustix::net::{SocketAddrAny, SocketAddrUnix, sockopt};
use wasi_common::file::FileAccessMode;

use super::errno::{self, *};
use super::socket::{Addr, Family, Kind, Socket, SocketFile};
use crate::WasiState;

/// WasmEdge's `kIOVMax`.
const IOV_MAX: u32 = 1024;
/// The largest copy made for a receive into several buffers (a stream may return less; no datagram is
/// this large).
const SCATTER_MAX: usize = 16 << 20;
/// `sizeof(sockaddr_un::sun_path)` on Linux.
const SUN_PATH: usize = 108;

pub(crate) type Res = Result<(), u16>;

/// A guest's linear memory 0, every access bounds-checked.
pub(crate) struct Mem<'a>(pub &'a mut [u8]);

impl Mem<'_> {
    pub(crate) fn range(&self, ptr: u32, len: u32) -> Result<Range<usize>, u16> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(FAULT)?;
        if end > self.0.len() { Err(FAULT) } else { Ok(start..end) }
    }

    pub(crate) fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], u16> {
        let r = self.range(ptr, len)?;
        Ok(&self.0[r])
    }

    pub(crate) fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], u16> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.0[r])
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], u16> {
        Ok(self.bytes(ptr, N as u32)?.try_into().expect("N bytes"))
    }

    pub(crate) fn u8(&self, ptr: u32) -> Result<u8, u16> {
        Ok(self.array::<1>(ptr)?[0])
    }

    pub(crate) fn u16(&self, ptr: u32) -> Result<u16, u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    pub(crate) fn u32(&self, ptr: u32) -> Result<u32, u16> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    pub(crate) fn u64(&self, ptr: u32) -> Result<u64, u16> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    pub(crate) fn put(&mut self, ptr: u32, bytes: &[u8]) -> Res {
        self.bytes_mut(ptr, bytes.len() as u32)?.copy_from_slice(bytes);
        Ok(())
    }

    pub(crate) fn put_u16(&mut self, ptr: u32, v: u16) -> Res {
        self.put(ptr, &v.to_le_bytes())
    }

    pub(crate) fn put_u32(&mut self, ptr: u32, v: u32) -> Res {
        self.put(ptr, &v.to_le_bytes())
    }

    /// Fail with `EFAULT` unless `len` bytes at `ptr` are in memory (an out-pointer checked up front).
    pub(crate) fn check_range(&self, ptr: u32, len: u32) -> Res {
        self.range(ptr, len).map(|_| ())
    }

    /// A `__wasi_address_t`: the range of its buffer.
    fn address(&self, ptr: u32) -> Result<Range<usize>, u16> {
        let (buf, len) = (self.u32(ptr)?, self.u32(ptr + 4)?);
        self.range(buf, len)
    }

    /// An `iovec`/`ciovec` array, each buffer checked, the total capped at 4 GiB as WasmEdge does.
    fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<Range<usize>>, u16> {
        if count > IOV_MAX {
            return Err(INVAL);
        }
        self.check_range(ptr, count * 8)?;
        let mut total = 0u32;
        (0..count)
            .map(|i| {
                let (buf, len) = (self.u32(ptr + i * 8)?, self.u32(ptr + i * 8 + 4)?);
                let len = len.min(u32::MAX - total);
                total += len;
                self.range(buf, len)
            })
            .collect()
    }
}

/// One call's view: the WASI state and the caller's memory.
pub(crate) struct Cx<'a> {
    pub state: &'a mut WasiState,
    pub mem: Mem<'a>,
}

impl Cx<'_> {
    fn socket(&self, fd: u32) -> Result<Arc<Socket>, u16> {
        match self.state.sockets.get(&fd) {
            Some(s) => Ok(s.clone()),
            None if self.state.ctx.table().contains_key(fd) => Err(NOTSOCK),
            None => Err(BADF),
        }
    }

    fn push(&mut self, socket: Socket) -> Result<u32, u16> {
        let socket = Arc::new(socket);
        let file = Box::new(SocketFile(socket.clone()));
        let fd = self.state.ctx.push_file(file, FileAccessMode::READ | FileAccessMode::WRITE).map_err(|_| MFILE)?;
        self.state.sockets.insert(fd, socket);
        Ok(fd)
    }

    /// Refuse `addr` (with `EACCES`) when the network policy does.
    fn allowed(&self, what: &str, addr: &Addr) -> Res {
        match (addr, &self.state.net.policy) {
            (Addr::Ip(ip), Some(policy)) if !policy.check(what, *ip) => Err(ACCES),
            _ => Ok(()),
        }
    }

    /// The address a `__wasi_address_t` at `ptr` names: 4 or 16 bytes (IPv4, IPv6), or with `v2` also
    /// WasmEdge's 128-byte storage (a little-endian 16-bit family, then the address).
    fn sockaddr(&self, ptr: u32, port: u32, v2: bool) -> Result<Addr, u16> {
        let r = self.mem.address(ptr)?;
        let bytes = &self.mem.0[r];
        let port = port as u16;
        match bytes.len() {
            4 => Ok(ip4(&bytes[..4], port)),
            16 => Ok(ip6(&bytes[..16], port)),
            128 if v2 => match u16::from_le_bytes([bytes[0], bytes[1]]) {
                1 => Ok(ip4(&bytes[2..6], port)),
                2 => Ok(ip6(&bytes[2..18], port)),
                3 => {
                    let path = &bytes[2..2 + SUN_PATH];
                    let end = path.iter().position(|&b| b == 0).unwrap_or(SUN_PATH);
                    let addr = if end == 0 {
                        let name = &path[1..];
                        let len = name.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                        SocketAddrUnix::new_abstract_name(&name[..len])
                    } else {
                        SocketAddrUnix::new(std::path::Path::new(OsStr::from_bytes(&path[..end])))
                    };
                    addr.map(Addr::Unix).map_err(errno::from_host)
                }
                _ => Err(INVAL),
            },
            _ => Err(INVAL),
        }
    }
}

fn ip4(b: &[u8], port: u16) -> Addr {
    Addr::Ip(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b[0], b[1], b[2], b[3]), port)))
}

fn ip6(b: &[u8], port: u16) -> Addr {
    let octets: [u8; 16] = b.try_into().expect("16 bytes");
    Addr::Ip(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(octets), port, 0, 0)))
}

/// A host socket address as WasmEdge hands it to a guest: family, address bytes (4, 16 or `sun_path`'s
/// 108) and port in host order.
fn decode(addr: &SocketAddrAny) -> (Family, Vec<u8>, u16) {
    if let Ok(ip) = SocketAddr::try_from(addr.clone()) {
        return match ip {
            SocketAddr::V4(a) => (Family::Inet4, a.ip().octets().to_vec(), a.port()),
            SocketAddr::V6(a) => (Family::Inet6, a.ip().octets().to_vec(), a.port()),
        };
    }
    let mut path = vec![0u8; SUN_PATH];
    if let Ok(unix) = SocketAddrUnix::try_from(addr.clone()) {
        if let Some(p) = unix.path_bytes() {
            let n = p.len().min(SUN_PATH);
            path[..n].copy_from_slice(&p[..n]);
        } else if let Some(name) = unix.abstract_name() {
            let n = name.len().min(SUN_PATH - 1);
            path[1..1 + n].copy_from_slice(&name[..n]);
        }
    }
    (Family::Unix, path, 0)
}

fn host<T>(r: rustix::io::Result<T>) -> Result<T, u16> {
    r.map_err(errno::from_host)
}

// ---- the functions; `a` holds the raw i32 arguments ----

pub(crate) fn open(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let (af, ty, ro_fd) = (a[0], a[1], a[2]);
    cx.mem.check_range(ro_fd, 4)?;
    let family = match af as u8 {
        1 => Family::Inet4,
        2 => Family::Inet6,
        3 => Family::Unix,
        _ => return Err(INVAL),
    };
    if family == Family::Unix && !cx.state.net.allow_af_unix {
        return Err(NOSYS);
    }
    let kind = match ty as u8 {
        1 => Kind::Dgram,
        2 => Kind::Stream,
        _ => return Err(INVAL),
    };
    let socket = host(Socket::open(family, kind))?;
    let fd = cx.push(socket)?;
    cx.mem.put_u32(ro_fd, fd)
}

fn bind(cx: &mut Cx<'_>, a: &[u32], v2: bool) -> Res {
    let addr = cx.sockaddr(a[1], a[2], v2)?;
    let s = cx.socket(a[0])?;
    cx.allowed("bind to", &addr)?;
    host(s.bind(&addr))
}

pub(crate) fn bind_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    bind(cx, a, false)
}

pub(crate) fn bind_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    bind(cx, a, true)
}

fn connect(cx: &mut Cx<'_>, a: &[u32], v2: bool) -> Res {
    let addr = cx.sockaddr(a[1], a[2], v2)?;
    let s = cx.socket(a[0])?;
    cx.allowed("connect to", &addr)?;
    host(s.connect(&addr))
}

pub(crate) fn connect_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    connect(cx, a, false)
}

pub(crate) fn connect_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    connect(cx, a, true)
}

pub(crate) fn listen(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let s = cx.socket(a[0])?;
    host(s.listen(a[1] as i32))
}

fn accept(cx: &mut Cx<'_>, fd: u32, fdflags: u32, ro_fd: u32) -> Res {
    cx.mem.check_range(ro_fd, 4)?;
    // fdflags: APPEND 1, DSYNC 2, NONBLOCK 4, RSYNC 8, SYNC 16.
    if fdflags & !0x1f != 0 {
        return Err(INVAL);
    }
    let s = cx.socket(fd)?;
    // WasmEdge sets O_NONBLOCK on the listening socket here instead of the accepted one; we set it where
    // the WASI spec says.
    let accepted = host(s.accept(fdflags & 4 != 0))?;
    let new = cx.push(accepted)?;
    cx.mem.put_u32(ro_fd, new)
}

pub(crate) fn accept_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    accept(cx, a[0], 0, a[1])
}

pub(crate) fn accept_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    accept(cx, a[0], a[1], a[2])
}

/// Where a received datagram's sender goes.
enum Sender {
    Nowhere,
    /// `sock_recv_from` V1: the address bytes only.
    V1(Range<usize>),
    /// V2: the address (with the family when the buffer is 128 bytes) and the port.
    V2 {
        buf: Range<usize>,
        port: u32,
    },
}

/// `iov` is the iovec array and its length, `out` the pointers for the byte count and the flags.
fn receive(
    cx: &mut Cx<'_>,
    fd: u32,
    (iovs, iovs_len): (u32, u32),
    riflags: u32,
    from: Sender,
    (ro_len, ro_flags): (u32, u32),
) -> Res {
    let riflags = riflags as u16;
    if riflags & !3 != 0 {
        return Err(INVAL);
    }
    let ranges = cx.mem.iovecs(iovs, iovs_len)?;
    cx.mem.check_range(ro_len, 4)?;
    cx.mem.check_range(ro_flags, 2)?;
    let s = cx.socket(fd)?;
    let (peek, waitall) = (riflags & 1 != 0, riflags & 2 != 0);
    let want_from = !matches!(from, Sender::Nowhere);
    let live: Vec<&Range<usize>> = ranges.iter().filter(|r| !r.is_empty()).collect();
    let got = if live.len() <= 1 {
        let buf = match live.first() {
            Some(r) => &mut cx.mem.0[(*r).clone()],
            None => &mut [][..],
        };
        host(s.recv(buf, peek, waitall, want_from))?
    } else {
        let total = live.iter().map(|r| r.len()).sum::<usize>().min(SCATTER_MAX);
        let mut tmp = vec![0u8; total];
        let got = host(s.recv(&mut tmp, peek, waitall, want_from))?;
        let mut done = 0;
        for r in live {
            let n = r.len().min(got.len - done);
            cx.mem.0[r.start..r.start + n].copy_from_slice(&tmp[done..done + n]);
            done += n;
        }
        got
    };
    if let Some(addr) = &got.from {
        let (family, bytes, port) = decode(addr);
        match from {
            Sender::Nowhere => {}
            Sender::V1(buf) => {
                if family == Family::Unix && buf.len() < SUN_PATH {
                    return Err(INVAL);
                }
                if buf.len() >= bytes.len() {
                    cx.mem.0[buf.start..buf.start + bytes.len()].copy_from_slice(&bytes);
                }
            }
            Sender::V2 { buf, port: port_ptr } => {
                let start = if buf.len() == 128 {
                    cx.mem.0[buf.start..buf.start + 2].copy_from_slice(&u16::from(family.wasi()).to_le_bytes());
                    buf.start + 2
                } else {
                    buf.start
                };
                let room = buf.end - start;
                if family == Family::Unix && room < SUN_PATH {
                    return Err(INVAL);
                }
                if room >= bytes.len() {
                    cx.mem.0[start..start + bytes.len()].copy_from_slice(&bytes);
                }
                // WasmEdge stores `sin_port` as it is, in network byte order; a port is a number, and the
                // guest gets it in its own (little-endian) order, as `sock_getlocaladdr` gives it.
                cx.mem.put_u16(port_ptr, port)?;
            }
        }
    }
    cx.mem.put_u32(ro_len, got.len as u32)?;
    cx.mem.put_u16(ro_flags, u16::from(got.truncated))
}

pub(crate) fn recv(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    receive(cx, a[0], (a[1], a[2]), a[3], Sender::Nowhere, (a[4], a[5]))
}

pub(crate) fn recv_from_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let buf = cx.mem.address(a[3])?;
    receive(cx, a[0], (a[1], a[2]), a[4], Sender::V1(buf), (a[5], a[6]))
}

pub(crate) fn recv_from_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let buf = cx.mem.address(a[3])?;
    if !matches!(buf.len(), 4 | 16 | 128) {
        return Err(INVAL);
    }
    if a[4] as u16 & !3 != 0 {
        return Err(INVAL);
    }
    cx.mem.check_range(a[5], 2)?;
    receive(cx, a[0], (a[1], a[2]), a[4], Sender::V2 { buf, port: a[5] }, (a[6], a[7]))
}

fn transmit(cx: &mut Cx<'_>, fd: u32, iovs: u32, iovs_len: u32, siflags: u32, to: Option<Addr>, so_len: u32) -> Res {
    if siflags as u16 != 0 {
        return Err(INVAL);
    }
    let ranges = cx.mem.iovecs(iovs, iovs_len)?;
    cx.mem.check_range(so_len, 4)?;
    let s = cx.socket(fd)?;
    if let Some(addr) = &to {
        cx.allowed("send to", addr)?;
    }
    let bufs: Vec<IoSlice<'_>> = ranges.iter().map(|r| IoSlice::new(&cx.mem.0[r.clone()])).collect();
    let sent = host(s.send(&bufs, to.as_ref()))?;
    cx.mem.put_u32(so_len, sent as u32)
}

pub(crate) fn send(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    transmit(cx, a[0], a[1], a[2], a[3], None, a[4])
}

pub(crate) fn send_to_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let to = cx.sockaddr(a[3], a[4], false)?;
    transmit(cx, a[0], a[1], a[2], a[5], Some(to), a[6])
}

pub(crate) fn send_to_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let to = cx.sockaddr(a[3], a[4], true)?;
    transmit(cx, a[0], a[1], a[2], a[5], Some(to), a[6])
}

pub(crate) fn shutdown(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    use rustix::net::Shutdown;
    let how = match a[1] as u8 {
        // WasmEdge passes 0 on as SHUT_RD (0).
        0 | 1 => Shutdown::Read,
        2 => Shutdown::Write,
        3 => Shutdown::Both,
        _ => return Err(INVAL),
    };
    let s = cx.socket(a[0])?;
    host(s.shutdown(how))
}

/// `SOL_SOCKET` options by WasmEdge's numbering; the ones rustix has no safe call for say so.
fn option_name(level: u32, name: u32) -> Result<u32, u16> {
    if level != 0 || name > 14 {
        return Err(INVAL);
    }
    Ok(name)
}

fn i32_bytes(v: i32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// wasi-libc's `struct timeval`: 64-bit seconds and microseconds.
fn timeval(d: Option<std::time::Duration>) -> Vec<u8> {
    let d = d.unwrap_or_default();
    let mut v = (d.as_secs() as i64).to_le_bytes().to_vec();
    v.extend_from_slice(&i64::from(d.subsec_micros()).to_le_bytes());
    v
}

pub(crate) fn getsockopt(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let name = option_name(a[1], a[2])?;
    let (flag, size_ptr) = (a[3], a[4]);
    let size = cx.mem.u32(size_ptr)?;
    cx.mem.check_range(flag, size)?;
    let s = cx.socket(a[0])?;
    let fd = s.fd();
    let value = match name {
        0 => i32_bytes(host(sockopt::socket_reuseaddr(fd))?.into()),
        1 => i32_bytes(if s.kind == Kind::Dgram { 1 } else { 2 }),
        2 => i32_bytes(match sockopt::socket_error(fd) {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => errno::from_host(e).into(),
            Err(e) => return Err(errno::from_host(e)),
        }),
        4 => i32_bytes(host(sockopt::socket_broadcast(fd))?.into()),
        5 => i32_bytes(host(sockopt::socket_send_buffer_size(fd))? as i32),
        6 => i32_bytes(host(sockopt::socket_recv_buffer_size(fd))? as i32),
        7 => i32_bytes(host(sockopt::socket_keepalive(fd))?.into()),
        8 => i32_bytes(host(sockopt::socket_oobinline(fd))?.into()),
        9 => {
            let linger = host(sockopt::socket_linger(fd))?;
            let mut v = i32_bytes(linger.is_some().into());
            v.extend_from_slice(&(linger.unwrap_or_default().as_secs() as i32).to_le_bytes());
            v
        }
        11 => timeval(host(sockopt::socket_timeout(fd, sockopt::Timeout::Recv))?),
        12 => timeval(host(sockopt::socket_timeout(fd, sockopt::Timeout::Send))?),
        13 => i32_bytes(host(sockopt::socket_acceptconn(fd))?.into()),
        // SO_DONTROUTE, SO_RCVLOWAT, SO_BINDTODEVICE.
        _ => return Err(NOPROTOOPT),
    };
    let n = value.len().min(size as usize);
    cx.mem.put(flag, &value[..n])?;
    cx.mem.put_u32(size_ptr, n as u32)
}

pub(crate) fn setsockopt(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let name = option_name(a[1], a[2])?;
    let bytes = cx.mem.bytes(a[3], a[4])?.to_vec();
    let s = cx.socket(a[0])?;
    let fd = s.fd();
    let int = || -> Result<i32, u16> { Ok(i32::from_le_bytes(bytes.get(..4).ok_or(INVAL)?.try_into().expect("4"))) };
    let time = || -> Result<Option<std::time::Duration>, u16> {
        let b = bytes.get(..16).ok_or(INVAL)?;
        let secs = i64::from_le_bytes(b[..8].try_into().expect("8"));
        let micros = i64::from_le_bytes(b[8..].try_into().expect("8"));
        if secs < 0 || !(0..1_000_000).contains(&micros) {
            return Err(INVAL);
        }
        let d = std::time::Duration::from_secs(secs as u64) + std::time::Duration::from_micros(micros as u64);
        Ok((!d.is_zero()).then_some(d))
    };
    host(match name {
        0 => sockopt::set_socket_reuseaddr(fd, int()? != 0),
        4 => sockopt::set_socket_broadcast(fd, int()? != 0),
        5 => sockopt::set_socket_send_buffer_size(fd, int()?.max(0) as usize),
        6 => sockopt::set_socket_recv_buffer_size(fd, int()?.max(0) as usize),
        7 => sockopt::set_socket_keepalive(fd, int()? != 0),
        8 => sockopt::set_socket_oobinline(fd, int()? != 0),
        9 => {
            let on = int()? != 0;
            let secs = bytes.get(4..8).ok_or(INVAL)?;
            let secs = i32::from_le_bytes(secs.try_into().expect("4")).max(0) as u64;
            sockopt::set_socket_linger(fd, on.then(|| std::time::Duration::from_secs(secs)))
        }
        11 => sockopt::set_socket_timeout(fd, sockopt::Timeout::Recv, time()?),
        12 => sockopt::set_socket_timeout(fd, sockopt::Timeout::Send, time()?),
        // SO_TYPE, SO_ERROR and SO_ACCEPTCONN are read-only, as in the kernel.
        1 | 2 | 13 => Err(rustix::io::Errno::NOPROTOOPT),
        _ => return Err(NOPROTOOPT),
    })
}

fn address_of(cx: &mut Cx<'_>, fd: u32, peer: bool) -> Result<(Family, Vec<u8>, u16), u16> {
    let s = cx.socket(fd)?;
    let addr = if peer { host(s.peer_addr())? } else { Some(host(s.local_addr())?) };
    Ok(match addr {
        Some(a) => decode(&a),
        None => (Family::Unix, vec![0; SUN_PATH], 0),
    })
}

fn getaddr_v1(cx: &mut Cx<'_>, a: &[u32], peer: bool) -> Res {
    let buf = cx.mem.address(a[1])?;
    if !matches!(buf.len(), 4 | 16) {
        return Err(INVAL);
    }
    cx.mem.check_range(a[2], 4)?;
    cx.mem.check_range(a[3], 4)?;
    let (family, bytes, port) = address_of(cx, a[0], peer)?;
    if buf.len() < bytes.len() {
        return Err(NOMEM);
    }
    cx.mem.0[buf.start..buf.start + bytes.len()].copy_from_slice(&bytes);
    cx.mem.put_u32(a[3], port.into())?;
    // V1 reports the address type as 4 or 6, WasmEdge's kept-for-compatibility values.
    cx.mem.put_u32(a[2], if family == Family::Inet4 { 4 } else { 6 })
}

fn getaddr_v2(cx: &mut Cx<'_>, a: &[u32], peer: bool) -> Res {
    let buf = cx.mem.address(a[1])?;
    cx.mem.check_range(a[2], 4)?;
    if buf.len() != 128 {
        return Err(INVAL);
    }
    let (family, bytes, port) = address_of(cx, a[0], peer)?;
    cx.mem.0[buf.start + 2..buf.start + 2 + bytes.len()].copy_from_slice(&bytes);
    cx.mem.0[buf.start..buf.start + 2].copy_from_slice(&u16::from(family.wasi()).to_le_bytes());
    cx.mem.put_u32(a[2], port.into())
}

pub(crate) fn getlocaladdr_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    getaddr_v1(cx, a, false)
}

pub(crate) fn getpeeraddr_v1(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    getaddr_v1(cx, a, true)
}

pub(crate) fn getlocaladdr_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    getaddr_v2(cx, a, false)
}

pub(crate) fn getpeeraddr_v2(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    getaddr_v2(cx, a, true)
}

// getaddrinfo: Linux's values for the hints and results.
const AF_INET: i32 = 2;
const AF_INET6: i32 = 10;
const SOCK_STREAM: i32 = 1;
const SOCK_DGRAM: i32 = 2;
const IPPROTO_TCP: i32 = 6;
const IPPROTO_UDP: i32 = 17;
/// (WASI bit, Linux `AI_*` bit): PASSIVE, CANONNAME, NUMERICHOST, NUMERICSERV, V4MAPPED, ALL, ADDRCONFIG.
const AI_FLAGS: [(u16, i32); 7] = [(1, 0x1), (2, 0x2), (4, 0x4), (8, 0x400), (16, 0x8), (32, 0x10), (64, 0x20)];

/// The guest's pre-linked `__wasi_addrinfo_t` list entry: where each field and buffer is.
struct AddrinfoSlot {
    at: u32,
    sockaddr: u32,
    sa_data: u32,
    sa_data_cap: u32,
    canonname: u32,
    canonname_cap: u32,
}

pub(crate) fn getaddrinfo(cx: &mut Cx<'_>, a: &[u32]) -> Res {
    let [node, node_len, service, service_len, hints, res, max, res_len] = a[..8].try_into().expect("8 arguments");
    let node = cx.mem.bytes(node, node_len)?.to_vec();
    let service = cx.mem.bytes(service, service_len)?.to_vec();
    cx.mem.check_range(hints, 28)?;
    let first = cx.mem.u32(res)?;
    cx.mem.check_range(res_len, 4)?;
    if node.is_empty() && service.is_empty() {
        return Err(AINONAME);
    }
    if max < 1 {
        return Err(AIMEMORY);
    }
    let (flags, family, socktype, protocol) =
        (cx.mem.u16(hints)?, cx.mem.u8(hints + 2)?, cx.mem.u8(hints + 3)?, cx.mem.u8(hints + 4)?);
    if flags & !0x7f != 0 || (flags & 2 != 0 && node.is_empty()) {
        return Err(AIBADFLAG);
    }
    let family = match family {
        0 => 0,
        1 => AF_INET,
        2 => AF_INET6,
        _ => return Err(AIFAMILY),
    };
    let protocol = match protocol {
        0 => 0,
        1 => IPPROTO_TCP,
        2 => IPPROTO_UDP,
        _ => return Err(NOSYS),
    };
    let socktype = match socktype {
        0 => 0,
        1 => SOCK_DGRAM,
        2 => SOCK_STREAM,
        _ => return Err(NOSYS),
    };
    // Walk the guest's list first, as WasmEdge does: every entry it promised must be there.
    let mut slots = Vec::new();
    let mut at = first;
    for _ in 0..max.min(4096) {
        cx.mem.check_range(at, 28)?;
        let sockaddr = cx.mem.u32(at + 12)?;
        cx.mem.check_range(sockaddr, 12)?;
        let (sa_data_cap, sa_data) = (cx.mem.u32(sockaddr + 4)?, cx.mem.u32(sockaddr + 8)?);
        cx.mem.check_range(sa_data, sa_data_cap)?;
        let (canonname, canonname_cap) = (cx.mem.u32(at + 16)?, cx.mem.u32(at + 20)?);
        cx.mem.check_range(canonname, canonname_cap)?;
        slots.push(AddrinfoSlot { at, sockaddr, sa_data, sa_data_cap, canonname, canonname_cap });
        at = cx.mem.u32(at + 24)?;
    }
    let text = |b: &[u8]| -> Result<Option<String>, u16> {
        if b.is_empty() {
            return Ok(None);
        }
        String::from_utf8(b.to_vec()).map(Some).map_err(|_| AINONAME)
    };
    let (node, service) = (text(&node)?, text(&service)?);
    let host_flags = AI_FLAGS.iter().filter(|(w, _)| flags & w != 0).fold(0, |f, (_, h)| f | h);
    let hints = dns_lookup::AddrInfoHints { socktype, protocol, address: family, flags: host_flags };
    let found = dns_lookup::getaddrinfo(node.as_deref(), service.as_deref(), Some(hints)).map_err(|e| {
        use dns_lookup::LookupErrorKind as K;
        match e.kind() {
            K::Again => AIAGAIN,
            K::Badflags => AIBADFLAG,
            K::NoName => AINONAME,
            K::NoData => AINODATA,
            K::Fail => AIFAIL,
            K::Family => AIFAMILY,
            K::Socktype => AISOCKTYPE,
            K::Service => AISERVICE,
            K::Memory => AIMEMORY,
            K::System | K::IO => AISYSTEM,
            _ => AIFAIL,
        }
    })?;
    let mut count = 0u32;
    for (slot, info) in slots.iter().zip(found.filter_map(Result::ok)) {
        let wasi_flags = AI_FLAGS.iter().filter(|(_, h)| info.flags & h != 0).fold(0u16, |f, (w, _)| f | w);
        let socktype = match info.socktype {
            SOCK_DGRAM => 1u8,
            SOCK_STREAM => 2,
            _ => 0,
        };
        let protocol = match info.protocol {
            IPPROTO_TCP => 1u8,
            IPPROTO_UDP => 2,
            _ => 0,
        };
        // sa_data: what follows sa_family in the host's sockaddr_in / sockaddr_in6.
        let (fam, addrlen, sa_data) = match info.sockaddr {
            SocketAddr::V4(v4) => {
                let mut d = v4.port().to_be_bytes().to_vec();
                d.extend_from_slice(&v4.ip().octets());
                d.extend_from_slice(&[0; 8]);
                (1u8, 16u32, d)
            }
            SocketAddr::V6(v6) => {
                let mut d = v6.port().to_be_bytes().to_vec();
                d.extend_from_slice(&v6.flowinfo().to_be_bytes());
                d.extend_from_slice(&v6.ip().octets());
                d.extend_from_slice(&v6.scope_id().to_le_bytes());
                (2u8, 28u32, d)
            }
        };
        cx.mem.put_u16(slot.at, wasi_flags)?;
        cx.mem.put(slot.at + 2, &[fam, socktype, protocol])?;
        cx.mem.put_u32(slot.at + 8, addrlen)?;
        let name = info.canonname.unwrap_or_default();
        let n = name.len().min(slot.canonname_cap.saturating_sub(1) as usize);
        if slot.canonname_cap > 0 {
            cx.mem.put(slot.canonname, &name.as_bytes()[..n])?;
            cx.mem.put(slot.canonname + n as u32, &[0])?;
        }
        cx.mem.put_u32(slot.at + 20, n as u32)?;
        cx.mem.put(slot.sockaddr, &[fam])?;
        let n = sa_data.len().min(slot.sa_data_cap as usize);
        cx.mem.put(slot.sa_data, &sa_data[..n])?;
        cx.mem.put_u32(slot.sockaddr + 4, n as u32)?;
        count += 1;
    }
    cx.mem.put_u32(res_len, count)
}
