//! The header: the DÉMO banner, the service's state, the country, the balance, what is
//! pending or to be checked, and the cashier.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::catalog::services::Country;
use crate::money::fcfa_balance;
use crate::tui::screens::App;
use crate::tui::theme::Theme;

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    // The longest wording that fits the width: nothing meaningful is cut at 80 columns.
    let line = (0..=SHORTEST)
        .map(|level| Line::from(spans(app, theme, level)))
        .find(|l| l.width() <= usize::from(area.width))
        .unwrap_or_else(|| Line::from(spans(app, theme, SHORTEST)));
    Paragraph::new(line).render(area, buf);
}

/// The shortest wording of the header (`spans`' levels go from 0, the longest).
const SHORTEST: u8 = 3;

/// The header's parts in the wording of `level`: 1 shortens the demo banner, 2 the country
/// and "rien en attente", 3 the balance's label.
fn spans(app: &App, theme: Theme, level: u8) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(" caisse ", theme.title())];
    if app.gate.link_down.is_some() {
        // First, so that no terminal width cuts it off.
        spans.push(Span::styled(
            theme.tr(" SERVICE INDISPONIBLE ", " SERVICE DOWN "),
            theme.banner(),
        ));
    }
    if app.demo {
        let banner = if level >= 1 {
            theme.tr(" DÉMO ", " DEMO ")
        } else {
            theme.tr(" DÉMO : aucun argent réel ", " DEMO: no real money ")
        };
        spans.push(Span::styled(banner, theme.banner()));
    }
    if app.review > 0 {
        // Before the rest, so that no terminal width cuts it off: a person must look.
        spans.push(Span::styled(
            format!("  {} {}", app.review, theme.tr("à vérifier", "to check")),
            theme.error(),
        ));
    }
    if let (Some(Ok(balance)), Some(threshold)) = (&app.balance, app.low_balance)
        && (balance.floor() as i64) < threshold
    {
        // Deposits and bills would start failing: before the rest, so no width cuts it.
        let warning = if level >= 2 {
            theme.tr("  ⚠ Solde bas", "  ⚠ Low balance")
        } else {
            theme.tr("  ⚠ Solde bas : approvisionnez", "  ⚠ Low balance: top up")
        };
        spans.push(Span::styled(warning, theme.error()));
    }
    let country = match (app.country, level >= 2) {
        (Country::Senegal, false) => theme.tr("Sénégal", "Senegal"),
        (Country::CoteDIvoire, false) => theme.tr("Côte d'Ivoire", "Ivory Coast"),
        (c, true) => c.code(),
    };
    spans.push(Span::raw(format!("  {country}")));
    let label = if level >= 3 {
        ""
    } else {
        theme.tr("Solde : ", "Balance: ")
    };
    let balance = match &app.balance {
        None => format!("{label}…"),
        Some(Ok(b)) => format!("{label}{}", fcfa_balance(*b)),
        Some(Err(_)) => format!("{label}{}", theme.tr("indisponible", "unavailable")),
    };
    spans.push(Span::raw(format!("  {balance}")));
    let pending = match app.pending {
        0 if level >= 2 => theme.tr("  0 en attente", "  0 pending").to_owned(),
        0 => theme
            .tr("  rien en attente", "  nothing pending")
            .to_owned(),
        n => format!("  {n} {}", theme.tr("en attente", "pending")),
    };
    spans.push(Span::styled(
        pending,
        if app.pending > 0 {
            theme.warn()
        } else {
            theme.dim()
        },
    ));

    if app.gate.login_required
        && let Some(c) = &app.gate.cashier
    {
        spans.push(Span::styled(format!("  {}", c.name), theme.key()));
    }
    spans
}
