//! One function per subcommand. Each one loads the configuration, talks to the gateway
//! (or to an in-process sandbox in demo mode) and prints a French table.

use std::path::Path;

use super::Failure;
use super::table::{Align, Table};
use crate::catalog::services;
use crate::gateway::intech::IntechClient;
use crate::money::{fcfa, fcfa_balance};
use crate::sandbox::{self, SandboxArgs};
use crate::wiring::Context;

pub async fn sandbox(args: SandboxArgs) -> Result<(), Failure> {
    sandbox::run(args.config(), args.listen())
        .await
        .map_err(|e| Failure {
            message: format!("sandbox : {e}"),
            code: super::ExitCode::Config,
        })
}

/// The Intech client the command talks to, and the context that keeps a demo sandbox alive.
struct Connection {
    client: IntechClient,
    _context: Context,
}

async fn connect(config_path: Option<&Path>) -> Result<Connection, Failure> {
    let context = crate::wiring::connect(config_path).await?;
    let client = context.intech()?.clone();
    Ok(Connection {
        client,
        _context: context,
    })
}

fn direction(type_operation: &str) -> &'static str {
    match type_operation {
        "DEBIT" => "Débit",
        "CREDIT" => "Crédit",
        _ => "?",
    }
}

pub async fn services(config_path: Option<&Path>) -> Result<(), Failure> {
    let conn = connect(config_path).await?;
    let list = conn.client.services().await?;
    let mut table = Table::new(&[
        ("Code service", Align::Left),
        ("Nom", Align::Left),
        ("Type", Align::Left),
        // The merchant's account: debited (a deposit, a bill) or credited (a cash-out).
        ("Débit/Crédit", Align::Left),
    ]);
    for s in &list {
        table.row(vec![
            s.code_service.clone(),
            s.name.clone(),
            s.type_service.clone(),
            direction(&s.type_operation).to_owned(),
        ]);
    }
    print!("{}", table.render());
    println!("{} service(s).", list.len());
    Ok(())
}

pub async fn balance(config_path: Option<&Path>) -> Result<(), Failure> {
    let conn = connect(config_path).await?;
    let balance = conn.client.balance().await?;
    println!(
        "Solde : {} ({})",
        fcfa_balance(balance.balance),
        balance.currency
    );
    Ok(())
}

pub async fn errors(config_path: Option<&Path>) -> Result<(), Failure> {
    let conn = connect(config_path).await?;
    let list = conn.client.errors().await?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("Code", Align::Left),
        ("Message", Align::Left),
    ]);
    for e in &list {
        table.row(vec![
            e.id.map(|id| id.to_string()).unwrap_or_else(|| "-".into()),
            e.code.clone(),
            e.message.clone(),
        ]);
    }
    print!("{}", table.render());
    println!("{} code(s) d'erreur.", list.len());
    Ok(())
}

/// Intech's own rule for account numbers (letters and digits, 8 to 20 long): checked here
/// so a typo never leaves the terminal.
pub async fn bills(
    config_path: Option<&Path>,
    service: &str,
    account: &str,
) -> Result<(), Failure> {
    let service = service.trim().to_ascii_uppercase();
    let account = account.trim();
    if !service.ends_with("_BILL_PAY") {
        let known: Vec<&str> = services::SERVICES
            .iter()
            .filter(|s| s.type_service == "BILL_PAY")
            .map(|s| s.code)
            .collect();
        return Err(Failure::bad_input(format!(
            "« {service} » n'est pas un service de factures ; choisissez parmi : {}",
            known.join(", ")
        )));
    }
    let account =
        crate::domain::fields::bill_account(crate::i18n::Lang::Fr, account).map_err(|why| {
            Failure::bad_input(format!("numéro de compte « {account} » invalide : {why}"))
        })?;
    let account = account.as_str();
    let conn = connect(config_path).await?;
    let bills = conn.client.pending_bills(&service, account).await?;
    if bills.is_empty() {
        println!("Aucune facture en attente pour le compte {account} ({service}).");
        return Ok(());
    }
    let mut table = Table::new(&[
        ("Référence", Align::Left),
        ("Montant", Align::Right),
        ("Détails", Align::Left),
    ]);
    for bill in &bills {
        let details: Vec<String> = bill
            .infos
            .iter()
            .map(|i| format!("{} : {}", i.label, i.value))
            .collect();
        table.row(vec![
            bill.bill_reference.clone(),
            fcfa(bill.amount),
            details.join(" ; "),
        ]);
    }
    println!("Factures en attente pour le compte {account} ({service}) :");
    print!("{}", table.render());
    let total: i64 = bills.iter().map(|b| b.amount).sum();
    println!("{} facture(s), total {}.", bills.len(), fcfa(total));
    Ok(())
}
