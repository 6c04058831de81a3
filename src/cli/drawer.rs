//! `caisse drawer open|status|close`: the cashier's cash drawer on this machine's journal,
//! or through `caisse serve` (`src/cli/remote.rs`) as the logged-in cashier.
//! The cashier is the one the sales are recorded under (`$USER`, as `caisse pay` does); the
//! balance is read through the engine, as `caisse balance` and the screens read it.

use std::path::Path;

use super::{ExitCode, Failure};
use crate::journal::Journal;
use crate::journal::drawers::{DrawerRecord, DrawerRefusal, DrawerState};
use crate::journal::float::FloatView;
use crate::money::fcfa;
use crate::session::protocol::{DrawerAsk, DrawerReply};

#[derive(Debug, clap::Subcommand)]
pub enum DrawerCommand {
    /// Ouvre le tiroir : fond de caisse compté, et solde de la passerelle lu maintenant.
    Open {
        /// Espèces comptées dans le tiroir, en FCFA.
        #[arg(long, value_name = "FCFA", value_parser = parse_cash)]
        cash: i64,
    },
    /// Le tiroir ouvert : fond de caisse, entrées et sorties, espèces et solde attendus.
    Status {
        /// Tous les tiroirs ouverts de la boutique (superviseur, par le service).
        #[arg(long)]
        all: bool,
    },
    /// La flotte (superviseur) : solde lu maintenant, sous le seuil depuis quand, rythme de
    /// baisse, approvisionnements du jour.
    Float,
    /// Ferme le tiroir : espèces comptées contre attendues, solde lu contre attendu, écarts signalés.
    Close {
        /// Espèces comptées dans le tiroir, en FCFA.
        #[arg(long, value_name = "FCFA", value_parser = parse_cash)]
        cash: i64,
    },
}

/// A counted amount: whole FCFA, spaces allowed (`20 000`), never negative.
fn parse_cash(text: &str) -> Result<i64, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match digits.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(format!(
            "montant invalide « {text} » : un nombre entier de FCFA, positif ou nul (20000)"
        )),
    }
}

fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    }
}

fn refusal(r: DrawerRefusal) -> Failure {
    Failure::bad_input(r.to_string())
}

/// The gateway balance now, in whole FCFA; `None` (with a French warning) when unreadable:
/// the drawer still opens or closes, the balance comparison is then left out.
async fn read_balance(context: &crate::wiring::Context) -> Option<i64> {
    let read = match context.engine() {
        Ok(engine) => engine.balance().await.map_err(|e| e.to_string()),
        Err(f) => Err(f.message),
    };
    match read {
        Ok(balance) => Some(balance.floor() as i64),
        Err(e) => {
            eprintln!("⚠ Solde de la passerelle illisible ({e}) : il n'est pas comparé.");
            None
        }
    }
}

fn cashier() -> String {
    crate::config::environment::unix_user().unwrap_or_default()
}

fn time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            format!(
                "{:02}/{:02}/{} {:02}:{:02} UTC",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

fn balance(b: Option<i64>) -> String {
    b.map(fcfa).unwrap_or_else(|| "non lu".into())
}

/// The drawer's figures, one per line, the same for status and close.
fn print_state(state: &DrawerState) {
    let d = &state.drawer;
    let t = &state.totals;
    println!("Caissier            : {} ({})", d.cashier, d.terminal);
    println!("Ouvert le           : {}", time(d.opened_at));
    println!("Fond de caisse      : {}", fcfa(d.opening_cash));
    println!("Solde à l'ouverture : {}", balance(d.opening_balance));
    println!(
        "Opérations          : {} (entrées espèces {}, sorties espèces {})",
        t.counted,
        fcfa(t.cash_in),
        fcfa(t.cash_out)
    );
    println!("Commissions         : {}", fcfa(t.commissions));
    if t.goods != 0 {
        println!("Marchandises        : {}", fcfa(t.goods));
    }
    if t.shop_costs != 0 {
        // Receipts sent by WhatsApp: paid from the balance, no cash.
        println!("Frais de la boutique: {}", fcfa(t.shop_costs));
    }
}

/// `Écart : -500 FCFA ⚠` or `Écart : 0 FCFA ✓`.
fn gap_line(label: &str, gap: crate::domain::drawer::Gap) -> String {
    let flag = if gap.flagged() { "⚠" } else { "✓" };
    format!("{label:<20}: {} {flag}", fcfa(gap.difference()))
}

/// `caisse drawer open` answered: the float and the balance read.
pub fn show_opened(d: &DrawerRecord) {
    println!("Tiroir ouvert.");
    println!("Fond de caisse      : {}", fcfa(d.opening_cash));
    println!("Solde à l'ouverture : {}", balance(d.opening_balance));
}

/// `caisse drawer status` answered: the open drawer and what it should hold.
pub fn show_status(state: &DrawerState) {
    print_state(state);
    println!("Espèces attendues   : {}", fcfa(state.expected_cash()));
    println!(
        "Solde attendu       : {}",
        balance(state.expected_balance())
    );
}

/// `caisse drawer status --all`: every open drawer, one block each.
pub fn show_all(states: &[DrawerState]) {
    if states.is_empty() {
        println!("Aucun tiroir ouvert.");
    }
    for (i, state) in states.iter().enumerate() {
        if i > 0 {
            println!();
        }
        show_status(state);
    }
}

/// `caisse drawer close` answered: expected vs counted cash, balance read vs expected.
pub fn show_closed(state: &DrawerState) {
    println!("Tiroir fermé.");
    print_state(state);
    let d = &state.drawer;
    println!("Espèces attendues   : {}", fcfa(state.expected_cash()));
    if let Some(cash) = d.counted_cash {
        println!("Espèces comptées    : {}", fcfa(cash));
    }
    if let Some(gap) = state.cash_gap() {
        println!("{}", gap_line("Écart espèces", gap));
    }
    println!("Solde attendu       : {}", balance(d.expected_balance));
    println!("Solde lu maintenant : {}", balance(d.closing_balance));
    match state.balance_gap() {
        Some(gap) => println!("{}", gap_line("Écart solde", gap)),
        None => println!("Écart solde         : non comparé (solde non lu)"),
    }
}

/// `caisse drawer float`: the float as the supervisor follows it.
pub fn show_float(view: &FloatView) {
    match view.latest {
        Some(r) => println!(
            "Solde de la passerelle : {} (lu le {})",
            fcfa(r.balance),
            time(r.at)
        ),
        None => println!("Solde de la passerelle : aucun relevé"),
    }
    match (view.threshold, view.below_since) {
        (None, _) => println!("Seuil d'alerte         : aucun ([shop] low_balance)"),
        (Some(t), Some(since)) => {
            println!("Seuil d'alerte         : {}", fcfa(t));
            println!("Sous le seuil depuis   : {} ⚠", time(since));
        }
        (Some(t), None) => {
            println!("Seuil d'alerte         : {}", fcfa(t));
            println!("Sous le seuil          : non ✓");
        }
    }
    println!("Rythme                 : {}", pace_text(view.pace_per_hour));
    if view.refills.is_empty() {
        println!("Approvisionnements du jour : aucun");
    } else {
        println!("Approvisionnements du jour :");
        for r in &view.refills {
            println!(
                "  {}  +{} (solde {})",
                time(r.at),
                fcfa(r.amount),
                fcfa(r.balance)
            );
        }
    }
}

/// `baisse de 12 000 FCFA/h`, `hausse de …`, or why there is no figure.
pub fn pace_text(pace: Option<i64>) -> String {
    match pace {
        None => "pas assez de relevés sur les 2 dernières heures".into(),
        Some(0) => "stable sur les 2 dernières heures".into(),
        Some(p) if p > 0 => format!("baisse de {}/h sur les 2 dernières heures", fcfa(p)),
        Some(p) => format!("hausse de {}/h sur les 2 dernières heures", fcfa(-p)),
    }
}

pub async fn run(config_path: Option<&Path>, command: DrawerCommand) -> Result<(), Failure> {
    let context = crate::wiring::connect(config_path).await?;
    let path = context.journal_path.clone();
    let now = crate::clock::now_ms();
    let who = cashier();
    match command {
        DrawerCommand::Open { cash } => {
            let balance_now = read_balance(&context).await;
            let mut journal = Journal::open(&path).map_err(journal_failure)?;
            let terminal = crate::wiring::terminal_name();
            let d = journal
                .open_drawer(&who, &terminal, cash, balance_now, now)
                .map_err(journal_failure)?
                .map_err(refusal)?;
            show_opened(&d);
            Ok(())
        }
        DrawerCommand::Status { all: true } => {
            // On this machine's journal, whoever runs it sees the whole shop's drawers.
            let journal = Journal::open(&path).map_err(journal_failure)?;
            show_all(&journal.open_drawers(now).map_err(journal_failure)?);
            Ok(())
        }
        DrawerCommand::Status { all: false } => {
            let journal = Journal::open(&path).map_err(journal_failure)?;
            let state = journal
                .drawer_status(&who, now)
                .map_err(journal_failure)?
                .map_err(refusal)?;
            show_status(&state);
            Ok(())
        }
        DrawerCommand::Float => {
            // The reading is recorded by the engine (a refill detected with it).
            read_balance(&context).await;
            let now = crate::clock::now_ms();
            let journal = Journal::open(&path).map_err(journal_failure)?;
            let day_start = now - now.rem_euclid(24 * 3_600_000);
            let view = journal
                .float_view(now, context.config.low_balance, day_start)
                .map_err(journal_failure)?;
            show_float(&view);
            Ok(())
        }
        DrawerCommand::Close { cash } => {
            let balance_now = read_balance(&context).await;
            let mut journal = Journal::open(&path).map_err(journal_failure)?;
            let state = journal
                .close_drawer(&who, cash, balance_now, now)
                .map_err(journal_failure)?
                .map_err(refusal)?;
            show_closed(&state);
            Ok(())
        }
    }
}

/// The request a drawer command makes through `caisse serve`.
pub fn ask(command: &DrawerCommand) -> DrawerAsk {
    match *command {
        DrawerCommand::Open { cash } => DrawerAsk::Open { cash },
        DrawerCommand::Status { all: false } => DrawerAsk::Status,
        DrawerCommand::Status { all: true } => DrawerAsk::All,
        DrawerCommand::Close { cash } => DrawerAsk::Close { cash },
        DrawerCommand::Float => DrawerAsk::Float,
    }
}

/// The service's answer, printed as the local command prints it.
pub fn show(reply: DrawerReply) -> Result<(), Failure> {
    match reply {
        DrawerReply::Opened(d) => show_opened(&d),
        DrawerReply::State(state) => show_status(&state),
        DrawerReply::All(states) => show_all(&states),
        DrawerReply::Closed(state) => show_closed(&state),
        DrawerReply::Float(view) => show_float(&view),
        DrawerReply::Refused(r) => return Err(refusal(r)),
    }
    Ok(())
}
