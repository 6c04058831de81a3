//! The command line through `caisse serve` (when a socket is configured): the same commands,
//! as a logged-in cashier, without reading any key or the journal file. The PIN is typed
//! without echo (or read from a pipe); a Unix user mapped to a cashier gives only the PIN.

use std::path::PathBuf;
use std::time::Duration;

use super::pay::{self, PayArgs};
use super::{Command, ExitCode, Failure};
use crate::money::fcfa_balance;
use crate::session::view::Operation;
use crate::session::{Link, LinkEvent, LoginNeed, Problem, Request, Response};

fn down(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: ExitCode::Network,
    }
}

fn refused(response: Response) -> Failure {
    let code = match response {
        Response::Denied(_)
        | Response::Error(Problem::Refused(crate::domain::Refusal::NotFound { .. })) => {
            ExitCode::BadInput
        }
        _ => ExitCode::Refused,
    };
    Failure {
        message: response
            .error()
            .unwrap_or_else(|| "réponse inattendue du service".to_owned()),
        code,
    }
}

/// Connects and logs in; the link and the event feed (for `pay`'s wait).
async fn open(
    socket: PathBuf,
    cashier: Option<String>,
) -> Result<(Link, tokio::sync::broadcast::Receiver<LinkEvent>), Failure> {
    let terminal = crate::wiring::terminal_name();
    let link = Link::remote(socket.clone(), terminal.clone());
    let mut events = link.subscribe();
    link.start(terminal);
    let need = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Ok(LinkEvent::Up { welcome, .. }) => return Ok(welcome.login),
                Ok(LinkEvent::Down(problem)) => return Err(problem.french()),
                _ => {}
            }
        }
    })
    .await
    .map_err(|_| {
        down(format!(
            "pas de réponse du service sur {}",
            socket.display()
        ))
    })?
    .map_err(down)?;
    let (name, prompt) = match need {
        LoginNeed::None(_) => return Ok((link, events)),
        LoginNeed::Pin(name) => (None, format!("Code PIN de {name} : ")),
        LoginNeed::NameAndPin => {
            let name = cashier.ok_or_else(|| {
                Failure::bad_input("le service demande qui vous êtes : --cashier NOM")
            })?;
            let prompt = format!("Code PIN de {name} : ");
            (Some(name), prompt)
        }
    };
    let stdin = std::io::stdin();
    let mut lines = std::io::BufRead::lines(stdin.lock()).map_while(Result::ok);
    let pin = super::cashier::read_pin(&prompt, &mut lines)?;
    match link
        .call(Request::Login {
            name,
            pin: pin.into(),
        })
        .await
    {
        Response::LoggedIn { .. } => Ok((link, events)),
        other => Err(refused(other)),
    }
}

/// Runs `command` through the service on `socket`.
pub async fn run(
    socket: PathBuf,
    cashier: Option<String>,
    command: Command,
) -> Result<(), Failure> {
    match &command {
        Command::Balance
        | Command::Bills { .. }
        | Command::Pay(_)
        | Command::Refund { .. }
        | Command::Status { .. }
        | Command::Journal { .. }
        | Command::Report(_)
        | Command::Export(_)
        | Command::Receipt(_)
        | Command::Close(_)
        | Command::Drawer(_)
        | Command::Cashier(_) => {}
        _ => {
            return Err(Failure {
                message: "avec le service (socket configuré), cette commande se lance sur le \
                          serveur, par l'utilisateur du service"
                    .into(),
                code: ExitCode::Config,
            });
        }
    }
    let (link, events) = open(socket, cashier).await?;
    match command {
        Command::Balance => match link.call(Request::Balance).await {
            Response::Balance(b) => {
                println!("Solde du compte marchand : {}", fcfa_balance(b));
                Ok(())
            }
            other => Err(refused(other)),
        },
        Command::Bills { service, account } => {
            match link.call(Request::Bills { service, account }).await {
                Response::Bills(bills) => {
                    for b in &bills {
                        println!("{}  {}", b.bill_reference, crate::money::fcfa(b.amount));
                    }
                    println!("{} facture(s) impayée(s).", bills.len());
                    Ok(())
                }
                other => Err(refused(other)),
            }
        }
        Command::Status {
            external_id,
            refresh,
        } => {
            let request = if refresh {
                Request::Refresh {
                    external_id: external_id.clone(),
                }
            } else {
                Request::Get {
                    external_id: external_id.clone(),
                }
            };
            let row = match link.call(request).await {
                Response::Row(Some(row)) => row,
                Response::Row(None) => {
                    return Err(Failure::bad_input(format!(
                        "aucune opération {external_id} dans le journal"
                    )));
                }
                other => return Err(refused(other)),
            };
            let events = match link.call(Request::Events { external_id }).await {
                Response::Events { lines, .. } => lines,
                other => return Err(refused(other)),
            };
            pay::print_status(&row, &events);
            pay::status_exit(&row)
        }
        Command::Journal { today, json } => {
            match link
                .call(Request::Journal {
                    since: pay::since(today),
                })
                .await
            {
                Response::Rows(rows) => {
                    pay::print_journal(&rows, json);
                    Ok(())
                }
                other => Err(refused(other)),
            }
        }
        Command::Report(args) => {
            let period = super::report::period(&args.period)?;
            let by = super::report::by(args.by);
            match link.call(Request::Report { period, by }).await {
                Response::Report(report) => {
                    super::report::print_report(period, &report, args.format)
                }
                other => Err(refused(other)),
            }
        }
        Command::Export(args) => export(&link, &args).await,
        Command::Pay(args) => pay_remote(&link, events, args).await,
        Command::Refund { external_id } => {
            let refund_id = uuid::Uuid::now_v7().to_string();
            let response = link
                .call(Request::Refund {
                    external_id: external_id.clone(),
                    supervisor_pin: None,
                    refund_id: Some(refund_id.clone()),
                })
                .await;
            match response {
                Response::Refunded(done) => pay::refund_finish(&external_id, &done),
                Response::NotDone(outcome) => Err(pay::outcome_failure(&outcome)),
                Response::Error(crate::session::Problem::ServiceLost) => Err(Failure {
                    message: format!(
                        "la liaison avec le service s'est coupée pendant le remboursement \
                         {refund_id} : il est peut-être fait, ne le refaites pas \
                         (caisse status {refund_id})"
                    ),
                    code: ExitCode::Unsettled,
                }),
                other => Err(refused(other)),
            }
        }
        Command::Cashier(command) => cashier_remote(&link, command).await,
        Command::Receipt(args) if args.whatsapp => {
            super::whatsapp::remote(&link, events, &args, refused).await
        }
        Command::Receipt(args) => {
            let request = Request::Receipt {
                external_id: args.external_id.trim().to_owned(),
                print: args.print,
                width: args.width(),
            };
            match link.call(request).await {
                Response::Receipt(Ok(reply)) => super::receipt::show(reply),
                Response::Receipt(Err(none)) => Err(super::receipt::no_receipt(none)),
                other => Err(refused(other)),
            }
        }
        Command::Close(args) => {
            let request = Request::Close {
                ask: args.ask(),
                print: args.print,
                width: args.width(),
            };
            match link.call(request).await {
                Response::Z { reply, printed } => super::close::show(
                    reply,
                    printed,
                    args.format,
                    args.width().unwrap_or(crate::domain::receipt::WIDE),
                ),
                other => Err(refused(other)),
            }
        }
        Command::Drawer(command) => {
            match link
                .call(Request::Drawer(super::drawer::ask(&command)))
                .await
            {
                Response::Drawer(reply) => super::drawer::show(reply),
                other => Err(refused(other)),
            }
        }
        _ => unreachable!("filtered above"),
    }
}

/// `caisse export` through the service: the pieces asked one after the other, each written
/// out as it comes (the export is never whole in memory, here or in the service).
async fn export(link: &Link, args: &super::report::ExportArgs) -> Result<(), Failure> {
    use std::io::Write;
    let period = super::report::period(&args.period)?;
    let format = args.format.into();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut after = None;
    loop {
        let request = Request::Export {
            period,
            format,
            after: after.take(),
        };
        match link.call(request).await {
            Response::ExportPiece { text, next } => {
                out.write_all(text.as_bytes())
                    .map_err(super::report::write_failure)?;
                match next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            other => return Err(refused(other)),
        }
    }
    out.flush().map_err(super::report::write_failure)
}

async fn pay_remote(
    link: &Link,
    mut events: tokio::sync::broadcast::Receiver<LinkEvent>,
    args: PayArgs,
) -> Result<(), Failure> {
    let order = pay::order_from(&args)?;
    let allow_duplicate = args.allow_duplicate;
    // Chosen here, so that a lost answer still names the sale.
    let external_id = uuid::Uuid::now_v7().to_string();
    let outcome = match link
        .call(Request::Pay {
            order,
            external_id: Some(external_id.clone()),
            allow_duplicate,
        })
        .await
    {
        Response::Error(Problem::Refused(r @ crate::domain::Refusal::Duplicate { .. })) => {
            return Err(pay::duplicate_failure(r.to_string()));
        }
        Response::Paid(outcome) => outcome,
        Response::Error(crate::session::Problem::ServiceDown) => {
            return Err(down(crate::session::Problem::ServiceDown.french()));
        }
        Response::Error(crate::session::Problem::ServiceLost) => {
            return Err(Failure {
                message: format!(
                    "la liaison avec le service s'est coupée pendant l'envoi : l'opération \
                     {external_id} est peut-être partie, ne la refaites pas \
                     (caisse status {external_id})"
                ),
                code: ExitCode::Unsettled,
            });
        }
        Response::NotDone(outcome) => return Err(pay::outcome_failure(&outcome)),
        other => return Err(refused(other)),
    };
    let mut row: Operation = outcome.operation;
    println!("Opération {}", pay::status_line(&row));
    if let Some(message) = outcome.outcome.message() {
        println!("{message}");
    }
    pay::print_customer_step(&row);
    if !args.no_wait && !row.status.is_final() {
        let wait = Duration::from_secs(args.wait_secs.unwrap_or(16 * 60));
        let deadline = tokio::time::Instant::now() + wait;
        println!(
            "En attente du statut final… (Ctrl-C pour arrêter d'attendre : le service continue)"
        );
        while !row.status.is_final() && tokio::time::Instant::now() < deadline {
            tokio::select! {
                _ = events.recv() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
            if let Response::Row(Some(now)) = link
                .call(Request::Get {
                    external_id: row.external_id.clone(),
                })
                .await
            {
                if now.status != row.status {
                    println!("Statut : {}", now.status.french());
                }
                row = now;
            }
        }
    }
    // Seen from here: the app will not bring it back at this cashier's next login.
    if row.status.is_final() {
        let _ = link
            .call(Request::Seen {
                external_id: row.external_id.clone(),
            })
            .await;
    }
    pay::finish(&row, args.no_wait)
}

/// `caisse cashier …` through the service: a supervisor's session (the service refuses
/// anyone else).
async fn cashier_remote(
    link: &Link,
    command: super::cashier::CashierCommand,
) -> Result<(), Failure> {
    use super::cashier::{CashierCommand, RoleArg};
    use crate::staff::Role;
    let request = match command {
        CashierCommand::Add { name, role } => {
            let stdin = std::io::stdin();
            let mut lines = std::io::BufRead::lines(stdin.lock()).map_while(Result::ok);
            let pin = super::cashier::read_pin(
                &format!("Code PIN du nouveau caissier {name} (4 à 8 chiffres) : "),
                &mut lines,
            )?;
            let again = super::cashier::read_pin("Code PIN, encore une fois : ", &mut lines)?;
            if again != pin {
                return Err(Failure::bad_input(
                    "les deux codes PIN diffèrent : rien n'est enregistré",
                ));
            }
            let role = match role {
                RoleArg::Cashier => Role::Cashier,
                RoleArg::Supervisor => Role::Supervisor,
            };
            Request::AddCashier {
                name,
                role,
                pin: pin.into(),
            }
        }
        CashierCommand::List => Request::ListCashiers,
        CashierCommand::Disable { name } => Request::DisableCashier { name },
    };
    match link.call(request).await {
        Response::Done => {
            println!("Fait.");
            Ok(())
        }
        Response::Cashiers(list) => {
            super::cashier::print_list(list);
            Ok(())
        }
        other => Err(refused(other)),
    }
}
