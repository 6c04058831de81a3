//! `caisse pay`, `status`, `journal`, `reconcile`: the engine from the command line.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::table::{Align, Table};
use crate::domain::TxStatus;
use crate::domain::{GatewayKind, Outcome};
use crate::engine::{Engine, EngineError, PayOrder, Repeat, serve_callbacks};
use crate::exit::{ExitCode, Failure};
use crate::money::fcfa;
use crate::qr::QrImage;
use crate::session::view::{HistoryLine, Operation, Sent};
use crate::wiring::{Context, connect};

#[derive(Debug, clap::Args)]
pub struct PayArgs {
    /// Code du service Intech (par exemple WAVE_SN_API_CASH_OUT) ; inutile avec --gateway intram.
    #[arg(long, value_name = "CODE", required_unless_present = "gateway")]
    pub service: Option<String>,
    /// Numéro du client (9 chiffres au Sénégal, 10 en Côte d'Ivoire).
    #[arg(long, value_name = "NUMÉRO")]
    pub phone: Option<String>,
    /// Montant en FCFA (entier).
    #[arg(long, value_name = "FCFA")]
    pub amount: Option<i64>,
    /// Autre champ du service, par exemple --field accountNumber=21050176023 (répétable).
    #[arg(long = "field", value_name = "NOM=VALEUR")]
    pub fields: Vec<String>,
    /// Passerelle : intech (défaut) ou intram.
    #[arg(long, value_name = "NOM", default_value = "intech")]
    pub gateway: String,
    /// Libellé de la vente (Intram).
    #[arg(long, value_name = "TEXTE")]
    pub description: Option<String>,
    /// N'attend pas le statut final : rend la main dès la réponse de la passerelle.
    #[arg(long)]
    pub no_wait: bool,
    /// Attente maximale du statut final, en secondes (défaut : la fenêtre de paiement + 1 min).
    #[arg(long, value_name = "SECONDES")]
    pub wait_secs: Option<u64>,
    /// Envoie même si une vente identique (même service, numéro et montant) est encore en
    /// attente ou vient de réussir ; sans cette option, elle est refusée (code 2).
    #[arg(long)]
    pub allow_duplicate: bool,
}

/// The refusal of a second identical sale, with how to send it anyway (exit 2).
pub(super) fn duplicate_failure(text: String) -> Failure {
    Failure::bad_input(format!(
        "{text} Relancez avec --allow-duplicate si c'est bien une deuxième vente."
    ))
}

/// Starts what keeps a payment moving while the command waits: the journal
/// watcher, and the callback listener when one is configured.
pub(super) async fn start_engine(
    context: &Context,
) -> Result<(Arc<Engine>, Vec<tokio::task::JoinHandle<()>>), Failure> {
    let engine = context.engine()?;
    // The poller starts once the sale has its id: this command follows its own sale only
    // (the app, `serve` and `reconcile` follow everything, recovery included).
    let mut tasks = vec![tokio::spawn(
        engine.clone().run_watcher(context.journal_path.clone()),
    )];
    if let Some(listen) = context.config.callback_listen {
        let (_addr, task) =
            serve_callbacks(engine.clone(), listen, context.config.callback_timeouts)
                .await
                .map_err(|e| Failure {
                    message: format!("écoute des callbacks impossible sur {listen} : {e}"),
                    code: ExitCode::Config,
                })?;
        tasks.push(task);
    }
    Ok((engine, tasks))
}

pub(super) fn parse_fields(raw: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut fields = BTreeMap::new();
    for item in raw {
        let Some((name, value)) = item.split_once('=') else {
            return Err(Failure::bad_input(format!(
                "--field « {item} » : attendu NOM=VALEUR"
            )));
        };
        fields.insert(name.trim().to_owned(), value.to_owned());
    }
    Ok(fields)
}

pub(super) fn status_line(row: &Operation) -> String {
    let amount = row.amount.map(fcfa).unwrap_or_else(|| "-".into());
    format!(
        "{} — {} — {amount} — {}",
        row.external_id,
        row.service,
        row.status.french()
    )
}

/// The exit code a final (or last known) status gives.
pub fn exit_for(status: TxStatus) -> ExitCode {
    match status {
        TxStatus::Success => ExitCode::Ok,
        TxStatus::Failed | TxStatus::Canceled | TxStatus::Refunded => ExitCode::Refused,
        TxStatus::NotSent => ExitCode::Network,
        TxStatus::Expired => ExitCode::Expired,
        TxStatus::New
        | TxStatus::Unknown
        | TxStatus::Pending
        | TxStatus::Processing
        | TxStatus::Review => ExitCode::Unsettled,
    }
}

pub(super) fn print_customer_step(row: &Operation) {
    if let Some(url) = &row.customer_url {
        match QrImage::encode(url) {
            Ok(qr) if crate::config::environment::plain_qr(std::io::stdout().is_terminal()) => {
                print!("{}", qr.to_plain())
            }
            Ok(qr) => print!("{}", qr.to_ansi()),
            Err(e) => println!("({e})"),
        }
        println!("Lien à scanner ou à ouvrir : {url}");
    }
    if let Some(note) = &row.notification {
        println!("Message pour le client : {note}");
    }
    // Without a link (Free, MTN, Moov…), what the customer does, from the one table.
    if row.customer_url.is_none()
        && !row.status.is_final()
        && let Some(step) = crate::catalog::customer::find(&row.service)
        && matches!(
            step.how,
            crate::catalog::customer::How::Ussd(_) | crate::catalog::customer::How::Phone
        )
    {
        println!("{}", step.how.instruction(crate::i18n::Lang::Fr));
    }
}

/// The sale the arguments describe (checked locally again by the engine).
pub(super) fn order_from(args: &PayArgs) -> Result<PayOrder, Failure> {
    let fields = parse_fields(&args.fields)?;
    let gateway = GatewayKind::parse(&args.gateway).ok_or_else(|| {
        Failure::bad_input(format!(
            "passerelle « {} » inconnue : intech ou intram",
            args.gateway.trim()
        ))
    })?;
    let service = match (gateway, args.service.as_deref().unwrap_or_default().trim()) {
        (GatewayKind::Intram, _) => crate::domain::fields::INTRAM.to_owned(),
        (_, "") => {
            return Err(Failure::bad_input(
                "--service est obligatoire pour Intech (par exemple WAVE_SN_API_CASH_OUT)",
            ));
        }
        (_, s) => s.to_ascii_uppercase(),
    };
    Ok(PayOrder {
        gateway,
        service,
        phone: args.phone.clone(),
        amount: args.amount,
        fields,
        description: args.description.clone(),
    })
}

pub async fn pay(config_path: Option<&Path>, args: PayArgs) -> Result<(), Failure> {
    let order = order_from(&args)?;
    let context = connect(config_path).await?;
    // Only when this command runs the demo's sandbox: joined to a running demo, the page
    // lives as long as that demo does (`wiring::demo` says so on stderr).
    if matches!(context.demo, Some(crate::wiring::demo::Demo::Own { .. })) && !args.no_wait {
        eprintln!(
            "Mode DÉMO : la page client est servie par la sandbox intégrée tant que cette commande attend."
        );
    }
    let (engine, tasks) = start_engine(&context).await?;
    let mut events = engine.subscribe();
    let repeat = if args.allow_duplicate {
        Repeat::Allow
    } else {
        Repeat::Refuse
    };
    let actor = engine.default_actor();
    let outcome = engine
        .pay_checked(order, &actor, None, repeat)
        .await
        .map_err(|e| match e {
            EngineError::Invalid(_) | EngineError::NoGateway(_) => {
                Failure::bad_input(e.to_string())
            }
            EngineError::Refused(r @ crate::domain::Refusal::Duplicate { .. }) => {
                duplicate_failure(r.to_string())
            }
            EngineError::AfterSend(_) => Failure {
                message: e.to_string(),
                code: ExitCode::Unsettled,
            },
            other => Failure {
                message: other.to_string(),
                code: ExitCode::Config,
            },
        })?;
    let mut tasks = tasks;
    tasks.push(tokio::spawn(
        engine
            .clone()
            .run_poller_for(Some(outcome.row.external_id.clone())),
    ));
    let mut row = Operation::from(outcome.row);
    println!("Opération {}", status_line(&row));
    if let Some(message) = outcome.outcome.message() {
        println!("{message}");
    }
    print_customer_step(&row);
    if !args.no_wait && !row.status.is_final() {
        let plan = &engine.config().plan;
        let wait = args
            .wait_secs
            .map(Duration::from_secs)
            .unwrap_or(plan.window + Duration::from_secs(60));
        let deadline = tokio::time::Instant::now() + wait;
        println!(
            "En attente du statut final… (Ctrl-C pour arrêter d'attendre : l'opération continue)"
        );
        while !row.status.is_final() && tokio::time::Instant::now() < deadline {
            tokio::select! {
                _ = events.recv() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
            if let Ok(Some(now)) = engine.get(&row.external_id).await {
                if now.status != row.status {
                    println!("Statut : {}", now.status.french());
                }
                row = now.into();
            }
        }
    }
    for t in tasks {
        t.abort();
    }
    finish(&row, args.no_wait)
}

/// The exit code and French sentence of a send that left no row.
pub(super) fn outcome_failure(outcome: &Outcome) -> Failure {
    let message = outcome.message().unwrap_or_default().to_owned();
    let code = match outcome {
        Outcome::Accepted => ExitCode::Ok,
        Outcome::Failed { code, .. } if code.as_deref() == Some("invalid") => ExitCode::BadInput,
        Outcome::Failed { .. } => ExitCode::Refused,
        Outcome::NotSent { .. } => ExitCode::Network,
        Outcome::Unknown { .. } => ExitCode::Unsettled,
    };
    Failure { message, code }
}

/// `caisse refund ID`: the refund's own operation, sent once; exits as `pay` does.
pub async fn refund(config_path: Option<&Path>, external_id: &str) -> Result<(), Failure> {
    let context = connect(config_path).await?;
    let engine = context.engine()?;
    let actor = engine.default_actor();
    match engine.refund(external_id, &actor, None).await {
        Ok(done) => refund_finish(external_id, &done.into()),
        Err(EngineError::Refused(r @ crate::domain::Refusal::NotFound { .. })) => {
            Err(Failure::bad_input(r.to_string()))
        }
        Err(e @ EngineError::AfterSend(_)) => Err(Failure {
            message: e.to_string(),
            code: ExitCode::Unsettled,
        }),
        Err(EngineError::Refused(refusal)) => Err(Failure {
            message: refusal.to_string(),
            code: ExitCode::Refused,
        }),
        Err(e) => Err(Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        }),
    }
}

/// What a refund's send gave, printed, and its exit code.
pub(super) fn refund_finish(sale: &str, done: &Sent) -> Result<(), Failure> {
    let row = &done.operation;
    println!(
        "Remboursement {} de la vente {sale} — {} : {}",
        row.external_id,
        row.amount.map(fcfa).unwrap_or_else(|| "-".into()),
        row.status.french()
    );
    if let Some(note) = &row.notification {
        println!("{note}");
    }
    match row.status {
        TxStatus::Success => {
            println!("✓ Remboursement effectué.");
            Ok(())
        }
        status => Err(Failure {
            message: match &done.outcome {
                Outcome::Unknown { message } => format!(
                    "{message} Le remboursement est peut-être fait : ne le refaites pas, \
                     `caisse reconcile` le vérifiera."
                ),
                other => other.message().unwrap_or(status.french()).to_owned(),
            },
            code: exit_for(status),
        }),
    }
}

/// Prints how the sale ended (or where it stands: with `--no-wait`, most often still
/// pending) and gives its exit code: a sale not final yet exits 7 (README, "Exit codes"),
/// waited for or not.
pub(super) fn finish(row: &Operation, no_wait: bool) -> Result<(), Failure> {
    let code = exit_for(row.status);
    match row.status {
        TxStatus::Success => {
            println!(
                "✓ Paiement réussi : {}",
                row.amount.map(fcfa).unwrap_or_default()
            );
            for (label, value) in crate::details::lines(&row.details) {
                println!("{label} : {value}");
            }
        }
        s if s.is_final() => println!(
            "✗ {} : {}",
            s.french(),
            row.error_message
                .clone()
                .unwrap_or_else(|| "voir le journal".into())
        ),
        s if no_wait => println!(
            "Statut actuel : {}. Sans attendre (--no-wait) : `caisse status {}` le dira, \
             `caisse reconcile` la suit jusqu'au bout.",
            s.french(),
            row.external_id
        ),
        s => println!(
            "Statut actuel : {}. L'opération reste suivie : `caisse reconcile` ou `caisse status {}`.",
            s.french(),
            row.external_id
        ),
    }
    exit_of(row, code)
}

/// `Ok` for a code 0, else the operation's status as the failure (stderr) with the code.
fn exit_of(row: &Operation, code: ExitCode) -> Result<(), Failure> {
    if code == ExitCode::Ok {
        Ok(())
    } else {
        Err(Failure {
            message: format!("opération {} : {}", row.external_id, row.status.french()),
            code,
        })
    }
}

/// `caisse status`'s exit code: the operation's, as `pay` would give it (0 paid, 1 failed
/// or refunded, 6 expired, 7 not final yet…), after the status is printed.
pub(super) fn status_exit(row: &Operation) -> Result<(), Failure> {
    exit_of(row, exit_for(row.status))
}

pub async fn status(
    config_path: Option<&Path>,
    external_id: &str,
    refresh: bool,
) -> Result<(), Failure> {
    let context = connect(config_path).await?;
    let engine = context.engine()?;
    let row = if refresh {
        engine.refresh(external_id).await.map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Network,
        })?
    } else {
        engine.get(external_id).await.map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?
    };
    let Some(row) = row else {
        return Err(Failure::bad_input(format!(
            "aucune opération {external_id} dans le journal"
        )));
    };
    let id = row.external_id.clone();
    let events = engine
        .journal(move |j| j.events(&id))
        .await
        .map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?;
    let events: Vec<HistoryLine> = events.into_iter().map(Into::into).collect();
    let row = Operation::from(row);
    print_status(&row, &events);
    status_exit(&row)
}

pub(super) fn print_status(row: &Operation, events: &[HistoryLine]) {
    println!("Opération     : {}", row.external_id);
    println!("Service       : {} ({})", row.service, row.gateway);
    println!("Téléphone     : {}", row.phone.as_deref().unwrap_or("-"));
    println!(
        "Montant       : {}",
        row.amount.map(fcfa).unwrap_or_else(|| "-".into())
    );
    println!("Statut        : {} ({})", row.status.french(), row.status);
    if let Some(id) = &row.gateway_tx_id {
        println!("Réf. passerelle : {id}");
    }
    if let Some(n) = row.receipt_no {
        println!(
            "Reçu          : n° {n:06} (caisse receipt {})",
            row.external_id
        );
    }
    if let Some(sale) = row
        .fields
        .get(crate::domain::receipt::RECEIPT_OF)
        .and_then(|v| v.as_str())
    {
        println!("Reçu WhatsApp de la vente {sale}");
    }
    if let Some(msg) = &row.error_message {
        println!("Message       : {msg}");
    }
    if let Some(url) = &row.customer_url {
        println!("Lien client   : {url}");
    }
    println!("Caissier      : {} ({})", row.cashier, row.terminal);
    println!("Historique :");
    for e in events {
        println!("  {}  {:<16} {}", format_time(e.at), e.kind, e.detail);
    }
}

fn format_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

pub(super) fn since(today: bool) -> i64 {
    if today {
        crate::journal::start_of_today()
    } else {
        0
    }
}

pub async fn journal(config_path: Option<&Path>, today: bool, json: bool) -> Result<(), Failure> {
    let context = connect(config_path).await?;
    let engine = context.engine()?;
    let since = since(today);
    let rows = engine
        .journal(move |j| j.list_since(since, 10_000))
        .await
        .map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?;
    let rows: Vec<Operation> = rows.into_iter().map(Into::into).collect();
    print_journal(&rows, json);
    Ok(())
}

/// The journal as a table, or with `--json` as one JSON array (one document any JSON tool
/// reads whole; a listing is bounded, so nothing is gained by streaming JSON Lines).
pub(super) fn print_journal(rows: &[Operation], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(rows).unwrap_or_default());
        return;
    }
    let mut table = Table::new(&[
        ("Heure (UTC)", Align::Left),
        ("Opération", Align::Left),
        ("Service", Align::Left),
        ("Téléphone", Align::Left),
        ("Montant", Align::Right),
        ("Statut", Align::Left),
    ]);
    for row in rows {
        table.row(vec![
            format_time(row.created_at),
            row.external_id.clone(),
            row.service.clone(),
            row.phone.clone().unwrap_or_default(),
            row.amount.map(fcfa).unwrap_or_default(),
            row.status.french().to_owned(),
        ]);
    }
    print!("{}", table.render());
    println!("{} opération(s).", rows.len());
}

pub async fn reconcile(config_path: Option<&Path>, wait_secs: u64) -> Result<(), Failure> {
    let context = connect(config_path).await?;
    let engine = context.engine()?;
    let summary = engine
        .reconcile(Duration::from_secs(wait_secs))
        .await
        .map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?;
    for (id, status) in &summary.settled {
        let french = TxStatus::parse(status).map(|s| s.french()).unwrap_or("?");
        println!("réglée      {id}  {french}");
    }
    for id in &summary.pending {
        println!("en attente  {id}");
    }
    for id in &summary.unknown {
        println!("inconnue    {id}");
    }
    for (id, reason) in &summary.review {
        println!("à vérifier  {id}  {reason}");
    }
    println!(
        "Rapprochement : {} réglée(s), {} en attente, {} inconnue(s), {} à vérifier.",
        summary.settled.len(),
        summary.pending.len(),
        summary.unknown.len(),
        summary.review.len()
    );
    let mut problems = Vec::new();
    if !summary.pending.is_empty() {
        problems.push(format!(
            "{} opération(s) encore en attente du client ou de l'opérateur : \
             elles restent suivies, relancez `caisse reconcile` plus tard",
            summary.pending.len()
        ));
    }
    if !summary.unknown.is_empty() {
        problems.push(format!(
            "{} opération(s) au résultat encore inconnu : relancez `caisse reconcile` plus tard",
            summary.unknown.len()
        ));
    }
    if !summary.review.is_empty() {
        problems.push(format!(
            "{} opération(s) à vérifier : la passerelle ne donne pas de statut lisible ; \
             ouvrez une réclamation Intech depuis le journal (détail, touche c), \
             la référence y est déjà écrite",
            summary.review.len()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: problems.join("\n"),
            code: ExitCode::Unsettled,
        })
    }
}
