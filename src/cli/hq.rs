//! `caisse hq …`: the head office. On a shop, `status` (how far behind the head office
//! the shop is); at the head office, `migrate` (its schema, versioned like the journal's)
//! and `add-shop` (a shop's own PostgreSQL role).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::{ExitCode, Failure};
use crate::config::{self, Config};
use crate::hq::outbox::{Outbox, State};
use crate::hq::{HqError, Target, admin, push, reading, schema};
use crate::report::local_time;
use crate::secret::Secret;

#[derive(Debug, clap::Subcommand)]
pub enum HqCommand {
    /// Où en est l'envoi au siège : lignes en attente, la plus ancienne depuis quand, dernier envoi confirmé ; et ce que le siège a reçu, s'il répond.
    Status {
        /// En JSON (pour un script de supervision).
        #[arg(long)]
        json: bool,
    },
    /// Crée ou met à jour le schéma du siège (PostgreSQL), version par version.
    Migrate {
        /// Adresse de l'administrateur (sinon $CAISSE_HQ_ADMIN_URL, sinon [hq] admin_url). Préférez la variable : une option se voit dans la liste des processus.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Rapport du siège sur une période : opérations de toutes les boutiques par boutique, service, opérateur ou jour, comptées comme le rapport d'une boutique.
    Report {
        #[command(flatten)]
        period: super::report::PeriodArgs,
        /// Regroupement des lignes.
        #[arg(long, value_enum, default_value = "shop")]
        by: HqBy,
        /// Tableau à lire, CSV pour un tableur (séparateur « ; »), ou JSON.
        #[arg(long, value_enum, default_value = "table")]
        format: super::report::ReportFormat,
        /// Adresse d'un rôle qui voit toutes les boutiques (sinon $CAISSE_HQ_ADMIN_URL, sinon [hq] admin_url).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Surveillance du siège : boutiques en retard, opérations en suspens, tiroirs avec écart, rapports Z manquants, chaînes de Z vérifiées.
    Watch {
        /// Une boutique muette depuis plus de tant de minutes est en retard.
        #[arg(long, value_name = "MINUTES", default_value_t = 30)]
        late_minutes: i64,
        /// Une opération en suspens inchangée depuis plus de tant de minutes est listée.
        #[arg(long, value_name = "MINUTES", default_value_t = 60)]
        unsettled_minutes: i64,
        /// Les tiroirs fermés depuis tant de jours sont examinés.
        #[arg(long, value_name = "JOURS", default_value_t = 7)]
        drawer_days: i64,
        /// En JSON (pour un script de supervision).
        #[arg(long)]
        json: bool,
        /// Adresse d'un rôle qui voit toutes les boutiques (sinon $CAISSE_HQ_ADMIN_URL, sinon [hq] admin_url).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Inscrit une boutique au siège : son rôle PostgreSQL (le mot de passe est lu sur l'entrée standard avec --password-stdin, sinon tiré au hasard et affiché une seule fois).
    AddShop {
        /// Identifiant de la boutique : lettres minuscules, chiffres, - ou _ (dakar-plateau).
        #[arg(value_name = "ID")]
        shop_id: String,
        /// Lit le mot de passe sur l'entrée standard (une ligne).
        #[arg(long)]
        password_stdin: bool,
        /// Adresse de l'administrateur (sinon $CAISSE_HQ_ADMIN_URL, sinon [hq] admin_url).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum HqBy {
    /// Par boutique.
    Shop,
    /// Par service (code et nom).
    Service,
    /// Par opérateur (Wave, Orange…).
    Operator,
    /// Par jour (horloge des boutiques).
    Day,
}

fn failure(e: HqError) -> Failure {
    let code = match e {
        HqError::Unreachable { .. } => ExitCode::Network,
        HqError::Refused { .. } => ExitCode::Refused,
        _ => ExitCode::Config,
    };
    Failure {
        message: e.to_string(),
        code,
    }
}

pub async fn run(config_path: Option<&Path>, command: HqCommand) -> Result<(), Failure> {
    let config = config::load(&config::Sources::from_process(config_path))?;
    match command {
        HqCommand::Status { json } => status(&config, json).await,
        HqCommand::Migrate { url } => {
            let target = admin_target(&config, url)?;
            let mut client = target.connect().await.map_err(failure)?;
            let (before, after) = schema::migrate(&target, &mut client)
                .await
                .map_err(failure)?;
            if before == after {
                println!("Schéma du siège déjà à jour (version {after}).");
            } else {
                println!("Schéma du siège mis à jour : version {before} → {after}.");
            }
            Ok(())
        }
        HqCommand::Report {
            period,
            by,
            format,
            url,
        } => {
            let period = super::report::period(&period)?;
            let target = admin_target(&config, url)?;
            let client = target.connect().await.map_err(failure)?;
            let by = match by {
                HqBy::Shop => crate::report::By::Shop,
                HqBy::Service => crate::report::By::Service,
                HqBy::Operator => crate::report::By::Operator,
                HqBy::Day => crate::report::By::Day,
            };
            let report = reading::report(&target, &client, period, by)
                .await
                .map_err(failure)?;
            super::report::print_report(period, &report, format)
        }
        HqCommand::Watch {
            late_minutes,
            unsettled_minutes,
            drawer_days,
            json,
            url,
        } => {
            let target = admin_target(&config, url)?;
            let client = target.connect().await.map_err(failure)?;
            let thresholds = reading::Thresholds {
                late_minutes,
                unsettled_minutes,
                drawer_days,
            };
            let watch = reading::watch(&target, &client, thresholds)
                .await
                .map_err(failure)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&watch).unwrap_or_default()
                );
            } else {
                print!("{}", render_watch(&watch, thresholds));
            }
            // A broken chain is what `caisse close --verify` exits 8 for.
            if watch.z_chains.iter().any(|c| !c.faults.is_empty()) {
                return Err(Failure {
                    message: "une chaîne de rapports Z est rompue (voir ci-dessus)".into(),
                    code: ExitCode::Tampered,
                });
            }
            Ok(())
        }
        HqCommand::AddShop {
            shop_id,
            password_stdin,
            url,
        } => {
            let target = admin_target(&config, url)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_to_string(&mut line)
                    .map_err(|e| Failure::bad_input(format!("entrée standard illisible : {e}")))?;
                let line = line.lines().next().unwrap_or_default().to_owned();
                if line.len() < 12 {
                    return Err(Failure::bad_input(
                        "mot de passe trop court : 12 caractères au moins",
                    ));
                }
                (Secret::new(line), false)
            } else {
                (Secret::new(admin::generate_password()), true)
            };
            let mut client = target.connect().await.map_err(failure)?;
            let role = admin::add_shop(&target, &mut client, &shop_id, password.expose())
                .await
                .map_err(failure)?;
            println!("Boutique {shop_id} inscrite au siège (rôle PostgreSQL {role}).");
            if generated {
                println!(
                    "Mot de passe (affiché une seule fois, à mettre dans le fichier de \
                     configuration de la boutique, droits 600) : {}",
                    password.expose()
                );
            }
            println!("Dans la configuration de la boutique :");
            println!("  [hq]");
            println!("  shop_id = \"{shop_id}\"");
            println!(
                "  url = \"postgres://{role}:MOT_DE_PASSE@HÔTE_DU_SIÈGE:5432/BASE?sslmode=verify-full\""
            );
            println!("  ca_file = \"/etc/caisse/siege-ca.pem\"");
            Ok(())
        }
    }
}

/// The administrator's URL: `--url`, else `CAISSE_HQ_ADMIN_URL` or `[hq] admin_url`.
fn admin_target(config: &Config, url: Option<String>) -> Result<Target, Failure> {
    let hq = config.hq.as_ref();
    let url = url
        .map(Secret::new)
        .or_else(|| hq.and_then(|h| h.admin_url.clone()));
    let Some(url) = url else {
        return Err(Failure {
            message: "adresse de l'administrateur du siège manquante : --url, \
                      CAISSE_HQ_ADMIN_URL ou [hq] admin_url"
                .into(),
            code: ExitCode::Config,
        });
    };
    Target::new(&url, hq.and_then(|h| h.ca_file.as_deref())).map_err(failure)
}

/// How long `status` waits for the head office before showing the shop's side alone.
const STATUS_WAIT: Duration = Duration::from_secs(5);

/// What the head office answered, for `status`.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Remote {
    NotConfigured,
    Received { last_seq: i64 },
    Unreachable { reason: String },
}

async fn status(config: &Config, json: bool) -> Result<(), Failure> {
    let journal = crate::wiring::journal_path(config);
    // Reading must not make an empty journal where the service's is not.
    if !journal.exists() {
        return Err(Failure {
            message: format!(
                "journal introuvable : {} ; lancez la commande là où tourne caisse serve, avec \
                 sa configuration (--config, CAISSE_DB ou [journal] path)",
                journal.display()
            ),
            code: ExitCode::Config,
        });
    }
    let state = tokio::task::spawn_blocking(move || Outbox::open(&journal).and_then(|o| o.state()))
        .await
        .map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?
        .map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?;
    let shop = config.hq.as_ref().and_then(|h| h.shop.as_ref());
    let remote = match shop {
        None => Remote::NotConfigured,
        Some(shop) => {
            let ca = config.hq.as_ref().and_then(|h| h.ca_file.as_deref());
            let asked = async {
                let target = Target::new(&shop.url, ca)?;
                let client = target.connect().await?;
                push::hello(&target, &client, &shop.shop_id).await
            };
            match tokio::time::timeout(STATUS_WAIT, asked).await {
                Ok(Ok(received)) => Remote::Received {
                    last_seq: received.last_seq,
                },
                Ok(Err(e)) => Remote::Unreachable {
                    reason: e.to_string(),
                },
                Err(_) => Remote::Unreachable {
                    reason: format!("pas de réponse en {} s", STATUS_WAIT.as_secs()),
                },
            }
        }
    };
    if json {
        let value = serde_json::json!({ "outbox": state, "head_office": remote });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        print!("{}", render(&state, &remote));
    }
    Ok(())
}

fn render(state: &State, remote: &Remote) -> String {
    let mut out = String::new();
    if !state.enabled && !matches!(remote, Remote::NotConfigured) {
        out.push_str(
            "Envoi au siège : pas encore en route ; [hq] est configuré, l'envoi commence au \
             prochain démarrage de caisse serve (le journal existant part en premier).\n",
        );
        return out;
    }
    if !state.enabled {
        out.push_str(
            "Envoi au siège : non configuré (pas de [hq] dans la configuration du service) ; \
             le journal ne garde aucune file.\n",
        );
        return out;
    }
    out.push_str(&format!(
        "Boutique au siège   : {}\n",
        state.shop_id.as_deref().unwrap_or("?")
    ));
    let waiting = match state.oldest_queued_at {
        Some(at) if state.waiting > 0 => {
            format!(
                "{} ligne(s), la plus ancienne depuis {}",
                state.waiting,
                local_time(at)
            )
        }
        _ => "aucune : le siège a tout reçu".into(),
    };
    out.push_str(&format!("En attente d'envoi  : {waiting}\n"));
    let acked = match state.acked_at {
        Some(at) => format!("n° {} le {}", state.acked_seq, local_time(at)),
        None => "aucun encore".into(),
    };
    out.push_str(&format!("Dernier envoi reçu  : {acked}\n"));
    match remote {
        Remote::NotConfigured => {
            out.push_str("Siège               : [hq] absent de la configuration\n")
        }
        Remote::Received { last_seq } => {
            out.push_str(&format!("Le siège a reçu     : jusqu'au n° {last_seq}\n"))
        }
        Remote::Unreachable { reason } => {
            out.push_str(&format!("Siège injoignable   : {reason}\n"));
        }
    }
    out
}

fn render_watch(watch: &reading::Watch, thresholds: reading::Thresholds) -> String {
    use super::table::{Align, Table};
    use crate::money::fcfa;
    let mut out = String::new();
    let late: Vec<&reading::ShopLag> = watch.shops.iter().filter(|s| s.late).collect();
    out.push_str(&format!(
        "Boutiques : {}, dont {} muette(s) depuis plus de {} min\n",
        watch.shops.len(),
        late.len(),
        thresholds.late_minutes
    ));
    if !late.is_empty() {
        let mut table = Table::new(&[
            ("Boutique", Align::Left),
            ("Dernier envoi", Align::Right),
            ("Reçu jusqu'au n°", Align::Right),
        ]);
        for shop in late {
            table.row(vec![
                shop.shop_id.clone(),
                match shop.silent_minutes {
                    Some(m) => format!("il y a {m} min"),
                    None => "jamais".into(),
                },
                shop.last_seq.to_string(),
            ]);
        }
        out.push_str(&table.render());
    }
    out.push_str(&format!(
        "\nOpérations en suspens depuis plus de {} min : {}{}\n",
        thresholds.unsettled_minutes,
        watch.unsettled.len(),
        if watch.unsettled.len() as i64 >= reading::UNSETTLED_SHOWN {
            " (les plus anciennes seulement)"
        } else {
            ""
        }
    ));
    if !watch.unsettled.is_empty() {
        let mut table = Table::new(&[
            ("Boutique", Align::Left),
            ("Opération", Align::Left),
            ("Statut", Align::Left),
            ("Service", Align::Left),
            ("Montant", Align::Right),
            ("Inchangée depuis", Align::Right),
        ]);
        for op in &watch.unsettled {
            table.row(vec![
                op.shop_id.clone(),
                op.external_id.clone(),
                TxStatusText(&op.status).to_string(),
                op.service.clone(),
                op.amount.map(fcfa).unwrap_or_default(),
                format!("{} min", op.unchanged_minutes),
            ]);
        }
        out.push_str(&table.render());
    }
    out.push_str(&format!(
        "\nTiroirs fermés avec un écart ({} derniers jours) : {}\n",
        thresholds.drawer_days,
        watch.drawers.len()
    ));
    if !watch.drawers.is_empty() {
        let mut table = Table::new(&[
            ("Boutique", Align::Left),
            ("Tiroir", Align::Right),
            ("Caissier", Align::Left),
            ("Fermé le", Align::Left),
            ("Écart espèces", Align::Right),
            ("Écart solde", Align::Right),
        ]);
        for d in &watch.drawers {
            table.row(vec![
                d.shop_id.clone(),
                d.drawer.to_string(),
                d.cashier.clone(),
                local_time(d.closed_at),
                d.cash_gap.map(fcfa).unwrap_or_else(|| "?".into()),
                d.balance_gap.map(fcfa).unwrap_or_else(|| "?".into()),
            ]);
        }
        out.push_str(&table.render());
    }
    out.push_str(&format!(
        "\nRapports Z manquants (ventes reçues, pas de Z depuis plus d'un jour) : {}\n",
        watch.z_missing.len()
    ));
    for z in &watch.z_missing {
        out.push_str(&format!(
            "  {} : {} opération(s) depuis {}\n",
            z.shop_id,
            z.operations_since,
            match z.last_z_hours {
                Some(h) => format!("le dernier Z (il y a {h} h)"),
                None => "toujours (aucun Z reçu)".into(),
            }
        ));
    }
    let broken: Vec<&reading::ZChain> = watch
        .z_chains
        .iter()
        .filter(|c| !c.faults.is_empty())
        .collect();
    out.push_str(&format!(
        "\nChaînes de rapports Z vérifiées : {} boutique(s), {} rompue(s)\n",
        watch.z_chains.len(),
        broken.len()
    ));
    for chain in broken {
        for fault in &chain.faults {
            out.push_str(&format!("  {} : {fault}\n", chain.shop_id));
        }
    }
    out
}

/// A status code in French when this build knows it.
struct TxStatusText<'a>(&'a str);

impl std::fmt::Display for TxStatusText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::domain::TxStatus::parse(self.0) {
            Some(s) => f.write_str(s.french()),
            None => f.write_str(self.0),
        }
    }
}
