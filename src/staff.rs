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

    /// Unix user `uid` at terminal `t`.
    fn from(uid: u32) -> Caller<'static> {
        Caller { uid, terminal: "t" }
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_then_the_right_pin_works() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("awa", "cashier", &hash_pin("1234").unwrap(), by, 0)
            .unwrap();
        let t0 = 1_000_000;
        let pts1 = Caller {
            uid: 1000,
            terminal: "pts/1",
        };
        for i in 1..=4 {
            assert_eq!(
                login(&mut j, "awa", "0000", pts1, t0 + i),
                Err(LoginError::Refused { left: 5 - i })
            );
        }
        let locked = login(&mut j, "awa", "0000", pts1, t0 + 5);
        assert_eq!(
            locked,
            Err(LoginError::Locked {
                until: t0 + 5 + LOCK_MS
            })
        );
        assert!(locked.unwrap_err().french().contains("bloqué jusqu'à"));
        // Even the right PIN is refused while locked, and does not extend the lock.
        assert_eq!(
            login(&mut j, "AWA", "1234", pts1, t0 + 6),
            Err(LoginError::Locked {
                until: t0 + 5 + LOCK_MS
            })
        );
        let ok = login(&mut j, "awa", "1234", pts1, t0 + 5 + LOCK_MS).unwrap();
        assert_eq!(ok.name, "awa");
        assert_eq!(
            j.pin_count("awa", 1000, &RULES, t0 + 5 + LOCK_MS).unwrap(),
            PinCount::default()
        );
        // A right PIN resets the count.
        assert!(matches!(
            login(&mut j, "awa", "9", pts1, t0 + LOCK_MS * 2),
            Err(LoginError::Refused { left: 4 })
        ));
        let kinds: Vec<String> = j
            .events_of_kind("pin_locked", 10)
            .unwrap()
            .into_iter()
            .map(|e| format!("{}@{} uid {}", e.cashier, e.terminal, e.detail["uid"]))
            .collect();
        assert_eq!(kinds, vec!["awa@pts/1 uid 1000"]);
    }

    #[test]
    fn one_unix_users_wrong_pins_never_lock_another_out() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        for i in 0..5 {
            assert!(login(&mut j, "chef", "0000", from(1), 10 + i).is_err());
        }
        assert!(matches!(
            login(&mut j, "chef", "9999", from(1), 20),
            Err(LoginError::Locked { .. })
        ));
        assert_eq!(
            login(&mut j, "chef", "9999", from(2), 20).unwrap().name,
            "chef"
        );
        // Nor does uid 2's count move uid 1's lock-out, or the other way round.
        assert!(login(&mut j, "chef", "0000", from(2), 21).is_err());
        assert_eq!(
            j.pin_count("chef", 2, &RULES, 21).unwrap(),
            PinCount {
                failed: 1,
                locked_until: None
            }
        );
        assert_eq!(
            j.pin_count("chef", 1, &RULES, 21).unwrap().locked_until,
            Some(14 + LOCK_MS)
        );
    }

    #[test]
    fn unknown_disabled_and_wrong_get_one_answer_and_one_count() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        j.add_cashier("binta", "cashier", &hash_pin("4321").unwrap(), by, 0)
            .unwrap();
        assert!(j.disable_cashier("binta", by, 0).unwrap());
        // The same refusals, try after try, up to the same lock-out.
        for (i, name) in ["nobody", "chef", "binta"].into_iter().enumerate() {
            let caller = from(i as u32 + 1);
            let answers: Vec<Result<Cashier, LoginError>> = (0..6)
                .map(|_| login(&mut j, name, "0000", caller, 100))
                .collect();
            let mut expected: Vec<_> = (1..=4)
                .rev()
                .map(|left| Err(LoginError::Refused { left }))
                .collect();
            let locked = Err(LoginError::Locked {
                until: 100 + LOCK_MS,
            });
            expected.extend([locked.clone(), locked]);
            assert_eq!(answers, expected, "{name}");
        }
        assert_eq!(
            LoginError::Refused { left: 4 }.french(),
            "nom ou code PIN incorrect (encore 4 essai(s) avant blocage)"
        );
        // A refused login (mapped to another Unix user) is no different, right PIN or not.
        assert_eq!(
            refuse_login(&mut j, "chef", "9999", from(9), 100),
            LoginError::Refused { left: 4 }
        );
        // Only a disabled cashier's own right PIN is told why.
        assert_eq!(
            login(&mut j, "binta", "4321", from(7), 100),
            Err(LoginError::Disabled)
        );
    }

    #[test]
    fn a_count_left_alone_for_an_hour_is_forgotten() {
        let (_d, mut j) = journal();
        for _ in 0..4 {
            assert!(login(&mut j, "nobody", "0000", from(1), 0).is_err());
        }
        assert_eq!(
            login(&mut j, "nobody", "0000", from(1), FORGET_MS),
            Err(LoginError::Refused { left: 4 })
        );
    }

    #[test]
    fn supervisor_pins_are_checked_and_disabled_ones_refused() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        assert!(matches!(
            j.add_cashier("CHEF", "cashier", "x", by, 0),
            Err(crate::journal::JournalError::Duplicate(_))
        ));
        j.add_cashier("awa", "cashier", &hash_pin("1234").unwrap(), by, 0)
            .unwrap();
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(1), 2)
                .unwrap()
                .name,
            "chef"
        );
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "1111", from(1), 2),
            Err(LoginError::WrongSupervisorPin)
        );
        assert!(j.disable_cashier("chef", by, 3).unwrap());
        assert!(j.has_active_cashiers().unwrap(), "awa is still active");
        assert!(j.disable_cashier("awa", by, 3).unwrap());
        assert!(!j.has_active_cashiers().unwrap());
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(1), 5),
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
                supervisor_by_pin(&mut j, "awa", guess, from(1), 10),
                Err(LoginError::WrongSupervisorPin)
            );
        }
        let locked = supervisor_by_pin(&mut j, "awa", "4444", from(1), 10);
        assert_eq!(
            locked,
            Err(LoginError::Locked {
                until: 10 + LOCK_MS
            })
        );
        // Even the right one is refused now, and awa cannot log in either, from this Unix
        // user.
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(1), 11),
            Err(LoginError::Locked {
                until: 10 + LOCK_MS
            })
        );
        assert!(matches!(
            login(&mut j, "awa", "1234", from(1), 12),
            Err(LoginError::Locked { .. })
        ));
        // awa from another Unix user, and the supervisor's own account, are untouched.
        assert_eq!(
            login(&mut j, "awa", "1234", from(2), 12).unwrap().name,
            "awa"
        );
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(2), 12)
                .unwrap()
                .name,
            "chef"
        );
        assert_eq!(
            j.pin_count("chef", 1, &RULES, 12).unwrap(),
            PinCount::default()
        );
    }

    #[test]
    fn a_supervisor_locked_out_for_a_unix_user_is_not_matched_from_its_seats() {
        let (_d, mut j) = journal();
        let by = ("root", "local");
        j.add_cashier("chef", "supervisor", &hash_pin("9999").unwrap(), by, 0)
            .unwrap();
        for _ in 0..5 {
            assert!(login(&mut j, "chef", "0000", from(1), 10).is_err());
        }
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(1), 11),
            Err(LoginError::WrongSupervisorPin)
        );
        assert_eq!(
            supervisor_by_pin(&mut j, "awa", "9999", from(2), 11)
                .unwrap()
                .name,
            "chef"
        );
    }
}
