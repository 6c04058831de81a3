//! `caisse backup` into a directory: dated names, the rotation, and the targets refused
//! (shared, unwritable, missing, full) with nothing left behind.

use std::path::PathBuf;

use super::support::cli::text;
use super::{full_disk, ids, journal_with, mount, names_in, run, umount};

#[test]
fn a_backup_into_a_directory_is_dated_and_keep_deletes_only_older_dated_copies() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a", "b"]);
    let dir = h.join("sauvegardes");
    std::fs::create_dir(&dir).unwrap();
    for name in [
        "journal-20200101-000000.db",
        "journal-20200102-000000.db",
        "journal-20200103-000000.db",
        "notes.txt",
        "journal-20200101-000000.db.bak",
    ] {
        std::fs::write(dir.join(name), "ancienne").unwrap();
    }
    // A directory or a link under a dated name is not a copy: it stays, and so does the
    // file the link points to.
    std::fs::create_dir(dir.join("journal-19990101-000000.db")).unwrap();
    let elsewhere = h.join("ailleurs.txt");
    std::fs::write(&elsewhere, "à garder").unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("journal-19980101-000000.db")).unwrap();
    let out = run(h, &["backup", "--to", dir.to_str().unwrap(), "--keep", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("2 copie(s) plus ancienne(s) effacée(s)"));
    let names = names_in(&dir);
    let new: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("journal-20") && !n.starts_with("journal-2020"))
        .collect();
    assert_eq!(new.len(), 1, "{names:?}");
    assert_eq!(ids(&dir.join(new[0])), ["a", "b"]);
    let mut want = vec![
        "journal-19980101-000000.db".to_owned(),
        "journal-19990101-000000.db".to_owned(),
        "journal-20200101-000000.db.bak".to_owned(),
        "journal-20200103-000000.db".to_owned(),
        new[0].clone(),
        "notes.txt".to_owned(),
    ];
    want.sort();
    assert_eq!(names, want);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "à garder");
}

#[test]
fn a_backup_directory_other_users_can_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let shared = h.join("partage");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = run(
        h,
        &["backup", "--to", shared.to_str().unwrap(), "--keep", "3"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("peut être modifié par d'autres utilisateurs"),
        "{}",
        text(&out)
    );
    assert!(names_in(&shared).is_empty());
}

/// A directory nobody may write to: for root (whom permissions do not stop) a read-only
/// tmpfs, otherwise a directory without the write bit.
struct Unwritable {
    path: PathBuf,
    mounted: bool,
    _dir: tempfile::TempDir,
}

impl Unwritable {
    fn new() -> Unwritable {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lecture-seule");
        std::fs::create_dir(&path).unwrap();
        let mounted = unsafe { libc::geteuid() } == 0;
        if mounted {
            mount(&path, "ro,size=64k,mode=0700");
        } else {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o500)).unwrap();
        }
        Unwritable {
            path,
            mounted,
            _dir: dir,
        }
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.mounted {
            umount(&self.path);
        } else {
            let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o700));
        }
    }
}

#[test]
fn an_unwritable_target_is_refused_in_french_and_leaves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let target = Unwritable::new();
    let out = run(h, &["backup", "--to", target.path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("impossible d'écrire dans"),
        "{}",
        text(&out)
    );
    assert!(names_in(&target.path).is_empty());
}

#[test]
fn a_wrong_path_or_a_missing_journal_is_refused_in_french() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = run(h, &["backup", "--to", h.join("copie.db").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("journal introuvable"), "{}", text(&out));
    assert!(!h.join("journal.db").exists(), "no empty journal made");
    journal_with(&h.join("journal.db"), &["a"]);
    let nowhere = h.join("pas-de-dossier").join("copie.db");
    let out = run(h, &["backup", "--to", nowhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("le dossier ou le fichier n'existe pas"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_full_disk_is_refused_in_french_and_leaves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let ids_: Vec<String> = (0..200).map(|i| format!("op-{i:04}")).collect();
    journal_with(
        &h.join("journal.db"),
        &ids_.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let Some((_dir, disk)) = full_disk("size=64k,mode=0700") else {
        return;
    };
    let out = run(
        h,
        &["backup", "--to", disk.to_str().unwrap(), "--keep", "3"],
    );
    let names = names_in(&disk);
    umount(&disk);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("disque plein"), "{}", text(&out));
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_link_planted_at_the_target_name_is_replaced_never_written_through() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let victim = h.join("victime.txt");
    std::fs::write(&victim, "à ne pas écraser").unwrap();
    let target = h.join("copie.db");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    let out = run(h, &["backup", "--to", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "à ne pas écraser"
    );
    assert!(target.symlink_metadata().unwrap().file_type().is_file());
    assert_eq!(ids(&target), ["a"]);
}

/// `--to` naming the journal itself (or its WAL) is refused: renamed over it, the copy
/// would leave a running service writing to a file nobody can reach any more.
#[test]
fn a_backup_over_the_journal_itself_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    for target in [
        journal.clone(),
        h.join("journal.db-wal"),
        h.join("./journal.db"),
    ] {
        let out = run(h, &["backup", "--to", target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("est le journal lui-même"),
            "{}",
            text(&out)
        );
    }
    assert_eq!(ids(&journal), ["a"]);
}

/// A clock set back dates the new copy before the kept ones: the rotation keeps it anyway
/// and says why, rather than deleting the copy it has just written.
#[test]
fn the_rotation_never_deletes_the_copy_just_written() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let dir = h.join("sauvegardes");
    std::fs::create_dir(&dir).unwrap();
    for name in ["journal-29990101-000000.db", "journal-29990102-000000.db"] {
        std::fs::write(dir.join(name), "du futur").unwrap();
    }
    let out = run(h, &["backup", "--to", dir.to_str().unwrap(), "--keep", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("l'horloge de la machine a reculé"),
        "{}",
        text(&out)
    );
    let names = names_in(&dir);
    let written: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with("journal-2999"))
        .collect();
    assert_eq!(written.len(), 1, "the new copy is kept: {names:?}");
    assert_eq!(ids(&dir.join(written[0])), ["a"]);
}
