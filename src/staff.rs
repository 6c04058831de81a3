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
/// counter). Each supervisor's wrong PINs count towards their lock-out as at login.
pub fn supervisor_by_pin(
    journal: &mut Journal,
    pin: &str,
    terminal: &str,
    now: i64,
) -> Result<Option<Cashier>, String> {
    let supervisors: Vec<CashierRecord> = journal
        .cashiers()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| !c.disabled && c.role == Role::Supervisor.as_str())
        .filter(|c| c.locked_until.is_none_or(|u| u <= now))
        .collect();
    for s in &supervisors {
        if pin_matches(&s.pin_hash, pin) {
            journal
                .record_pin_check(&s.name, true, PIN_LIMIT, LOCK_MS, terminal, now)
                .map_err(|e| e.to_string())?;
            return Ok(Some(to_cashier(s)));
        }
    }
    Ok(None)
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
        assert_eq!(
            supervisor_by_pin(&mut j, "9999", "t", 2)
                .unwrap()
                .unwrap()
                .name,
            "chef"
        );
        assert_eq!(supervisor_by_pin(&mut j, "1111", "t", 2).unwrap(), None);
        assert!(j.disable_cashier("chef", by, 3).unwrap());
        assert!(!j.has_active_cashiers().unwrap());
        assert_eq!(
            login(&mut j, "chef", "9999", "t", 4),
            Err(LoginError::Disabled)
        );
        assert_eq!(supervisor_by_pin(&mut j, "9999", "t", 5).unwrap(), None);
    }
}
