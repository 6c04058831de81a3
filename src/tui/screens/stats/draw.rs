//! Drawing the statistics: today's hours as bars (how many sales) over a sparkline (how
//! much), and below, the operators (horizontal bars) beside the days of the week (bars),
//! each chart under a line with its totals.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Sparkline, Widget};

use super::{Figures, StatsState, per_hour, per_operator, per_weekday, total, weekday_name};
use crate::money::fcfa;
use crate::report::{Count, Report};
use crate::tui::screens::App;
use crate::tui::screens::journal::past::french_date;
use crate::tui::theme::Theme;

/// An amount in few characters, for a bar: `850`, `45k`, `1,2M`.
pub fn compact(amount: i64) -> String {
    match amount {
        a if a.abs() < 1_000 => a.to_string(),
        a if a.abs() < 1_000_000 => format!("{}k", (a + 500) / 1_000),
        a => format!("{:.1}M", a as f64 / 1e6).replace('.', ","),
    }
}

/// "42 ventes · 125 000 FCFA".
fn totals(c: Count, theme: Theme) -> String {
    format!(
        "{} {} · {}",
        c.count,
        if c.count == 1 {
            theme.tr("vente", "sale")
        } else {
            theme.tr("ventes", "sales")
        },
        fcfa(c.amount)
    )
}

/// A chart's heading: its name, then its totals once its report is in (on the line below
/// when there are two), then `legend` where there is room.
fn heading(
    buf: &mut Buffer,
    area: Rect,
    name: &str,
    figures: Option<Count>,
    legend: &str,
    theme: Theme,
) {
    let mut lines = vec![Line::from(Span::styled(name.to_owned(), theme.title()))];
    if let Some(c) = figures {
        let text = totals(c, theme);
        match area.height {
            0 | 1 => lines[0].push_span(Span::raw(format!(" : {text}"))),
            _ => lines.push(Line::from(text)),
        }
    }
    if let Some(last) = lines.last_mut() {
        last.push_span(Span::styled(legend.to_owned(), theme.dim()));
    }
    Paragraph::new(lines).render(area, buf);
}

/// The report, or what to say instead of the chart (still loading, or why not).
fn ready<'a>(
    buf: &mut Buffer,
    area: Rect,
    figures: &'a Figures,
    theme: Theme,
) -> Option<&'a Report> {
    let (text, style) = match figures {
        Some(Ok(report)) => return Some(report),
        None => (theme.tr("Chargement…", "Loading…").to_owned(), theme.dim()),
        Some(Err(m)) => (m.clone(), theme.error()),
    };
    Paragraph::new(Span::styled(text, style)).render(area, buf);
    None
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &StatsState, theme: Theme) {
    let buf = frame.buffer_mut();
    let whose = match &app.gate.cashier {
        Some(c) if !c.is_supervisor() => theme.tr("vos ventes", "your sales"),
        _ => theme.tr("toute la boutique", "the whole shop"),
    };
    let title = format!(
        " {} — {whose} — {} ",
        theme.tr("Statistiques", "Statistics"),
        french_date(s.today)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(0)]).areas(inner);
    hours(buf, top, &s.hours, theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(1)
            .areas(bottom);
    operators(buf, left, &s.operators, theme);
    weekdays(buf, right, &s.weekdays, theme);
}

/// Today per hour: a bar per hour (the number of sales, written on it), and under the bars
/// a sparkline of the amounts, each hour under its bar.
fn hours(buf: &mut Buffer, area: Rect, figures: &Figures, theme: Theme) {
    let [head, chart, curve] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    let report = figures.as_ref().and_then(|f| f.as_ref().ok());
    let counts = report.map(per_hour);
    heading(
        buf,
        head,
        theme.tr("Ventes par heure aujourd'hui", "Sales per hour today"),
        counts.as_ref().map(total),
        theme.tr(
            "   (barres : nombre ; dessous : montant)",
            "   (bars: how many; below: how much)",
        ),
        theme,
    );
    let Some(_) = ready(buf, chart, figures, theme) else {
        return;
    };
    let counts = counts.unwrap_or_default();
    // 24 bars and their gaps across the width.
    let width = (chart.width.saturating_sub(23) / 24).max(1);
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(h, c)| {
            let bar = Bar::default()
                .value(c.count)
                .label(Line::from(format!("{h:02}")));
            if c.count == 0 {
                bar.text_value(String::new())
            } else {
                bar
            }
        })
        .collect();
    BarChart::default()
        .data(ratatui::widgets::BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1)
        .bar_style(theme.ok())
        .value_style(theme.selected())
        .label_style(theme.dim())
        .render(chart, buf);
    // Each hour's amount as wide as its bar and its gap, so that it sits under it.
    let step = usize::from(width) + 1;
    let amounts: Vec<u64> = counts
        .iter()
        .flat_map(|c| std::iter::repeat_n(c.amount.max(0) as u64, step))
        .collect();
    Sparkline::default()
        .data(&amounts)
        .style(theme.key())
        .render(curve, buf);
}

/// Today per operator: a horizontal bar each, the biggest first, with its count and amount.
fn operators(buf: &mut Buffer, area: Rect, figures: &Figures, theme: Theme) {
    let [head, chart] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let ops = figures
        .as_ref()
        .and_then(|f| f.as_ref().ok())
        .map(per_operator);
    heading(
        buf,
        head,
        theme.tr("Par opérateur aujourd'hui", "Per operator today"),
        ops.as_ref().map(|o| total(o.iter().map(|(_, c)| c))),
        "",
        theme,
    );
    if ready(buf, chart, figures, theme).is_none() {
        return;
    }
    let ops = ops.unwrap_or_default();
    if ops.is_empty() {
        Paragraph::new(Span::styled(
            theme.tr("Aucune vente aujourd'hui.", "No sale today."),
            theme.dim(),
        ))
        .render(chart, buf);
        return;
    }
    let bars: Vec<Bar> = ops
        .iter()
        .take(usize::from(chart.height))
        .map(|(name, c)| {
            Bar::default()
                .value(c.amount.max(0) as u64)
                .label(Line::from(name.clone()))
                .text_value(format!("{} · {}", c.count, compact(c.amount)))
        })
        .collect();
    BarChart::default()
        .direction(Direction::Horizontal)
        .data(ratatui::widgets::BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(0)
        .bar_style(theme.ok())
        .value_style(theme.selected())
        .label_style(theme.dim())
        .render(chart, buf);
}

/// The last four weeks per day of the week, Monday first: the amount on each bar.
fn weekdays(buf: &mut Buffer, area: Rect, figures: &Figures, theme: Theme) {
    let [head, chart] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let days = figures
        .as_ref()
        .and_then(|f| f.as_ref().ok())
        .map(per_weekday);
    heading(
        buf,
        head,
        theme.tr(
            "Par jour de la semaine, 4 semaines",
            "Per day of the week, 4 weeks",
        ),
        days.as_ref().map(total),
        "",
        theme,
    );
    if ready(buf, chart, figures, theme).is_none() {
        return;
    }
    let days = days.unwrap_or_default();
    let width = (chart.width.saturating_sub(6) / 7).clamp(1, 8);
    let bars: Vec<Bar> = days
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Bar::default()
                .value(c.amount.max(0) as u64)
                .label(Line::from(weekday_name(i, theme.lang)))
                .text_value(if c.amount == 0 {
                    String::new()
                } else {
                    compact(c.amount)
                })
        })
        .collect();
    BarChart::default()
        .data(ratatui::widgets::BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1)
        .bar_style(theme.ok())
        .value_style(theme.selected())
        .label_style(theme.dim())
        .render(chart, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_fit_on_a_bar() {
        assert_eq!(compact(850), "850");
        assert_eq!(compact(45_400), "45k");
        assert_eq!(compact(1_250_000), "1,2M");
    }
}
