//! Unix accounts by name and id (`getpwnam_r`, `getpwuid_r`, `getgrgid_r`): which user
//! `caisse serve` runs as, and the names the fix commands need (`chown caisse:caisse …`).

use std::ffi::{CStr, CString};

/// A Unix user and its primary group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub group: String,
}

/// The unit's `User=`: what doctor expects to own the files.
pub const SERVICE_USER: &str = "caisse";

/// Whom the files should belong to: the user named with `--service-user`; else, run as
/// root, the `caisse` user (the unit runs the service as it: its absence is to fix); else
/// the user running doctor (a shop that runs `caisse serve` under its own account).
pub fn service_account(named: Option<&str>) -> Result<Account, String> {
    if let Some(name) = named {
        return by_name(name).ok_or_else(|| {
            format!("l'utilisateur « {name} » (--service-user) n'existe pas sur cette machine")
        });
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if me == 0 {
        return by_name(SERVICE_USER).ok_or_else(|| {
            format!(
                "l'utilisateur « {SERVICE_USER} » du service n'existe pas (ou donnez le vôtre : \
                 --service-user NOM)"
            )
        });
    }
    Ok(by_uid(me).unwrap_or_else(|| Account {
        uid: me,
        gid: me,
        name: me.to_string(),
        group: me.to_string(),
    }))
}

/// The size libc suggests for the `_r` functions' buffer, or a generous default.
fn buffer(kind: libc::c_int) -> Vec<libc::c_char> {
    // SAFETY: sysconf has no preconditions; -1 (no limit) falls back to the default.
    let size = unsafe { libc::sysconf(kind) };
    vec![0; if size > 0 { size as usize } else { 16 * 1024 }]
}

fn from_passwd(pw: &libc::passwd) -> Account {
    // SAFETY: the entry was filled by getpw*_r, whose strings live in our buffer.
    let name = unsafe { CStr::from_ptr(pw.pw_name) }
        .to_string_lossy()
        .into_owned();
    Account {
        uid: pw.pw_uid,
        gid: pw.pw_gid,
        group: group_name(pw.pw_gid).unwrap_or_else(|| pw.pw_gid.to_string()),
        name,
    }
}

pub fn by_name(name: &str) -> Option<Account> {
    let cname = CString::new(name).ok()?;
    let mut buf = buffer(libc::_SC_GETPW_R_SIZE_MAX);
    // SAFETY: zeroed passwd is a valid out-parameter; the buffer outlives its use below.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, the buffer's length is its own.
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &mut pw,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    (rc == 0 && !found.is_null()).then(|| from_passwd(&pw))
}

pub fn by_uid(uid: u32) -> Option<Account> {
    let mut buf = buffer(libc::_SC_GETPW_R_SIZE_MAX);
    // SAFETY: as in `by_name`.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: as in `by_name`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    (rc == 0 && !found.is_null()).then(|| from_passwd(&pw))
}

/// A user's name by id, for saying who owns a file; the number when it has none.
pub fn user_name(uid: u32) -> String {
    by_uid(uid)
        .map(|a| a.name)
        .unwrap_or_else(|| uid.to_string())
}

fn group_name(gid: u32) -> Option<String> {
    let mut buf = buffer(libc::_SC_GETGR_R_SIZE_MAX);
    // SAFETY: zeroed group is a valid out-parameter; the buffer outlives its use below.
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, the buffer's length is its own.
    let rc = unsafe { libc::getgrgid_r(gid, &mut gr, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return None;
    }
    // SAFETY: filled by getgrgid_r, the string lives in our buffer.
    Some(
        unsafe { CStr::from_ptr(gr.gr_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_by_name_and_id() {
        let root = by_name("root").expect("every Unix has root");
        assert_eq!(root.uid, 0);
        assert_eq!(by_uid(0).map(|a| a.name).as_deref(), Some("root"));
        assert_eq!(user_name(0), "root");
    }

    #[test]
    fn a_named_user_that_does_not_exist_is_said() {
        let why = service_account(Some("personne-ici-9f3")).unwrap_err();
        assert!(why.contains("« personne-ici-9f3 »"), "{why}");
    }
}
