//! How the drawer's screen looks: its figures, the float's pace, the field being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::*;
use crate::domain::drawer::Gap;
use crate::money::fcfa;
use crate::tui::theme::Theme;
use crate::tui::widgets::field_line;

fn time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            format!(
                "{:02}/{:02} {:02}:{:02} UTC",
                t.day(),
                u8::from(t.month()),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

fn balance(b: Option<i64>, theme: Theme) -> String {
    b.map(fcfa)
        .unwrap_or_else(|| theme.tr("non lu", "not read").into())
}

/// One figure: its label (26 columns) and its value.
fn figure<'a>(label: &'a str, value: String, theme: Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {label:<26}"), theme.title()),
        Span::raw(value),
    ])
}

/// A difference: `✓ 0 FCFA` in green, `⚠ -500 FCFA (manque)` in red.
fn gap_line<'a>(label: &'a str, gap: Option<Gap>, theme: Theme) -> Line<'a> {
    let Some(gap) = gap else {
        return figure(
            label,
            theme
                .tr(
                    "non comparé (solde non lu)",
                    "not compared (balance not read)",
                )
                .into(),
            theme,
        );
    };
    let d = gap.difference();
    let (text, style) = if !gap.flagged() {
        (format!("✓ {}", fcfa(d)), theme.ok())
    } else if d < 0 {
        (
            format!("⚠ {} ({})", fcfa(d), theme.tr("manque", "short")),
            theme.error(),
        )
    } else {
        (
            format!("⚠ +{} ({})", fcfa(d), theme.tr("excédent", "over")),
            theme.error(),
        )
    };
    Line::from(vec![
        Span::styled(format!("  {label:<26}"), theme.title()),
        Span::styled(text, style),
    ])
}

/// The figures of a drawer, open or closed.
fn figures<'a>(state: &DrawerState, theme: Theme) -> Vec<Line<'a>> {
    let d = &state.drawer;
    let t = &state.totals;
    let mut lines = vec![
        figure(
            theme.tr("Ouvert le", "Opened"),
            format!("{} ({})", time(d.opened_at), d.terminal),
            theme,
        ),
        figure(
            theme.tr("Fond de caisse", "Float"),
            fcfa(d.opening_cash),
            theme,
        ),
        figure(
            theme.tr("Solde à l'ouverture", "Balance at opening"),
            balance(d.opening_balance, theme),
            theme,
        ),
        figure(
            theme.tr("Opérations comptées", "Operations counted"),
            t.counted.to_string(),
            theme,
        ),
        figure(
            theme.tr("Entrées d'espèces", "Cash in"),
            fcfa(t.cash_in),
            theme,
        ),
        figure(
            theme.tr("Sorties d'espèces", "Cash out"),
            fcfa(t.cash_out),
            theme,
        ),
        figure(
            theme.tr("Commissions", "Commissions"),
            fcfa(t.commissions),
            theme,
        ),
    ];
    if t.goods != 0 {
        lines.push(figure(
            theme.tr("Paiements (marchandises)", "Payments (goods)"),
            fcfa(t.goods),
            theme,
        ));
    }
    if t.shop_costs != 0 {
        // Receipts sent by WhatsApp: paid from the balance, no cash.
        lines.push(figure(
            theme.tr("Frais de la boutique", "Shop's costs"),
            fcfa(t.shop_costs),
            theme,
        ));
    }
    lines
}

/// The float, for the supervisor: the balance read, below the threshold since when, the
/// pace it fell, the day's refills.
fn float_lines<'a>(view: &FloatView, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(
            theme.tr("Flotte (superviseur)", "Float (supervisor)"),
            theme.title(),
        )),
    ];
    let read = view
        .latest
        .map(|r| format!("{} ({})", fcfa(r.balance), time(r.at)))
        .unwrap_or_else(|| theme.tr("aucun relevé", "no reading").into());
    lines.push(figure(theme.tr("Solde lu", "Balance read"), read, theme));
    match (view.threshold, view.below_since) {
        (Some(t), Some(since)) => lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "  {:<26}",
                    theme.tr("Sous le seuil depuis", "Below threshold since")
                ),
                theme.title(),
            ),
            Span::styled(
                format!(
                    "⚠ {} ({} {})",
                    time(since),
                    theme.tr("seuil", "threshold"),
                    fcfa(t)
                ),
                theme.error(),
            ),
        ])),
        (Some(t), None) => lines.push(figure(
            theme.tr("Seuil d'alerte", "Alert threshold"),
            format!("{} ✓", fcfa(t)),
            theme,
        )),
        (None, _) => {}
    }
    let pace = match view.pace_per_hour {
        None => theme
            .tr("pas assez de relevés", "not enough readings")
            .to_owned(),
        Some(0) => theme.tr("stable", "steady").to_owned(),
        Some(p) if p > 0 => format!("{} {}/h", theme.tr("baisse de", "falling by"), fcfa(p)),
        Some(p) => format!("{} {}/h", theme.tr("hausse de", "rising by"), fcfa(-p)),
    };
    lines.push(figure(theme.tr("Rythme (2 h)", "Pace (2 h)"), pace, theme));
    let refills = if view.refills.is_empty() {
        theme.tr("aucun", "none").to_owned()
    } else {
        view.refills
            .iter()
            .map(|r| format!("{} +{}", time(r.at), fcfa(r.amount)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    lines.push(figure(
        theme.tr("Approvisionnements (jour)", "Refills today"),
        refills,
        theme,
    ));
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &DrawerScreen, theme: Theme) {
    let who = app
        .gate
        .cashier
        .as_ref()
        .map(|c| format!(" — {}", c.name))
        .unwrap_or_default();
    let block = Block::bordered().title(Span::styled(
        format!(" {}{who} ", theme.tr("Tiroir-caisse", "Cash drawer")),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, frame.buffer_mut());
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_row = None;
    match &d.stage {
        Stage::Loading => lines.push(Line::from(Span::styled(
            theme.tr("Lecture du tiroir…", "Reading the drawer…"),
            theme.warn(),
        ))),
        Stage::NotOpen => {
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Aucun tiroir ouvert. Comptez le fond de caisse :",
                    "No drawer open. Count the float:",
                ),
                theme.title(),
            )));
            lines.push(Line::default());
            cursor_row = Some(lines.len());
            lines.push(field_line(
                theme.tr("Fond de caisse (FCFA)", "Float (FCFA)"),
                d.cash.value().to_owned(),
                true,
                false,
                theme,
            ));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Entrée : ouvrir le tiroir ; le solde de la passerelle est lu maintenant.",
                    "Enter: open the drawer; the gateway balance is read now.",
                ),
                theme.dim(),
            )));
        }
        Stage::Open(state) => {
            lines.extend(figures(state, theme));
            lines.push(figure(
                theme.tr("Espèces attendues", "Expected cash"),
                fcfa(state.expected_cash()),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde attendu", "Expected balance"),
                balance(state.expected_balance(), theme),
                theme,
            ));
            lines.push(Line::default());
            cursor_row = Some(lines.len());
            lines.push(field_line(
                theme.tr("Espèces comptées (FCFA)", "Cash counted (FCFA)"),
                d.cash.value().to_owned(),
                true,
                false,
                theme,
            ));
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Pour fermer : comptez le tiroir, tapez le montant, Entrée.",
                    "To close: count the drawer, type the amount, Enter.",
                ),
                theme.dim(),
            )));
        }
        Stage::Closed(state) => {
            let dr = &state.drawer;
            lines.push(Line::from(Span::styled(
                theme.tr("Tiroir fermé.", "Drawer closed."),
                theme.ok(),
            )));
            lines.extend(figures(state, theme));
            lines.push(Line::default());
            lines.push(figure(
                theme.tr("Espèces attendues", "Expected cash"),
                fcfa(dr.expected_cash.unwrap_or_default()),
                theme,
            ));
            lines.push(figure(
                theme.tr("Espèces comptées", "Cash counted"),
                fcfa(dr.counted_cash.unwrap_or_default()),
                theme,
            ));
            lines.push(gap_line(
                theme.tr("Écart espèces", "Cash difference"),
                state.cash_gap(),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde attendu", "Expected balance"),
                balance(dr.expected_balance, theme),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde lu maintenant", "Balance read now"),
                balance(dr.closing_balance, theme),
                theme,
            ));
            lines.push(gap_line(
                theme.tr("Écart solde", "Balance difference"),
                state.balance_gap(),
                theme,
            ));
        }
    }
    if let Some(view) = &d.float
        && !matches!(d.stage, Stage::Closed(_))
    {
        lines.extend(float_lines(view, theme));
    }
    if let Some(e) = &d.error {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, frame.buffer_mut());
    if let Some(row) = cursor_row {
        let x = inner.x + 2 + 28 + 1 + d.cash.visual_cursor() as u16;
        let y = inner.y + row as u16;
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}
