//! The WASI host functions: each entry of the tables below is bound to the `wasi-common` function of the
//! same name. Arguments arrive as raw `i32`/`i64` values; `wiggle` decodes them, checks every guest pointer
//! against the memory slice it is given, and returns the errno (or a trap, or `proc_exit`'s status).

use wasi_common::snapshots::{preview_0::wasi_unstable as p0, preview_1::wasi_snapshot_preview1 as p1};
use wasmedge_host::{Caller, Error, FuncType, Linker, Store, Val, ValType, WasmTy};

use crate::WasiView;

/// What a WASI function returns on success: an errno, or nothing (`proc_exit`).
trait WasiRet {
    fn store(self, out: &mut [Val]);
}

impl WasiRet for i32 {
    fn store(self, out: &mut [Val]) {
        out[0] = Val::I32(self);
    }
}

impl WasiRet for () {
    fn store(self, _: &mut [Val]) {}
}

/// Turn a `wasi-common` failure into a trap, or into an exit request for `proc_exit`.
fn trap(function: &str, e: wiggle::error::Error) -> Error {
    match e.downcast_ref::<wasi_common::I32Exit>() {
        Some(exit) => Error::exit(exit.0),
        None => Error::host(format!("WASI {function}: {e}")),
    }
}

/// The errno WasmEdge returns for a bad guest argument that `wiggle` turns into a trap: a pointer out of
/// bounds or misaligned is `EFAULT` (WasmEdge checks bounds and returns `EFAULT`; the WASI witx docs say
/// "trap", which ends the guest instead of letting it handle the error), a flag or enum value with unknown
/// bits or out of range is `EINVAL`, a path that is not UTF-8 is `EILSEQ`.
fn guest_errno(e: &wiggle::error::Error) -> Option<i32> {
    use wiggle::GuestError as G;
    let mut g = e.chain().find_map(|c| c.downcast_ref::<G>())?;
    while let G::InFunc { err, .. } = g {
        g = err;
    }
    Some(match g {
        G::PtrOverflow | G::PtrOutOfBounds(_) | G::PtrNotAligned(..) | G::SliceLengthsDiffer => 21,
        G::InvalidFlagValue(_) | G::InvalidEnumValue(_) | G::TryFromIntError(_) => 28,
        G::InvalidUtf8(_) => 25,
        G::InFunc { .. } => return None,
    })
}

/// A failed call: a guest-argument error becomes its errno (in `out[0]`), anything else a trap.
fn failed(function: &str, e: wiggle::error::Error, out: &mut [Val]) -> Result<(), Error> {
    match (guest_errno(&e), out.first_mut()) {
        (Some(errno), Some(slot)) => {
            *slot = Val::I32(errno);
            Ok(())
        }
        _ => Err(trap(function, e)),
    }
}

/// The store data and the caller's memory 0 (empty when the module has no memory).
pub(crate) fn state_and_memory<'a, T: WasiView>(caller: &'a mut Caller<'_, T>) -> (&'a mut T, &'a mut [u8]) {
    if caller.memory(0).is_some() {
        caller.data_and_memory_mut(0).expect("memory 0 exists")
    } else {
        (caller.data_mut(), &mut [])
    }
}

/// Keep the socket table in step with the descriptor table after a successful `fd_close` or `fd_renumber`.
fn forget_sockets<T: WasiView>(state: &mut T, function: &str, args: &[Val]) {
    let fd = |i: usize| <i32 as WasmTy>::from_val(args[i]) as u32;
    let sockets = &mut state.wasi_state().sockets;
    match function {
        "fd_close" => {
            sockets.remove(&fd(0));
        }
        "fd_renumber" => {
            let moved = sockets.remove(&fd(0));
            sockets.remove(&fd(1));
            if let Some(socket) = moved {
                sockets.insert(fd(1), socket);
            }
        }
        _ => {}
    }
}

/// `wasi-common`'s `poll_oneoff` of `wasi_snapshot_preview1`.
pub(crate) fn wasi_common_poll<T: WasiView>(caller: &mut Caller<'_, T>, args: &[Val]) -> Result<i32, Error> {
    let a = |i: usize| <i32 as WasmTy>::from_val(args[i]);
    let (state, bytes) = state_and_memory(caller);
    let mut memory = wiggle::GuestMemory::Unshared(bytes);
    match wiggle::run_in_dummy_executor(p1::poll_oneoff(state.wasi(), &mut memory, a(0), a(1), a(2), a(3))) {
        Ok(Ok(errno)) => Ok(errno),
        Ok(Err(e)) | Err(e) => match guest_errno(&e) {
            Some(errno) => Ok(errno),
            None => Err(trap("poll_oneoff", e)),
        },
    }
}

macro_rules! results {
    () => {
        [ValType::I32]
    };
    (()) => {
        []
    };
}

/// `ENOTSOCK` (WASI errno 57) if descriptor `$fd` is open but not a socket: `wasi-common` answers `EBADF`
/// there, while POSIX (and WasmEdge) say "not a socket". The file type is read with `fd_filestat_get` into a
/// scratch buffer, so the guest's memory is untouched.
macro_rules! not_a_socket {
    ($imp:ident, $state:expr, $fd:expr) => {{
        let mut scratch = [0u8; 64];
        let mut memory = wiggle::GuestMemory::Unshared(&mut scratch);
        let fd = <i32 as WasmTy>::from_val($fd);
        match wiggle::run_in_dummy_executor($imp::fd_filestat_get($state.wasi(), &mut memory, fd, 0)) {
            // Filestat: device (8 bytes), inode (8), file type (1): 5 = datagram socket, 6 = stream socket.
            Ok(Ok(0)) if !matches!(scratch[16], 5 | 6) => Some(57),
            _ => None,
        }
    }};
}

macro_rules! wasi_module {
    ($add:ident, $names:ident, $module:literal, $imp:ident, {
        $( $name:ident ( $($arg:ident : $ty:ident),* ) $(-> $unit:tt)? ; )*
    }) => {
        #[doc = concat!("Every function of `", $module, "`.")]
        pub const $names: &[&str] = &[$(stringify!($name)),*];

        pub(crate) fn $add<T: WasiView + 'static>(linker: &mut Linker<T>, store: &mut Store<T>) {
            $(
                let ty = FuncType::new([$(<$ty as WasmTy>::TYPE),*], results!($($unit)?));
                linker.func_new(store, $module, stringify!($name), ty, |mut caller, _args, out| {
                    let mut _next = 0;
                    $(
                        let $arg = <$ty as WasmTy>::from_val(_args[_next]);
                        _next += 1;
                    )*
                    if $module == "wasi_snapshot_preview1" && stringify!($name) == "poll_oneoff" {
                        out[0] = Val::I32(crate::net::poll_oneoff(&mut caller, _args)?);
                        return Ok(());
                    }
                    let (state, bytes) = state_and_memory(&mut caller);
                    if stringify!($name) == "sock_shutdown"
                        && let Some(errno) = not_a_socket!($imp, state, _args[0])
                    {
                        out[0] = Val::I32(errno);
                        return Ok(());
                    }
                    let mut memory = wiggle::GuestMemory::Unshared(bytes);
                    let result = wiggle::run_in_dummy_executor($imp::$name(state.wasi(), &mut memory, $($arg),*));
                    match result {
                        Ok(Ok(ret)) => {
                            WasiRet::store(ret, out);
                            if matches!(out.first(), Some(Val::I32(0))) {
                                forget_sockets(state, stringify!($name), _args);
                            }
                            Ok(())
                        }
                        Ok(Err(e)) | Err(e) => failed(stringify!($name), e, out),
                    }
                });
            )*
        }
    };
}

/// The functions both snapshots share, with the same raw signatures; `$extra` adds snapshot-specific ones.
macro_rules! common_functions {
    ($add:ident, $names:ident, $module:literal, $imp:ident, { $($extra:tt)* }) => {
        wasi_module!($add, $names, $module, $imp, {
            args_get(argv: i32, argv_buf: i32);
            args_sizes_get(argc: i32, argv_buf_size: i32);
            environ_get(environ: i32, environ_buf: i32);
            environ_sizes_get(count: i32, buf_size: i32);
            clock_res_get(id: i32, resolution: i32);
            clock_time_get(id: i32, precision: i64, time: i32);
            fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
            fd_allocate(fd: i32, offset: i64, len: i64);
            fd_close(fd: i32);
            fd_datasync(fd: i32);
            fd_fdstat_get(fd: i32, stat: i32);
            fd_fdstat_set_flags(fd: i32, flags: i32);
            fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
            fd_filestat_get(fd: i32, stat: i32);
            fd_filestat_set_size(fd: i32, size: i64);
            fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32);
            fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32);
            fd_prestat_get(fd: i32, prestat: i32);
            fd_prestat_dir_name(fd: i32, path: i32, path_len: i32);
            fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32);
            fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
            fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32);
            fd_renumber(fd: i32, to: i32);
            fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32);
            fd_sync(fd: i32);
            fd_tell(fd: i32, offset: i32);
            fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
            path_create_directory(fd: i32, path: i32, path_len: i32);
            path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, stat: i32);
            path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst: i32);
            path_link(old_fd: i32, old_flags: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
            path_open(fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, base: i64, inheriting: i64, fdflags: i32, opened: i32);
            path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32);
            path_remove_directory(fd: i32, path: i32, path_len: i32);
            path_rename(fd: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
            path_symlink(old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32);
            path_unlink_file(fd: i32, path: i32, path_len: i32);
            poll_oneoff(subs: i32, events: i32, nsubs: i32, nevents: i32);
            proc_exit(status: i32) -> ();
            proc_raise(signal: i32);
            sched_yield();
            random_get(buf: i32, buf_len: i32);
            sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_len: i32, ro_flags: i32);
            sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_len: i32);
            sock_shutdown(fd: i32, how: i32);
            $($extra)*
        });
    };
}

common_functions!(add_preview1, PREVIEW1, "wasi_snapshot_preview1", p1, {
    sock_accept(fd: i32, flags: i32, new_fd: i32);
});

common_functions!(add_preview0, PREVIEW0, "wasi_unstable", p0, {});
