//! WASI preview1 errno values, and the mapping from the host's `errno`.

use rustix::io::Errno as E;

pub(crate) const SUCCESS: u16 = 0;
pub(crate) const ACCES: u16 = 2;
pub(crate) const BADF: u16 = 8;
pub(crate) const FAULT: u16 = 21;
pub(crate) const INVAL: u16 = 28;
pub(crate) const IO: u16 = 29;
pub(crate) const MFILE: u16 = 33;
pub(crate) const NOMEM: u16 = 48;
pub(crate) const NOPROTOOPT: u16 = 50;
pub(crate) const NOSYS: u16 = 52;
pub(crate) const NOTSOCK: u16 = 57;
pub(crate) const AIAGAIN: u16 = 78;
pub(crate) const AIBADFLAG: u16 = 79;
pub(crate) const AIFAIL: u16 = 80;
pub(crate) const AIFAMILY: u16 = 81;
pub(crate) const AIMEMORY: u16 = 82;
pub(crate) const AINODATA: u16 = 83;
pub(crate) const AINONAME: u16 = 84;
pub(crate) const AISERVICE: u16 = 85;
pub(crate) const AISOCKTYPE: u16 = 86;
pub(crate) const AISYSTEM: u16 = 87;

/// The WASI errno for a host error (`EIO` for the few host errors WASI has no name for).
pub(crate) fn from_host(e: E) -> u16 {
    // The WASI list is alphabetical: 1 = E2BIG ... 76 = ENOTCAPABLE.
    const TABLE: [(E, u16); 75] = [
        (E::TOOBIG, 1),
        (E::ACCESS, 2),
        (E::ADDRINUSE, 3),
        (E::ADDRNOTAVAIL, 4),
        (E::AFNOSUPPORT, 5),
        (E::AGAIN, 6),
        (E::ALREADY, 7),
        (E::BADF, 8),
        (E::BADMSG, 9),
        (E::BUSY, 10),
        (E::CANCELED, 11),
        (E::CHILD, 12),
        (E::CONNABORTED, 13),
        (E::CONNREFUSED, 14),
        (E::CONNRESET, 15),
        (E::DEADLK, 16),
        (E::DESTADDRREQ, 17),
        (E::DOM, 18),
        (E::DQUOT, 19),
        (E::EXIST, 20),
        (E::FAULT, 21),
        (E::FBIG, 22),
        (E::HOSTUNREACH, 23),
        (E::IDRM, 24),
        (E::ILSEQ, 25),
        (E::INPROGRESS, 26),
        (E::INTR, 27),
        (E::INVAL, 28),
        (E::IO, 29),
        (E::ISCONN, 30),
        (E::ISDIR, 31),
        (E::LOOP, 32),
        (E::MFILE, 33),
        (E::MLINK, 34),
        (E::MSGSIZE, 35),
        (E::MULTIHOP, 36),
        (E::NAMETOOLONG, 37),
        (E::NETDOWN, 38),
        (E::NETRESET, 39),
        (E::NETUNREACH, 40),
        (E::NFILE, 41),
        (E::NOBUFS, 42),
        (E::NODEV, 43),
        (E::NOENT, 44),
        (E::NOEXEC, 45),
        (E::NOLCK, 46),
        (E::NOLINK, 47),
        (E::NOMEM, 48),
        (E::NOMSG, 49),
        (E::NOPROTOOPT, 50),
        (E::NOSPC, 51),
        (E::NOSYS, 52),
        (E::NOTCONN, 53),
        (E::NOTDIR, 54),
        (E::NOTEMPTY, 55),
        (E::NOTRECOVERABLE, 56),
        (E::NOTSOCK, 57),
        (E::NOTSUP, 58),
        (E::NOTTY, 59),
        (E::NXIO, 60),
        (E::OVERFLOW, 61),
        (E::OWNERDEAD, 62),
        (E::PERM, 63),
        (E::PIPE, 64),
        (E::PROTO, 65),
        (E::PROTONOSUPPORT, 66),
        (E::PROTOTYPE, 67),
        (E::RANGE, 68),
        (E::ROFS, 69),
        (E::SPIPE, 70),
        (E::SRCH, 71),
        (E::STALE, 72),
        (E::TIMEDOUT, 73),
        (E::TXTBSY, 74),
        (E::XDEV, 75),
    ];
    TABLE.iter().find(|(host, _)| *host == e).map_or(IO, |&(_, wasi)| wasi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values_are_wasi_preview1s() {
        assert_eq!(from_host(E::ADDRINUSE), 3);
        assert_eq!(from_host(E::CONNREFUSED), 14);
        assert_eq!(from_host(E::CONNRESET), 15);
        assert_eq!(from_host(E::WOULDBLOCK), 6);
        assert_eq!(from_host(E::NOTSOCK), NOTSOCK);
        assert_eq!(from_host(E::OPNOTSUPP), 58);
        assert_eq!(from_host(E::XDEV), 75);
        assert_eq!(from_host(E::from_raw_os_error(4095)), IO);
    }
}
