//! Owners and modes of the files the service keeps, against the layout of
//! `debian/caisse.service` and `docs/kiosk.md`: the configuration 0600, the journal's directory
//! 0700 and its files (with `-wal`, `-shm`) closed to others, the socket's directory 0711 (the
//! cashiers reach the socket by name, cannot list), all owned by the service's user.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::users::{Account, user_name};
use super::{Check, shell_word, sudo};

/// What each kind of path must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The keys: the owner only, and the owner must read it.
    ConfigFile,
    /// The journal's directory: the owner only, who must write and enter it.
    JournalDir,
    /// The journal and its `-wal`/`-shm`: the owner reads and writes, others nothing.
    JournalFile,
    /// The socket's directory: exactly 0711, like the unit's RuntimeDirectoryMode.
    SocketDir,
}

impl Place {
    /// The mode the fix command sets.
    pub fn wanted(self) -> u32 {
        match self {
            Place::ConfigFile | Place::JournalFile => 0o600,
            Place::JournalDir => 0o700,
            Place::SocketDir => 0o711,
        }
    }

    /// Why `mode` is wrong for this place, in French; `None` when it is right.
    pub fn mode_problem(self, mode: u32) -> Option<&'static str> {
        let mode = mode & 0o7777;
        match self {
            Place::ConfigFile if mode & 0o077 != 0 => {
                Some("lisible par d'autres que son propriétaire alors qu'il contient les clés")
            }
            Place::ConfigFile if mode & 0o400 == 0 => Some("illisible pour son propriétaire"),
            Place::JournalDir if mode & 0o077 != 0 => {
                Some("ouvert à d'autres que son propriétaire (le journal de chaque paiement)")
            }
            Place::JournalDir if mode & 0o700 != 0o700 => {
                Some("son propriétaire ne peut pas y écrire")
            }
            Place::JournalFile if mode & 0o007 != 0 => {
                Some("lisible par tous les utilisateurs de la machine")
            }
            Place::JournalFile if mode & 0o600 != 0o600 => {
                Some("son propriétaire ne peut pas le lire et l'écrire")
            }
            Place::SocketDir if mode & 0o777 != 0o711 => Some(
                "doit être 0711 : les caissiers atteignent le socket par son nom sans pouvoir \
                 lister le dossier",
            ),
            _ => None,
        }
    }
}

/// The checks of every path that is known: the configuration file, the journal's
/// directory and files, the socket's directory.
pub fn checks(
    config: Option<&Path>,
    journal: Option<&Path>,
    socket: Option<&Path>,
    owner: &Account,
) -> Vec<Check> {
    let mut checks = Vec::new();
    match config {
        Some(path) => checks.push(one(
            "Fichier de configuration",
            path,
            Place::ConfigFile,
            owner,
        )),
        None => checks.push(Check::not_configured(
            "Fichier de configuration",
            "aucun fichier (mode démo)",
        )),
    }
    if let Some(journal) = journal {
        if let Some(dir) = journal.parent().filter(|d| !d.as_os_str().is_empty()) {
            checks.push(one("Dossier du journal", dir, Place::JournalDir, owner));
        }
        checks.push(journal_files(journal, owner));
    }
    if let Some(socket) = socket
        && let Some(dir) = socket.parent().filter(|d| !d.as_os_str().is_empty())
    {
        checks.push(socket_dir(dir, socket, owner));
    }
    checks
}

/// What was found on a right path; else why it is wrong and the commands that fix it.
fn problems(path: &Path, place: Place, owner: &Account) -> Result<String, (String, String)> {
    let meta = std::fs::metadata(path).map_err(|e| {
        (
            format!("{} illisible : {e}", path.display()),
            format!("{}ls -l {}", sudo(), shell_word(path)),
        )
    })?;
    let mode = meta.mode() & 0o7777;
    let found = format!("{:04o}, propriétaire {}", mode, user_name(meta.uid()));
    let mut why = Vec::new();
    let mut fixes = Vec::new();
    if let Some(problem) = place.mode_problem(mode) {
        why.push(format!("droits {mode:04o} : {problem}"));
        fixes.push(format!(
            "{}chmod {:o} {}",
            sudo(),
            place.wanted(),
            shell_word(path)
        ));
    }
    if meta.uid() != owner.uid {
        why.push(format!(
            "appartient à {} au lieu de {} (l'utilisateur du service)",
            user_name(meta.uid()),
            owner.name
        ));
        fixes.push(format!(
            "{}chown {}:{} {}",
            sudo(),
            owner.name,
            owner.group,
            shell_word(path)
        ));
    }
    if why.is_empty() {
        Ok(found)
    } else {
        Err((
            format!("{} : {}", path.display(), why.join(" ; ")),
            fixes.join(" && "),
        ))
    }
}

/// One path's check; a missing path is created by the fix.
fn one(name: &str, path: &Path, place: Place, owner: &Account) -> Check {
    if !path.exists() {
        let create = match place {
            Place::ConfigFile => format!(
                "{s}install -m 600 -o {u} -g {g} /dev/null {p} && {s}editor {p}",
                s = sudo(),
                u = owner.name,
                g = owner.group,
                p = shell_word(path)
            ),
            _ => format!(
                "{}install -d -m {:o} -o {} -g {} {}",
                sudo(),
                place.wanted(),
                owner.name,
                owner.group,
                shell_word(path)
            ),
        };
        return Check::to_fix(name, format!("{} n'existe pas", path.display()), create);
    }
    match problems(path, place, owner) {
        Ok(found) => Check::ok(name, format!("{} ({found})", path.display())),
        Err((why, fix)) => Check::to_fix(name, why, fix),
    }
}

/// The journal, its `-wal` and `-shm`: those that exist.
fn journal_files(journal: &Path, owner: &Account) -> Check {
    const NAME: &str = "Fichiers du journal";
    if !journal.exists() {
        return Check::warning(
            NAME,
            format!(
                "{} n'existe pas encore : caisse serve le crée à son premier démarrage",
                journal.display()
            ),
        );
    }
    let mut paths: Vec<PathBuf> = vec![journal.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = journal.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if path.exists() {
            paths.push(path);
        }
    }
    let mut whys = Vec::new();
    let mut fixes = Vec::new();
    let mut found = String::new();
    for path in &paths {
        match problems(path, Place::JournalFile, owner) {
            Ok(seen) if found.is_empty() => found = seen,
            Ok(_) => {}
            Err((why, fix)) => {
                whys.push(why);
                fixes.push(fix);
            }
        }
    }
    if whys.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Check::ok(NAME, format!("{} ({found})", names.join(", ")));
    }
    Check::to_fix(NAME, whys.join(" ; "), fixes.join(" && "))
}

/// The socket's directory, then the socket in it: it exists once `caisse serve` runs.
fn socket_dir(dir: &Path, socket: &Path, owner: &Account) -> Check {
    const NAME: &str = "Dossier du socket";
    let check = one(NAME, dir, Place::SocketDir, owner);
    if !check.passed() {
        return check;
    }
    let is_socket = std::fs::metadata(socket).is_ok_and(|m| m.file_type().is_socket());
    if !is_socket {
        return Check::to_fix(
            NAME,
            format!(
                "{} n'existe pas : caisse serve n'est pas démarré",
                socket.display()
            ),
            format!("{}systemctl restart caisse", sudo()),
        );
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_is_for_its_owner_only() {
        assert_eq!(Place::ConfigFile.mode_problem(0o600), None);
        assert_eq!(Place::ConfigFile.mode_problem(0o400), None);
        assert!(Place::ConfigFile.mode_problem(0o644).is_some());
        assert!(Place::ConfigFile.mode_problem(0o640).is_some());
        assert!(Place::ConfigFile.mode_problem(0o200).is_some());
        // The file type's bits (a regular file's 0o100000) do not count.
        assert_eq!(Place::ConfigFile.mode_problem(0o100600), None);
    }

    #[test]
    fn the_journal_directory_is_0700() {
        assert_eq!(Place::JournalDir.mode_problem(0o40700), None);
        assert!(Place::JournalDir.mode_problem(0o755).is_some());
        assert!(Place::JournalDir.mode_problem(0o711).is_some());
        assert!(Place::JournalDir.mode_problem(0o500).is_some());
    }

    #[test]
    fn journal_files_are_closed_to_others() {
        assert_eq!(Place::JournalFile.mode_problem(0o600), None);
        assert_eq!(Place::JournalFile.mode_problem(0o640), None);
        assert!(Place::JournalFile.mode_problem(0o644).is_some());
        assert!(Place::JournalFile.mode_problem(0o400).is_some());
    }

    #[test]
    fn the_socket_directory_is_exactly_0711() {
        assert_eq!(Place::SocketDir.mode_problem(0o711), None);
        assert!(Place::SocketDir.mode_problem(0o700).is_some());
        assert!(Place::SocketDir.mode_problem(0o755).is_some());
    }

    #[test]
    fn a_wrong_mode_and_owner_give_both_commands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
        let someone_else = Account {
            uid: 4_000_000,
            gid: 4_000_000,
            name: "caisse".into(),
            group: "caisse".into(),
        };
        let check = one(
            "Fichier de configuration",
            &path,
            Place::ConfigFile,
            &someone_else,
        );
        let super::super::Verdict::ToFix { why, fix } = check.verdict else {
            panic!("{check:?}");
        };
        assert!(why.contains("droits 0644"), "{why}");
        assert!(why.contains("au lieu de caisse"), "{why}");
        let p = path.display();
        assert!(fix.contains(&format!("chmod 600 {p}")), "{fix}");
        assert!(fix.contains(&format!("chown caisse:caisse {p}")), "{fix}");
    }
}
