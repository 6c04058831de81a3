//! Copies of the journal: `caisse backup` (a consistent copy of the live journal while the
//! counters sell), `caisse restore` (a copy put back, the current journal set aside first)
//! and the copy taken before a migration (`journal::schema`). Every copy goes through
//! SQLite's online backup API, is written under a temporary name in its target directory,
//! checked (`integrity_check`) and only then renamed into place: a copy is never seen
//! half-written under its final name.

mod before_migration;
mod copy;
pub mod names;
mod restore;
pub mod service_lock;

use std::path::{Path, PathBuf};

pub use before_migration::copy_before_migration;
pub use copy::{Summary, open_source, write_copy};
pub use restore::{Restored, restore};

/// Why a copy or a restore did not happen. Every message says what to do; none names a
/// secret (the journal holds no key, and paths are the operator's own).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "journal introuvable : {} ; lancez la commande avec la configuration du service \
         (--config, CAISSE_DB ou [journal] path), en tant qu'utilisateur caisse",
        .0.display()
    )]
    JournalMissing(PathBuf),
    #[error(
        "disque plein en écrivant {} : libérez de la place ou choisissez un autre disque ; \
         rien n'a été remplacé",
        .0.display()
    )]
    DiskFull(PathBuf),
    #[error(
        "impossible d'écrire dans {} ({reason}) : choisissez un dossier existant où \
         l'utilisateur qui lance caisse peut écrire ; rien n'a été remplacé",
        dir.display()
    )]
    Unwritable { dir: PathBuf, reason: String },
    #[error(
        "{} n'est pas un journal caisse lisible ({reason}) : choisissez un fichier écrit \
         par caisse backup ; rien n'a été modifié",
        path.display()
    )]
    NotAJournal { path: PathBuf, reason: String },
    #[error(
        "{} est au schéma {found}, cette version de caisse s'arrête au schéma {supported} : \
         mettez caisse à jour avant de restaurer ; rien n'a été modifié",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "la copie de {} est abîmée ({detail}) : elle a été effacée ; vérifiez le disque, \
         puis recommencez",
        source_path.display()
    )]
    CopyDamaged {
        source_path: PathBuf,
        detail: String,
    },
    #[error(
        "caisse serve utilise ce journal ({}) : arrêtez le service d'abord (systemctl stop \
         caisse), puis relancez la restauration",
        .0.display()
    )]
    ServiceRunning(PathBuf),
    #[error(
        "{} appartient à un autre utilisateur que celui qui lance la restauration : lancez-la \
         en tant que cet utilisateur (runuser -u caisse -- caisse restore …), sinon le service \
         ne pourrait plus écrire ce qu'elle crée ; rien n'a été modifié",
        .0.display()
    )]
    OtherOwner(PathBuf),
    #[error(
        "le journal actuel a {missing} ligne(s) absente(s) de la sauvegarde (opérations, \
         événements, tiroirs, clôtures, caissiers) et {changed} opération(s) plus avancée(s) \
         que dans la sauvegarde : la restauration les perdrait ; vérifiez \
         que c'est la bonne sauvegarde, et pour restaurer quand même (le journal actuel est \
         d'abord mis de côté) ajoutez --force"
    )]
    CurrentIsNewer { missing: i64, changed: i64 },
    #[error(
        "le journal actuel {} ne se lit pas ({reason}) : impossible de vérifier ce que la \
         restauration lui ferait perdre ; s'il est abîmé, restaurez avec --force (il est \
         d'abord mis de côté tel quel)",
        path.display()
    )]
    CurrentUnreadable { path: PathBuf, reason: String },
    #[error("{} : {reason}", path.display())]
    Io { path: PathBuf, reason: String },
}

impl BackupError {
    /// An SQLite error met while working on `path`, in the operator's words: a full disk
    /// says so, anything else gives SQLite's own reason.
    pub(crate) fn sqlite(path: &Path, e: rusqlite::Error) -> BackupError {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            match f.code {
                rusqlite::ErrorCode::DiskFull => return BackupError::DiskFull(path.into()),
                rusqlite::ErrorCode::NotADatabase => {
                    return BackupError::NotAJournal {
                        path: path.into(),
                        reason: "ce n'est pas une base SQLite".into(),
                    };
                }
                rusqlite::ErrorCode::DatabaseCorrupt => {
                    return BackupError::NotAJournal {
                        path: path.into(),
                        reason: "fichier abîmé".into(),
                    };
                }
                _ => {}
            }
        }
        BackupError::Io {
            path: path.into(),
            reason: format!("erreur SQLite : {e}"),
        }
    }

    /// A file-system error met while working on `path`.
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> BackupError {
        if is_disk_full(e) {
            return BackupError::DiskFull(path.into());
        }
        BackupError::Io {
            path: path.into(),
            reason: french(e),
        }
    }
}

/// The system's reason in French, for the errors an operator meets here (the system's own
/// text is English).
pub(crate) fn french(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let said = match e.kind() {
        K::NotFound => "le dossier ou le fichier n'existe pas",
        K::PermissionDenied => "permission refusée",
        K::ReadOnlyFilesystem => "système de fichiers en lecture seule",
        K::AlreadyExists => "un fichier de ce nom existe déjà",
        K::NotADirectory => "un élément du chemin n'est pas un dossier",
        K::IsADirectory => "c'est un dossier",
        _ if is_disk_full(e) => "disque plein",
        _ => return e.to_string(),
    };
    said.to_owned()
}

/// ENOSPC, or a quota reached (EDQUOT): both mean "no room left" to the operator.
fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || e.raw_os_error() == Some(libc::ENOSPC)
}
