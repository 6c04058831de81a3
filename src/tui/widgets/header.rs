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
    let mut spans = vec![Span::styled(" caisse ", theme.title())];
    if app.gate.link_down.is_some() {
        // First, so that no terminal width cuts it off.
        spans.push(Span::styled(
            theme.tr(" SERVICE INDISPONIBLE ", " SERVICE DOWN "),
            theme.banner(),
        ));
    }
    if app.demo {
        spans.push(Span::styled(
            theme.tr(" DÉMO : aucun argent réel ", " DEMO: no real money "),
            theme.banner(),
        ));
    }
    if app.review > 0 {
        // Before the rest, so that no terminal width cuts it off: a person must look.
        spans.push(Span::styled(
            format!("  {} {}", app.review, theme.tr("à vérifier", "to check")),
            theme.error(),
        ));
    }
    let country = match app.country {
        Country::Senegal => theme.tr("Sénégal", "Senegal"),
        Country::CoteDIvoire => theme.tr("Côte d'Ivoire", "Ivory Coast"),
    };
    spans.push(Span::raw(format!("  {country}")));
    let balance = match &app.balance {
        None => format!("{} …", theme.tr("Solde :", "Balance:")),
        Some(Ok(b)) => format!("{} {}", theme.tr("Solde :", "Balance:"), fcfa_balance(*b)),
        Some(Err(_)) => theme
            .tr("Solde : indisponible", "Balance: unavailable")
            .to_owned(),
    };
    spans.push(Span::raw(format!("  {balance}")));
    let pending = match app.pending {
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
    Paragraph::new(Line::from(spans)).render(area, buf);
}
