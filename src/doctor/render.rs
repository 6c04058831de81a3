//! The diagnosis as the shop reads it (one line per check, the fix under each failure) or
//! as JSON for a script. Pure: checks in, text out.

use super::{Check, Verdict};

/// The width of the longest label, « non configuré »: the names line up after it.
const LABEL_WIDTH: usize = 13;

fn label(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "OK",
        Verdict::ToFix { .. } => "à corriger",
        Verdict::Warning { .. } => "attention",
        Verdict::NotConfigured => "non configuré",
    }
}

/// One line per check; under each « à corriger », the command that fixes it; then the sum.
pub fn text(checks: &[Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let said = match &check.verdict {
            Verdict::Ok | Verdict::NotConfigured => check.detail.clone(),
            Verdict::ToFix { why, .. } | Verdict::Warning { why } if check.detail.is_empty() => {
                why.clone()
            }
            Verdict::ToFix { why, .. } | Verdict::Warning { why } => {
                format!("{why} ({})", check.detail)
            }
        };
        let label = label(&check.verdict);
        out.push_str(&format!("{label:<LABEL_WIDTH$}  {} : {said}\n", check.name));
        if let Verdict::ToFix { fix, .. } = &check.verdict {
            out.push_str(&format!("{:<LABEL_WIDTH$}  pour corriger : {fix}\n", ""));
        }
    }
    let to_fix = checks.iter().filter(|c| !c.passed()).count();
    if to_fix == 0 {
        out.push_str(&format!(
            "\nTout est en ordre ({} vérification(s)).\n",
            checks.len()
        ));
    } else {
        out.push_str(&format!(
            "\n{to_fix} point(s) à corriger sur {} vérifications : lancez les commandes ci-dessus, \
             puis relancez caisse doctor.\n",
            checks.len()
        ));
    }
    out
}

/// `{"ok": bool, "verifications": [{verification, statut, detail, pourquoi?, commande?}]}`.
pub fn json(checks: &[Check]) -> String {
    let value = serde_json::json!({
        "ok": super::all_passed(checks),
        "verifications": checks,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Check> {
        vec![
            Check::ok(
                "Fichier de configuration",
                "/etc/caisse/config.toml : 0600, caisse",
            ),
            Check::to_fix(
                "Horloge",
                "décalée de 120 s",
                "sudo timedatectl set-ntp true",
            ),
            Check::warning("Seuil de solde bas", "aucun seuil"),
            Check::not_configured("Imprimante", "pas de [printer]"),
        ]
    }

    #[test]
    fn one_line_per_check_and_the_fix_under_a_failure() {
        let text = text(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "OK             Fichier de configuration : /etc/caisse/config.toml : 0600, caisse"
        );
        assert_eq!(lines[1], "à corriger     Horloge : décalée de 120 s");
        assert_eq!(
            lines[2],
            "               pour corriger : sudo timedatectl set-ntp true"
        );
        assert_eq!(lines[3], "attention      Seuil de solde bas : aucun seuil");
        assert_eq!(lines[4], "non configuré  Imprimante : pas de [printer]");
        assert!(lines[6].starts_with("1 point(s) à corriger sur 4 vérifications"));
    }

    #[test]
    fn all_passing_says_so() {
        let text = text(&[Check::ok("Disque", "libre : 10 Go")]);
        assert!(
            text.ends_with("\nTout est en ordre (1 vérification(s)).\n"),
            "{text}"
        );
    }

    #[test]
    fn json_names_each_verdict_and_the_fix() {
        let value: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(value["ok"], false);
        let list = value["verifications"].as_array().unwrap();
        assert_eq!(list[0]["statut"], "ok");
        assert_eq!(list[1]["statut"], "a_corriger");
        assert_eq!(list[1]["commande"], "sudo timedatectl set-ntp true");
        assert_eq!(list[2]["statut"], "attention");
        assert_eq!(list[3]["statut"], "non_configure");
        assert_eq!(list[3]["verification"], "Imprimante");
    }
}
