//! Who is on the other end of the socket: the Unix user from the kernel's peer credentials
//! (`SO_PEERCRED`), which the caller cannot forge, and its name from the user database.

use std::ffi::CStr;

/// The calling process's real user id.
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The login name of `uid` (NSS, so LDAP users work too), or `uid:N` when it has none.
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    // SAFETY: `pwd` is plain data that getpwuid_r fills; `buf` outlives every pointer into it
    // (pw_name points into `buf`), and its length is passed alongside.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        );
        if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
            return CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
        }
    }
    format!("uid:{uid}")
}

/// Large freed blocks go back to the system at once (glibc keeps them otherwise): a burst
/// of PIN checks (argon2, about 20 MiB each) must not leave the service hundreds of MiB
/// bigger.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; 128 KiB is glibc's own default
    // threshold, fixed here so that it no longer grows dynamically.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Sets the process's file-creation mask (the service creates its journal and socket
/// readable by itself only, whatever the shell it was started from).
pub fn set_umask(mask: u32) {
    // SAFETY: umask has no preconditions and cannot fail.
    unsafe {
        libc::umask(mask as libc::mode_t);
    }
}

/// Raises the process's soft limit on open files to its hard limit, and returns the soft
/// limit now in force. Each connection to `caisse serve` is a file descriptor, and the soft
/// limit a session starts with (1,024 under systemd unless `LimitNOFILE=` says otherwise) is
/// often far below what the hard limit allows.
pub fn raise_open_files_limit() -> std::io::Result<libc::rlim_t> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given; raising the soft limit up to
        // the hard one needs no privilege.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        limit = raised;
    }
    Ok(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_files_limit_is_raised_to_the_hard_one() {
        let raised = super::raise_open_files_limit().unwrap();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!((raised, limit.rlim_cur), (limit.rlim_max, limit.rlim_max));
    }

    #[test]
    fn root_is_root_and_unknown_uids_get_a_number() {
        assert_eq!(super::user_name(0), "root");
        assert_eq!(super::user_name(4_000_000_000), "uid:4000000000");
    }
}
