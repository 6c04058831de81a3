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
