//! `caisse hq …`: the head office. On a shop, `status` (how far behind the head office
//! the shop is); at the head office, `migrate` (its schema, versioned like the journal's)
//! and `add-shop` (a shop's own PostgreSQL role).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::{ExitCode, Failure};
use crate::config::{self, Config};
use crate::hq::outbox::{Outbox, State};
use crate::hq::{HqError, Target, admin, push, schema};
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
