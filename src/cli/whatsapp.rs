//! `caisse receipt ID --whatsapp [--phone P] [--yes]`: a receipt sent by WhatsApp through
//! Intech's own service, paid by the shop. The cost and the message are printed first; the
//! message goes only with `--yes` (exit 2 otherwise), as an operation of its own linked to
//! the sale, followed until its final status. The same locally and through `caisse serve`.

use std::path::Path;
use std::time::Duration;

use super::pay::{exit_for, outcome_failure};
use super::receipt::{ReceiptArgs, no_receipt};
use crate::domain::TxStatus;
use crate::engine::{EngineError, NoMessage, ReceiptMessage};
use crate::exit::{ExitCode, Failure};
use crate::i18n::Lang;
use crate::session::view::{Operation, Sent};
use crate::session::{Link, LinkEvent, Request, Response};

/// How long the command waits for the message's final status (the gateway hands a message
/// to WhatsApp within seconds).
const WAIT: Duration = Duration::from_secs(60);

/// What the cashier reads before anything is sent.
pub fn show_quote(quote: &ReceiptMessage) {
    println!(
        "Reçu de la vente {} par WhatsApp au {}",
        quote.sale, quote.phone
    );
    println!(
        "Coût pour la boutique : {} (service WHATSAPP_MESSAGING d'Intech ; le client ne paie rien)",
        quote.cost_text(Lang::Fr)
    );
    println!("--- message ---");
    println!("{}", quote.text);
    println!("---------------");
}

/// Not sent: the cashier did not confirm (exit 2).
pub fn not_confirmed(quote: &ReceiptMessage) -> Failure {
    Failure::bad_input(format!(
        "reçu non envoyé : confirmez l'envoi par WhatsApp et son coût ({}) en relançant avec --yes",
        quote.cost_text(Lang::Fr)
    ))
}

/// No message can go: unknown or unsettled sale (as `caisse receipt`), else bad input.
pub fn no_message(none: NoMessage) -> Failure {
    match none {
        NoMessage::NoReceipt(none) => no_receipt(none),
        other => Failure::bad_input(other.to_string()),
    }
}

fn engine_failure(e: EngineError) -> Failure {
    match e {
        EngineError::Invalid(_) | EngineError::NoGateway(_) | EngineError::Refused(_) => {
            Failure::bad_input(e.to_string())
        }
        EngineError::AfterSend(_) => Failure {
            message: e.to_string(),
            code: ExitCode::Unsettled,
        },
        other => Failure {
            message: other.to_string(),
            code: ExitCode::Config,
        },
    }
}

/// The message's operation as sent, then how it ended, and the exit code of its status.
fn sent_line(row: &Operation, sale: &str) {
    println!(
        "Message WhatsApp {} (reçu de la vente {sale}) : {}",
        row.external_id,
        row.status.french()
    );
}

fn finish(row: &Operation) -> Result<(), Failure> {
    match row.status {
        TxStatus::Success => {
            println!(
                "✓ Reçu envoyé par WhatsApp. Coût payé par la boutique : {}.",
                row.amount
                    .map(crate::money::fcfa)
                    .unwrap_or_else(|| "-".into())
            );
            Ok(())
        }
        s if s.is_final() => Err(Failure {
            message: format!(
                "reçu non envoyé par WhatsApp ({}) : {}",
                s.french(),
                row.error_message
                    .clone()
                    .unwrap_or_else(|| "voir le journal".into())
            ),
            code: exit_for(s),
        }),
        s => Err(Failure {
            message: format!(
                "message WhatsApp {} encore « {} » : il reste suivi, ne le renvoyez pas \
                 (caisse status {})",
                row.external_id,
                s.french(),
                row.external_id
            ),
            code: ExitCode::Unsettled,
        }),
    }
}

/// Aborts the engine's companions however the command ends.
struct Companions(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Companions {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// On this machine: the journal and the gateway of the configuration (the demo's in demo
/// mode), the message followed by this command until it is final.
pub async fn local(config_path: Option<&Path>, args: &ReceiptArgs) -> Result<(), Failure> {
    let context = crate::wiring::connect(config_path).await?;
    let (engine, tasks) = super::pay::start_engine(&context).await?;
    let mut companions = Companions(tasks);
    let sale = args.external_id.trim();
    let phone = args.phone.as_deref();
    let quote = engine
        .receipt_message(sale, phone)
        .await
        .map_err(engine_failure)?
        .map_err(no_message)?;
    show_quote(&quote);
    if !args.yes {
        return Err(not_confirmed(&quote));
    }
    let mut events = engine.subscribe();
    let outcome = engine
        .send_receipt_message(sale, phone, &engine.default_actor(), None)
        .await
        .map_err(engine_failure)?
        .map_err(no_message)?;
    let mut row = Operation::from(outcome.row);
    sent_line(&row, sale);
    if row.status == TxStatus::NotSent
        || matches!(outcome.outcome, crate::domain::Outcome::NotSent { .. })
    {
        return Err(outcome_failure(&outcome.outcome));
    }
    companions.0.push(tokio::spawn(
        engine.clone().run_poller_for(Some(row.external_id.clone())),
    ));
    let deadline = tokio::time::Instant::now() + WAIT;
    while !row.status.is_final() && tokio::time::Instant::now() < deadline {
        tokio::select! {
            _ = events.recv() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
        if let Ok(Some(now)) = engine.get(&row.external_id).await {
            row = now.into();
        }
    }
    if row.status.is_final() {
        sent_line(&row, sale);
    }
    finish(&row)
}

/// Through `caisse serve`: the service's journal and gateway; it follows the message, this
/// command waits for its final status.
pub async fn remote(
    link: &Link,
    mut events: tokio::sync::broadcast::Receiver<LinkEvent>,
    args: &ReceiptArgs,
    refused: fn(Response) -> Failure,
) -> Result<(), Failure> {
    let sale = args.external_id.trim().to_owned();
    let ask = |send: bool, message_id: Option<String>| Request::WhatsAppReceipt {
        external_id: sale.clone(),
        phone: args.phone.clone(),
        send,
        message_id,
    };
    let quote = match link.call(ask(false, None)).await {
        Response::ReceiptMessage(Ok(quote)) => quote,
        Response::ReceiptMessage(Err(none)) => return Err(no_message(none)),
        other => return Err(refused(other)),
    };
    show_quote(&quote);
    if !args.yes {
        return Err(not_confirmed(&quote));
    }
    // Chosen here, so that a lost answer still names the message.
    let message_id = uuid::Uuid::now_v7().to_string();
    let sent: Sent = match link.call(ask(true, Some(message_id.clone()))).await {
        Response::Paid(sent) => sent,
        Response::ReceiptMessage(Err(none)) => return Err(no_message(none)),
        Response::NotDone(outcome) => return Err(outcome_failure(&outcome)),
        Response::Error(crate::session::Problem::ServiceLost) => {
            return Err(Failure {
                message: format!(
                    "la liaison avec le service s'est coupée pendant l'envoi : le message \
                     {message_id} est peut-être parti, ne le renvoyez pas \
                     (caisse status {message_id})"
                ),
                code: ExitCode::Unsettled,
            });
        }
        other => return Err(refused(other)),
    };
    let mut row = sent.operation;
    sent_line(&row, &sale);
    if matches!(sent.outcome, crate::domain::Outcome::NotSent { .. }) {
        return Err(outcome_failure(&sent.outcome));
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    while !row.status.is_final() && tokio::time::Instant::now() < deadline {
        tokio::select! {
            _ = events.recv() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
        if let Response::Row(Some(now)) = link
            .call(Request::Get {
                external_id: row.external_id.clone(),
            })
            .await
        {
            row = now;
        }
    }
    if row.status.is_final() {
        sent_line(&row, &sale);
    }
    finish(&row)
}
