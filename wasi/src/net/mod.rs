//! Sockets as WasmEdge has them: its extension of `wasi_snapshot_preview1` (`sock_open`, `sock_bind`, …,
//! `sock_getaddrinfo`, the `_v2` variants and `epoll_oneoff`), on rustix. A socket lives in `wasi-common`'s
//! descriptor table like any file, so `fd_read`, `fd_write`, `fd_close` and `fd_fdstat_set_flags`
//! (non-blocking mode) work on it; the state also keeps its own table from descriptor to socket for the
//! `sock_*` functions, updated by `fd_close` and `fd_renumber`.
//!
//! Beyond WasmEdge: an optional [`NetPolicy`] limits the addresses a guest may bind, connect or send to.

mod abi;
pub(crate) mod errno;
mod policy;
mod poll;
mod socket;

use std::collections::HashMap;
use std::sync::Arc;

use wasmedge_host::{Caller, Error, FuncType, Linker, Store, Val, ValType};

pub use policy::{NetPolicy, NetRule};
pub(crate) use socket::Socket;

use crate::WasiView;
use abi::{Cx, Mem};

/// Networking options of a [`crate::WasiConfig`].
#[derive(Clone, Debug, Default)]
pub struct NetConfig {
    /// Let the guest open `AF_UNIX` sockets (WasmEdge's `--allow-af-unix`); without it `sock_open` of that
    /// family is `ENOSYS`. Unix socket paths are host paths, outside the preopened directories.
    pub allow_af_unix: bool,
    /// Which IP addresses the guest may use; `None` allows all (WasmEdge's behaviour).
    pub policy: Option<NetPolicy>,
}

/// The sockets of one WASI state, by descriptor.
pub(crate) type Sockets = HashMap<u32, Arc<Socket>>;

const MODULE: &str = "wasi_snapshot_preview1";

type Body = fn(&mut Cx<'_>, &[u32]) -> abi::Res;

/// Every function, its parameter count and body. WasmEdge's V1 and V2 generations share the bodies where
/// their behaviour is the same.
const FUNCTIONS: &[(&str, usize, Body)] = &[
    ("sock_open", 3, abi::open),
    ("sock_open_v2", 3, abi::open),
    ("sock_bind", 3, abi::bind_v1),
    ("sock_bind_v2", 3, abi::bind_v2),
    ("sock_connect", 3, abi::connect_v1),
    ("sock_connect_v2", 3, abi::connect_v2),
    ("sock_listen", 2, abi::listen),
    ("sock_listen_v2", 2, abi::listen),
    ("sock_accept", 2, abi::accept_v1),
    ("sock_accept_v2", 3, abi::accept_v2),
    ("sock_recv", 6, abi::recv),
    ("sock_recv_v2", 6, abi::recv),
    ("sock_recv_from", 7, abi::recv_from_v1),
    ("sock_recv_from_v2", 8, abi::recv_from_v2),
    ("sock_send", 5, abi::send),
    ("sock_send_v2", 5, abi::send),
    ("sock_send_to", 7, abi::send_to_v1),
    ("sock_send_to_v2", 7, abi::send_to_v2),
    ("sock_shutdown", 2, abi::shutdown),
    ("sock_getsockopt", 5, abi::getsockopt),
    ("sock_setsockopt", 5, abi::setsockopt),
    ("sock_getlocaladdr", 4, abi::getlocaladdr_v1),
    ("sock_getpeeraddr", 4, abi::getpeeraddr_v1),
    ("sock_getlocaladdr_v2", 3, abi::getlocaladdr_v2),
    ("sock_getpeeraddr_v2", 3, abi::getpeeraddr_v2),
    ("sock_getaddrinfo", 8, abi::getaddrinfo),
];

/// The names WasmEdge resolves by signature: an import of one of these whose type is not the V1 function's
/// gets `<name>_v2`.
const BY_SIGNATURE: &[&str] = &[
    "sock_open",
    "sock_bind",
    "sock_connect",
    "sock_listen",
    "sock_accept",
    "sock_recv",
    "sock_recv_from",
    "sock_send",
    "sock_send_to",
    "sock_getlocaladdr",
    "sock_getpeeraddr",
];

/// Every socket function this module adds to `wasi_snapshot_preview1` (and `epoll_oneoff`).
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.0).chain(["epoll_oneoff"])
}

fn raw(args: &[Val]) -> [u32; 8] {
    let mut a = [0u32; 8];
    for (slot, v) in a.iter_mut().zip(args) {
        if let Val::I32(x) = v {
            *slot = *x as u32;
        }
    }
    a
}

/// Run `body` with the caller's state and memory; the result is the errno.
fn call<T: WasiView>(
    caller: &mut Caller<'_, T>,
    args: &[Val],
    body: impl FnOnce(&mut Cx<'_>, &[u32]) -> abi::Res,
) -> i32 {
    let (data, bytes) = crate::bindings::state_and_memory(caller);
    let mut cx = Cx { state: data.wasi_state(), mem: Mem(bytes) };
    match body(&mut cx, &raw(args)) {
        Ok(()) => 0,
        Err(errno) => i32::from(errno),
    }
}

/// `poll_oneoff` of `wasi_snapshot_preview1`: ours for sets of sockets, `wasi-common`'s otherwise.
pub(crate) fn poll_oneoff<T: WasiView>(caller: &mut Caller<'_, T>, args: &[Val]) -> Result<i32, Error> {
    let mut ours = None;
    let errno = call(caller, args, |cx, a| {
        ours = poll::poll(cx, a);
        ours.unwrap_or(Ok(()))
    });
    match ours {
        Some(_) => Ok(errno),
        None => crate::bindings::wasi_common_poll(caller, args),
    }
}

/// Define the socket functions in `linker`, over `wasi-common`'s `sock_accept`, `sock_recv`, `sock_send`
/// and `sock_shutdown`.
pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>, store: &mut Store<T>) {
    for &(name, params, body) in FUNCTIONS {
        let ty = FuncType::new(vec![ValType::I32; params], [ValType::I32]);
        linker.func_new(store, MODULE, name, ty, move |mut caller, args, out| {
            out[0] = Val::I32(call(&mut caller, args, body));
            Ok(())
        });
    }
    let ty = FuncType::new([ValType::I32; 4], [ValType::I32]);
    linker.func_new(store, MODULE, "epoll_oneoff", ty, |mut caller, args, out| {
        // Level-triggered: a guest written for edge triggering drains each ready socket until EAGAIN, and
        // then sees it ready only when more data arrives, as with edge triggering.
        out[0] = Val::I32(poll_oneoff(&mut caller, args)?);
        Ok(())
    });
    for name in BY_SIGNATURE {
        linker.alternate(MODULE, name, &format!("{name}_v2"));
    }
}
