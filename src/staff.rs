//! Cashiers and supervisors: PIN hashing (argon2id), the PIN check with its lock-out, and
//! what each role may do. Storage is the journal's `cashiers` table, and its
//! `pin_failures` table for the wrong-PIN counts.
//!
//! Wrong PINs count per (name typed, calling Unix user): one Unix user's guesses lock out
//! that user's tries for that name, never the cashier logging in from their own Unix user.
//! And the answers never tell which names exist: an unknown name, a disabled account and a
//! wrong PIN get the same refusal, after the same work, and count the same way.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::journal::{CashierRecord, Journal, PinCount, PinRules};

/// Wrong PINs in a row (from one Unix user, for one name) before a lock-out.
pub const PIN_LIMIT: i64 = 5;
/// How long a lock-out lasts.
pub const LOCK_MS: i64 = 5 * 60 * 1000;
/// Wrong PINs left alone this long are forgotten: a mistyped PIN in the morning does not
/// weigh in the afternoon, and counts for names that do not exist do not pile up in the
/// journal. An hour between tries is far slower than the lock-out already allows.
pub const FORGET_MS: i64 = 60 * 60 * 1000;

pub const RULES: PinRules = PinRules {
    limit: PIN_LIMIT,
    lock_ms: LOCK_MS,
    forget_ms: FORGET_MS,
};

/// The refusal of a login, whatever the reason: unknown name, disabled account, wrong PIN.
pub const REFUSED: &str = "nom ou code PIN incorrect";

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

/// A hash of no one's PIN, made once: an unknown name is checked against it, so that it
/// costs the same time as a known one (a quick refusal would tell the name does not exist).
fn no_ones_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_pin("00000000").unwrap_or_default())
}

/// Makes no one's hash now, before the first PIN check: made during the first check of an
/// unknown name, it would make that one slower than a known name's.
pub fn warm_up() {
    no_ones_hash();
}

/// Who typed a PIN: the calling Unix user (the socket's peer credentials, or this process
/// in-process) and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub uid: u32,
    pub terminal: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoginError {
    /// An unknown name, a disabled account or a wrong PIN: one refusal for all three, with
    /// this caller's tries left for this name.
    Refused {
        left: i64,
    },
    /// A disabled account: said to its own cashier (who typed its right PIN, or is logged
    /// in), never to someone guessing.
    Disabled,
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
            // The tries left are shown whatever the name: every name typed counts the same
            // way, known or not, so the count tells nothing. Shown for known names only, it
            // would tell which names exist.
            LoginError::Refused { left } => {
                format!("{REFUSED} (encore {left} essai(s) avant blocage)")
            }
            LoginError::Disabled => "ce caissier est désactivé : voyez le superviseur".into(),
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

fn journal_err(e: crate::journal::JournalError) -> LoginError {
    LoginError::Journal(e.to_string())
}

/// Checks `name`'s PIN typed by `caller`, counting wrong ones for that (name, Unix user)
/// pair: the fifth in a row locks the pair for five minutes, and a locked pair is refused
/// without even checking the PIN. Other Unix users, the cashier's own included, are not
/// affected.
pub fn login(
    journal: &mut Journal,
    name: &str,
    pin: &str,
    caller: Caller<'_>,
    now: i64,
) -> Result<Cashier, LoginError> {
    check(journal, name, pin, caller, now, true)
}

/// A login `caller` may not make whatever the PIN (a cashier who logs in from their own
/// Unix user only): the same work, count and answer as for an unknown name, so the refusal
/// tells nothing about the name.
pub fn refuse_login(
    journal: &mut Journal,
    name: &str,
    pin: &str,
    caller: Caller<'_>,
    now: i64,
) -> LoginError {
    match check(journal, name, pin, caller, now, false) {
        Err(e) => e,
        Ok(_) => LoginError::Refused { left: 0 },
    }
}

fn check(
    journal: &mut Journal,
    name: &str,
    pin: &str,
    caller: Caller<'_>,
    now: i64,
    may_log_in: bool,
) -> Result<Cashier, LoginError> {
    let before = journal
        .pin_count(name, caller.uid, &RULES, now)
        .map_err(journal_err)?;
    if let Some(until) = before.locked_until {
        return Err(LoginError::Locked { until });
    }
    let record = journal
        .cashier(name)
        .map_err(journal_err)?
        .filter(|_| may_log_in);
    // Unknown names are checked too (against no one's hash): the same time either way.
    let right_pin = pin_matches(
        record
            .as_ref()
            .map_or(no_ones_hash(), |r| r.pin_hash.as_str()),
        pin,
    ) && record.is_some();
    let disabled = record.as_ref().is_some_and(|r| r.disabled);
    // Only someone who knows the PIN learns that the account is disabled; for anyone else
    // it is a wrong PIN like any other.
    if disabled && right_pin {
        return Err(LoginError::Disabled);
    }
    let ok = right_pin && !disabled;
    // The stored spelling for a known name (the count ignores case anyway).
    let key = record.as_ref().map_or(name, |r| r.name.as_str());
    let after = journal
        .record_pin_check(key, caller.uid, ok, &RULES, caller.terminal, now)
        .map_err(journal_err)?;
    match record {
        Some(r) if ok => Ok(to_cashier(&r)),
        _ => Err(refusal(after)),
    }
}

fn refusal(after: PinCount) -> LoginError {
    match after.locked_until {
        Some(until) => LoginError::Locked { until },
        None => LoginError::Refused {
            left: PIN_LIMIT - after.failed,
        },
    }
}

pub fn to_cashier(record: &CashierRecord) -> Cashier {
    Cashier {
        name: record.name.clone(),
        role: Role::parse(&record.role).unwrap_or(Role::Cashier),
    }
}

/// The enabled supervisor whose PIN this is (quitting the kiosk, a refund at a cashier's
/// counter), typed by `caller` at `requester`'s counter. A wrong one counts as a wrong PIN
/// of the requester typed by that Unix user (the fifth locks that pair out): no guessing a
/// supervisor's PIN from a cashier's seat, however many connections. A supervisor locked
/// out for this Unix user is not matched either (no second way to guess them from here).
/// Runs inside one journal call, so concurrent tries cannot outrun the count.
pub fn supervisor_by_pin(
    journal: &mut Journal,
    requester: &str,
    pin: &str,
    caller: Caller<'_>,
    now: i64,
) -> Result<Cashier, LoginError> {
    // The requester's own lock-out first: a locked seat does not get to try.
    let mine = journal
        .pin_count(requester, caller.uid, &RULES, now)
        .map_err(journal_err)?;
    if let Some(until) = mine.locked_until {
        return Err(LoginError::Locked { until });
    }
    let mut supervisors = Vec::new();
    for c in journal.cashiers().map_err(journal_err)? {
        if c.disabled || c.role != Role::Supervisor.as_str() {
            continue;
        }
        let count = journal
            .pin_count(&c.name, caller.uid, &RULES, now)
            .map_err(journal_err)?;
        if count.locked_until.is_none() {
            supervisors.push(c);
        }
    }
    if check_pin(pin).is_ok() {
        for s in &supervisors {
            if pin_matches(&s.pin_hash, pin) {
                journal
                    .record_actor_event(
                        None,
                        "supervisor_pin",
                        &serde_json::json!({"for": requester, "uid": caller.uid}),
                        (&s.name, caller.terminal),
                        now,
                    )
                    .map_err(journal_err)?;
                return Ok(to_cashier(s));
            }
        }
    }
    let after = journal
        .record_pin_check(requester, caller.uid, false, &RULES, caller.terminal, now)
        .map_err(journal_err)?;
    match after.locked_until {
        Some(until) => Err(LoginError::Locked { until }),
        None => Err(LoginError::WrongSupervisorPin),
    }
}

#[cfg(test)]
mod tests;
