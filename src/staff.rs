//! Cashiers and supervisors: PIN hashing (argon2id), the PIN check with its lock-out, and
//! what each role may do. Storage is the journal's `cashiers` table.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::journal::{CashierRecord, Journal};

/// Wrong PINs in a row before a lock-out.
pub const PIN_LIMIT: i64 = 5;
/// How long a lock-out lasts.
pub const LOCK_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Cashier,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "cashier" => Some(Role::Cashier),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }

    pub fn french(self) -> &'static str {
        match self {
            Role::Cashier => "caissier",
            Role::Supervisor => "superviseur",
        }
    }
}

/// Who is at the counter, as a session knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cashier {
    pub name: String,
    pub role: Role,
}

impl Cashier {
    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }
}

/// A PIN on its way to the check: serialised as itself (it crosses the socket), never
/// printed (`{:?}` shows `Pin(…)`).
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Pin(String);

impl Pin {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(…)")
    }
}

impl From<&str> for Pin {
    fn from(s: &str) -> Pin {
        Pin(s.to_owned())
    }
}

impl From<String> for Pin {
    fn from(s: String) -> Pin {
        Pin(s)
    }
}

/// A cashier's name: 1 to 32 letters, digits, `.`, `-` or `_`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "nom de caissier invalide « {name} » : 1 à 32 lettres, chiffres, « . », « - » ou « _ »"
        ))
    }
}

/// A PIN: 4 to 8 digits.
pub fn check_pin(pin: &str) -> Result<(), String> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("le code PIN doit avoir de 4 à 8 chiffres".into())
    }
}

/// The PHC string of an argon2id hash of `pin`, with a fresh random salt.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("hachage du code PIN impossible : {e}"))
}

/// Constant-time comparison inside argon2; a malformed hash never matches.
pub fn pin_matches(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoginError {
    Unknown,
    Disabled,
    WrongPin {
        left: i64,
    },
    /// No enabled supervisor has this PIN (it counted against the requester).
    WrongSupervisorPin,
    /// Locked until this time (ms since the epoch).
    Locked {
        until: i64,
    },
    Journal(String),
}

impl LoginError {
    pub fn french(&self) -> String {
        match self {
            LoginError::Unknown => "caissier inconnu".into(),
            LoginError::Disabled => "ce caissier est désactivé : voyez le superviseur".into(),
            LoginError::WrongPin { left } => {
                format!("code PIN incorrect (encore {left} essai(s) avant blocage)")
            }
            LoginError::WrongSupervisorPin => {
                "code superviseur incorrect (chaque erreur compte comme un de vos codes faux)"
                    .into()
            }
            LoginError::Locked { until } => format!(
                "trop de codes PIN faux : bloqué jusqu'à {} (5 minutes)",
                clock_time(*until)
            ),
            LoginError::Journal(e) => e.clone(),
        }
    }
}

/// `HH:MM` in UTC (local time in Senegal and Côte d'Ivoire).
pub fn clock_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Checks `name`'s PIN, counting wrong ones: the fifth in a row locks the cashier for five
/// minutes, and a locked cashier is refused without even checking the PIN.
pub fn login(
    journal: &mut Journal,
    name: &str,
    pin: &str,
    terminal: &str,
    now: i64,
) -> Result<Cashier, LoginError> {
    let journal_err = |e: crate::journal::JournalError| LoginError::Journal(e.to_string());
    let record = journal
        .cashier(name)
        .map_err(journal_err)?
        .ok_or(LoginError::Unknown)?;
    if record.disabled {
        return Err(LoginError::Disabled);
    }
    if let Some(until) = record.locked_until.filter(|&u| u > now) {
        return Err(LoginError::Locked { until });
    }
    let ok = pin_matches(&record.pin_hash, pin);
    let after = journal
        .record_pin_check(&record.name, ok, PIN_LIMIT, LOCK_MS, terminal, now)
        .map_err(journal_err)?
        .ok_or(LoginError::Unknown)?;
    if ok {
        return Ok(to_cashier(&after));
    }
    match after.locked_until.filter(|&u| u > now) {
        Some(until) => Err(LoginError::Locked { until }),
        None => Err(LoginError::WrongPin {
            left: PIN_LIMIT - after.failed_pins,
        }),
    }
}

pub fn to_cashier(record: &CashierRecord) -> Cashier {
    Cashier {
        name: record.name.clone(),
        role: Role::parse(&record.role).unwrap_or(Role::Cashier),
    }
}

/// The enabled supervisor whose PIN this is (quitting the kiosk, a refund at a cashier's
/// counter), typed at `requester`'s counter. A wrong one counts as a wrong PIN of the
/// requester's own account (the fifth locks them out): no guessing a supervisor's PIN from
/// a cashier's seat, however many connections. Runs inside one journal call, so concurrent
/// tries cannot outrun the count.
pub fn supervisor_by_pin(
    journal: &mut Journal,
    requester: &str,
    pin: &str,
    terminal: &str,
    now: i64,
) -> Result<Cashier, LoginError> {
    let journal_err = |e: crate::journal::JournalError| LoginError::Journal(e.to_string());
    // The requester's own lock-out first: a locked seat does not get to try.
    if let Some(me) = journal.cashier(requester).map_err(journal_err)?
        && let Some(until) = me.locked_until.filter(|&u| u > now)
    {
        return Err(LoginError::Locked { until });
    }
    let supervisors: Vec<CashierRecord> = journal
        .cashiers()
        .map_err(journal_err)?
        .into_iter()
        .filter(|c| !c.disabled && c.role == Role::Supervisor.as_str())
        .filter(|c| c.locked_until.is_none_or(|u| u <= now))
        .collect();
    if check_pin(pin).is_ok() {
        for s in &supervisors {
            if pin_matches(&s.pin_hash, pin) {
                journal
                    .record_actor_event(
                        None,
                        "supervisor_pin",
                        &serde_json::json!({"for": requester}),
                        (&s.name, terminal),
                        now,
                    )
                    .map_err(journal_err)?;
                return Ok(to_cashier(s));
            }
        }
    }
    let after = journal
        .record_pin_check(requester, false, PIN_LIMIT, LOCK_MS, terminal, now)
        .map_err(journal_err)?;
    match after.and_then(|a| a.locked_until).filter(|&u| u > now) {
        Some(until) => Err(LoginError::Locked { until }),
        None => Err(LoginError::WrongSupervisorPin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("j.db")).unwrap();
        (dir, j)
    }

    #[test]
    fn the_hash_is_argon2id_and_only_the_right_pin_matches() {
        let h = hash_pin("1234").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("1234"));
        assert!(pin_matches(&h, "1234"));
        assert!(!pin_matches(&h, "1235"));
        assert!(!pin_matches("garbage", "1234"));
        assert_ne!(h, hash_pin("1234").unwrap(), "a fresh salt each time");
    }

    #[test]
    fn names_and_pins_are_checked() {
        assert!(check_name("awa").is_ok());
        assert!(check_name("Awa.Diop-2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("x;rm").is_err());
        assert!(check_pin("1234").is_ok());
        assert!(check_pin("12345678").is_ok());
        assert!(check_pin("123").is_err());
        assert!(check_pin("123456789").is_err());
        assert!(check_pin("12a4").is_err());
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_then_the_right_pin_works() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("awa", "cashier", &hash_pin("1234").unwrap(), by, 0)
            .unwrap();
        let t0 = 1_000_000;
        for i in 1..=4 {
            assert_eq!(
                login(&mut j, "awa", "0000", "pts/1", t0 + i),
                Err(LoginError::WrongPin { left: 5 - i })
            );
        }
        let locked = login(&mut j, "awa", "0000", "pts/1", t0 + 5);
        assert_eq!(
            locked,
            Err(LoginError::Locked {
                until: t0 + 5 + LOCK_MS
            })
        );
        assert!(locked.unwrap_err().french().contains("bloqué jusqu'à"));
        // Even the right PIN is refused while locked, and does not extend the lock.
        assert_eq!(
            login(&mut j, "AWA", "1234", "pts/1", t0 + 6),
            Err(LoginError::Locked {
                until: t0 + 5 + LOCK_MS
            })
        );
        let ok = login(&mut j, "awa", "1234", "pts/1", t0 + 5 + LOCK_MS + 1).unwrap();
        assert_eq!(ok.name, "awa");
        assert_eq!(j.cashier("awa").unwrap().unwrap().failed_pins, 0);
        // A right PIN resets the count.
        assert!(matches!(
            login(&mut j, "awa", "9", "pts/1", t0 + LOCK_MS * 2),
            Err(LoginError::WrongPin { left: 4 })
        ));
        let kinds: Vec<String> = j
            .events_of_kind("pin_locked", 10)
            .unwrap()
            .into_iter()
            .map(|e| e.cashier + "@" + &e.terminal)
            .collect();
        assert_eq!(kinds, vec!["awa@pts/1"]);
    }

    #[test]
    fn unknown_and_disabled_cashiers_are_refused() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        assert_eq!(
            login(&mut j, "nobody", "1234", "t", 1),
            Err(LoginError::Unknown)
        );
        assert!(matches!(
            j.add_cashier("CHEF", "cashier", "x", by, 0),
            Err(crate::journal::JournalError::Duplicate(_))
        ));
        j.add_cashier("awa", "cashier", &hash_pin("1234").unwrap(), by, 0)
            .unwrap();
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", "t", 2)
                .unwrap()
                .name,
            "chef"
        );
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "1111", "t", 2),
            Err(LoginError::WrongSupervisorPin)
        );
        assert!(j.disable_cashier("chef", by, 3).unwrap());
        assert!(j.has_active_cashiers().unwrap(), "awa is still active");
        assert!(j.disable_cashier("awa", by, 3).unwrap());
        assert!(!j.has_active_cashiers().unwrap());
        assert_eq!(
            login(&mut j, "chef", "9999", "t", 4),
            Err(LoginError::Disabled)
        );
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", "t", 5),
            Err(LoginError::WrongSupervisorPin)
        );
    }

    #[test]
    fn guessing_a_supervisors_pin_locks_the_guesser_out() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        j.add_cashier("awa", "cashier", &hash_pin("1234").unwrap(), by, 0)
            .unwrap();
        for guess in ["0000", "1111", "2222", "3333"] {
            assert_eq!(
                supervisor_by_pin(&mut j, "awa", guess, "t", 10),
                Err(LoginError::WrongSupervisorPin)
            );
        }
        let locked = supervisor_by_pin(&mut j, "awa", "4444", "t", 10);
        assert_eq!(
            locked,
            Err(LoginError::Locked {
                until: 10 + LOCK_MS
            })
        );
        // Even the right one is refused now, and awa cannot log in either.
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", "t", 11),
            Err(LoginError::Locked {
                until: 10 + LOCK_MS
            })
        );
        assert!(matches!(
            login(&mut j, "awa", "1234", "t", 12),
            Err(LoginError::Locked { .. })
        ));
        // The supervisor's own account is untouched.
        assert_eq!(j.cashier("chef").unwrap().unwrap().failed_pins, 0);
    }
}
