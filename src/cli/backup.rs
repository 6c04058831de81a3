//! `caisse backup` and `caisse restore`: run on the shop's server by the service's user,
//! on the journal file itself (like `caisse reconcile`), never through the socket.

use std::path::{Path, PathBuf};

use clap::Args;
use time::OffsetDateTime;

use crate::backup::{self, BackupError, Summary, names};
use crate::exit::{ExitCode, Failure};

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Fichier de la copie, ou dossier (la copie y est nommée journal-AAAAMMJJ-HHMMSS.db, heure UTC).
    #[arg(long, value_name = "CHEMIN")]
    pub to: PathBuf,
    /// Dans un dossier (créé s'il manque) : garde les N copies journal-*.db les plus récentes et efface les plus anciennes, rien d'autre.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Copie à remettre en place (écrite par caisse backup).
    #[arg(long, value_name = "FICHIER")]
    pub from: PathBuf,
    /// Restaure même si le journal actuel a des opérations que la copie n'a pas (il est d'abord mis de côté).
    #[arg(long)]
    pub force: bool,
}

fn journal_path(config_path: Option<&Path>) -> Result<PathBuf, Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    Ok(crate::wiring::journal_path(&config))
}

fn failure(e: BackupError) -> Failure {
    let code = match e {
        BackupError::NotAJournal { .. }
        | BackupError::TooNew { .. }
        | BackupError::CurrentIsNewer { .. }
        | BackupError::CurrentUnreadable { .. } => ExitCode::BadInput,
        _ => ExitCode::Config,
    };
    Failure {
        message: e.to_string(),
        code,
    }
}

pub fn backup(config_path: Option<&Path>, args: &BackupArgs) -> Result<(), Failure> {
    let journal = journal_path(config_path)?;
    // The journal first: a wrong configuration makes no backup directory.
    let source = backup::open_source(&journal).map_err(failure)?;
    let now = OffsetDateTime::now_utc();
    let into_dir = args.keep.is_some() || args.to.is_dir();
    if args.keep.is_some() && args.to.exists() && !args.to.is_dir() {
        return Err(Failure::bad_input(format!(
            "--keep s'emploie avec un dossier, et {} est un fichier : nommez le dossier des \
             copies",
            args.to.display()
        )));
    }
    if into_dir {
        create_dir(&args.to).map_err(failure)?;
        refuse_shared(&args.to)?;
    }
    let target = if into_dir {
        args.to.join(names::dated(now))
    } else {
        // The copy is written beside its name, then renamed over it: that directory must
        // be as closed as a backup directory.
        if let Some(parent) = args.to.parent().filter(|p| !p.as_os_str().is_empty()) {
            refuse_shared(parent)?;
        }
        args.to.clone()
    };
    refuse_the_journal(&journal, &target)?;
    let summary = backup::write_copy(&source, &target).map_err(failure)?;
    drop(source);
    print_summary("Sauvegarde écrite", &summary);
    if let Some(keep) = args.keep {
        rotate(&args.to, keep as usize, &target)?;
    }
    Ok(())
}

/// A copy renamed over the journal itself (or its `-wal`, `-shm`, lock) would leave the
/// running service writing to a file nobody can reach any more: every sale from then on
/// lost at its next start.
fn refuse_the_journal(journal: &Path, target: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;
    let same_file = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    let mut own = vec![journal.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal", ".verrou"] {
        let mut name = journal.as_os_str().to_owned();
        name.push(suffix);
        own.push(name.into());
    }
    if own.iter().any(|f| f == target || same_file(f, target)) {
        return Err(Failure::bad_input(format!(
            "{} est le journal lui-même (ou l'un de ses fichiers) : une copie ne peut pas le \
             remplacer ; nommez un autre fichier ou un dossier de copies",
            target.display()
        )));
    }
    Ok(())
}

/// A backup directory that does not exist yet is made, for its owner only.
fn create_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| BackupError::Unwritable {
            dir: dir.into(),
            reason: crate::backup::french(&e),
        })
}

/// A directory that other users may write to is no place for the journal's copies (phone
/// numbers and amounts): they could remove or swap a copy, or plant files for the rotation.
fn refuse_shared(dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).map_err(|e| failure(BackupError::io(dir, &e)))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let others_write = meta.mode() & 0o022 != 0;
    let someone_else = meta.uid() != me && meta.uid() != 0;
    if others_write || someone_else {
        return Err(Failure {
            message: format!(
                "le dossier {} peut être modifié par d'autres utilisateurs : les copies du \
                 journal n'y seraient pas à l'abri ; choisissez un dossier à vous, fermé aux \
                 autres (chmod 700)",
                dir.display()
            ),
            code: ExitCode::Config,
        });
    }
    Ok(())
}

/// Deletes the dated copies past the `keep` newest; any other file stays, and so does the
/// copy just `written` (a clock set back would otherwise date it as the oldest).
fn rotate(dir: &Path, keep: usize, written: &Path) -> Result<(), Failure> {
    let listing = std::fs::read_dir(dir).map_err(|e| failure(BackupError::io(dir, &e)))?;
    // Regular files only: a link or a directory under a dated name is not a copy of ours.
    let present: Vec<String> = listing
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let just_written = written.file_name().and_then(|n| n.to_str());
    let old: Vec<String> = names::to_delete(&present, keep)
        .into_iter()
        .filter(|name| Some(name.as_str()) != just_written)
        .collect();
    if names::to_delete(&present, keep)
        .iter()
        .any(|name| Some(name.as_str()) == just_written)
    {
        eprintln!(
            "Attention : la copie écrite est datée avant les {keep} plus récentes du dossier : \
             l'horloge de la machine a reculé ? (timedatectl) ; elle est gardée"
        );
    }
    for name in &old {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(|e| failure(BackupError::io(&path, &e)))?;
    }
    if !old.is_empty() {
        println!(
            "Rotation : {} copie(s) plus ancienne(s) effacée(s), les {keep} plus récentes gardées",
            old.len()
        );
    }
    Ok(())
}

pub fn restore(config_path: Option<&Path>, args: &RestoreArgs) -> Result<(), Failure> {
    let journal = journal_path(config_path)?;
    let now = OffsetDateTime::now_utc();
    let restored = backup::restore(&journal, &args.from, args.force, now).map_err(failure)?;
    if let Some(aside) = &restored.aside {
        println!("Journal précédent mis de côté : {}", aside.display());
    }
    print_summary("Journal restauré", &restored.journal);
    let version = restored.journal.schema_version;
    if version < crate::journal::CURRENT_VERSION {
        println!(
            "  il sera mis à jour (schéma {version} vers {}) à sa prochaine ouverture, après \
             une copie de sécurité",
            crate::journal::CURRENT_VERSION
        );
    }
    Ok(())
}

fn print_summary(title: &str, s: &Summary) {
    let newest = s
        .newest_at
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok())
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[day]/[month]/[year] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| "aucune".into());
    println!("{title} : {}", s.path.display());
    println!("  taille : {} octets", s.bytes);
    println!(
        "  opérations : {} (la plus récente : {newest})",
        s.operations
    );
    println!("  schéma : version {}", s.schema_version);
    println!("  durée : {} ms", s.duration.as_millis());
}
