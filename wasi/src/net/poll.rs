//! `poll_oneoff` (and WasmEdge's `epoll_oneoff`) when sockets are involved. `wasi-common`'s own poll reports
//! every descriptor of the set as ready once any one is, so a server polling many connections would block
//! on the idle ones. When every descriptor subscription names one of our sockets, we poll them here with
//! `poll(2)` and report exactly the ready ones; any other set (files, stdin, clocks alone, absolute clock
//! times) goes to `wasi-common` unchanged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};

use super::abi::{Cx, Res};
use super::errno::{self, BADF, FAULT, INVAL, SUCCESS};
use super::socket::Socket;

const SUBSCRIPTION: u32 = 48;
const EVENT: u32 = 32;

enum Sub {
    /// A relative timeout on the realtime or monotonic clock.
    Clock {
        userdata: u64,
        after: Duration,
    },
    Fd {
        userdata: u64,
        write: bool,
        socket: Arc<Socket>,
    },
}

/// Poll, or `None` when the subscriptions are not (only) sockets.
pub(crate) fn poll(cx: &mut Cx<'_>, a: &[u32]) -> Option<Res> {
    let [subs, events, nsubs, nevents] = a[..4].try_into().expect("4 arguments");
    if nsubs == 0 {
        return None;
    }
    let mut list = Vec::with_capacity(nsubs.min(65536) as usize);
    for i in 0..nsubs {
        let at = subs.checked_add(i.checked_mul(SUBSCRIPTION)?)?;
        let userdata = cx.mem.u64(at).ok()?;
        match cx.mem.u8(at + 8).ok()? {
            0 => {
                let (clock, timeout, flags) =
                    (cx.mem.u32(at + 16).ok()?, cx.mem.u64(at + 24).ok()?, cx.mem.u16(at + 40).ok()?);
                if clock > 1 || flags & 1 != 0 {
                    return None;
                }
                list.push(Sub::Clock { userdata, after: Duration::from_nanos(timeout) });
            }
            tag @ (1 | 2) => {
                let fd = cx.mem.u32(at + 16).ok()?;
                let socket = cx.state.sockets.get(&fd)?.clone();
                list.push(Sub::Fd { userdata, write: tag == 2, socket });
            }
            _ => return None,
        }
    }
    if !list.iter().any(|s| matches!(s, Sub::Fd { .. })) {
        return None;
    }
    Some(run(cx, &list, events, nsubs, nevents))
}

fn run(cx: &mut Cx<'_>, list: &[Sub], events: u32, nsubs: u32, nevents: u32) -> Res {
    cx.mem.check_range(events, nsubs.checked_mul(EVENT).ok_or(FAULT)?)?;
    cx.mem.check_range(nevents, 4)?;
    let timeout = list
        .iter()
        .filter_map(|s| match s {
            Sub::Clock { after, .. } => Some(*after),
            Sub::Fd { .. } => None,
        })
        .min();
    let start = Instant::now();
    let mut fds: Vec<PollFd<'_>> = list
        .iter()
        .filter_map(|s| match s {
            Sub::Fd { write, socket, .. } => {
                Some(PollFd::from_borrowed_fd(socket.fd(), if *write { PollFlags::OUT } else { PollFlags::IN }))
            }
            Sub::Clock { .. } => None,
        })
        .collect();
    loop {
        let left = timeout.map(|t| t.saturating_sub(start.elapsed()));
        let spec = left.map(|d| Timespec { tv_sec: d.as_secs() as i64, tv_nsec: i64::from(d.subsec_nanos()) });
        match rustix::event::poll(&mut fds, spec.as_ref()) {
            Ok(_) => break,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(errno::from_host(e)),
        }
    }
    let elapsed = start.elapsed();
    let mut out = Vec::new();
    let mut polled = fds.iter();
    for s in list {
        match s {
            Sub::Fd { userdata, write, socket } => {
                let revents = polled.next().expect("one pollfd per descriptor").revents();
                if revents.is_empty() {
                    continue;
                }
                let (error, nbytes) = if revents.contains(PollFlags::NVAL) {
                    (BADF, 0)
                } else if *write {
                    (SUCCESS, 0)
                } else {
                    (SUCCESS, socket.ready_bytes())
                };
                let hangup = revents.intersects(PollFlags::HUP | PollFlags::ERR);
                out.push(event(*userdata, error, if *write { 2 } else { 1 }, nbytes, hangup));
            }
            Sub::Clock { userdata, after } => {
                if *after <= elapsed {
                    out.push(event(*userdata, SUCCESS, 0, 0, false));
                }
            }
        }
    }
    // A timeout that poll(2) rounded down: report the earliest clock rather than nothing.
    if out.is_empty() {
        let earliest = list.iter().find_map(|s| match s {
            Sub::Clock { userdata, after } if Some(*after) == timeout => Some(*userdata),
            _ => None,
        });
        match earliest {
            Some(userdata) => out.push(event(userdata, SUCCESS, 0, 0, false)),
            None => return Err(INVAL),
        }
    }
    for (i, e) in out.iter().enumerate() {
        cx.mem.put(events + i as u32 * EVENT, e)?;
    }
    cx.mem.put_u32(nevents, out.len() as u32)
}

/// A `__wasi_event_t`: userdata, error, type, then for descriptors the byte count and the hang-up flag.
fn event(userdata: u64, error: u16, kind: u8, nbytes: u64, hangup: bool) -> [u8; EVENT as usize] {
    let mut e = [0u8; EVENT as usize];
    e[..8].copy_from_slice(&userdata.to_le_bytes());
    e[8..10].copy_from_slice(&error.to_le_bytes());
    e[10] = kind;
    if kind != 0 {
        e[16..24].copy_from_slice(&nbytes.to_le_bytes());
        e[24..26].copy_from_slice(&u16::from(hangup).to_le_bytes());
    }
    e
}
