//! The footer: the keys of the screen, or why the service does not answer.
//!
//! At any width it shows the screen's way out (back, cancel, quit) and the help's key; the
//! other keys follow in their table's order as long as they fit, the rest is in the help
//! (F1), which shows them all.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::screens::keys::Hint;
use crate::tui::theme::Theme;

/// Columns one key takes: ` keys ` (highlighted) then ` action`.
pub fn width(h: &Hint) -> usize {
    h.keys.chars().count() + h.action.chars().count() + 3
}

/// The keys shown in `columns`, in their order: the help (first) and the ways out always,
/// then the others while they fit.
pub fn fit(hints: &[Hint], columns: usize) -> Vec<Hint> {
    let kept = |i: usize, h: &Hint| i == 0 || h.leaves;
    let mut used: usize = hints
        .iter()
        .enumerate()
        .filter(|(i, h)| kept(*i, h))
        .map(|(_, h)| width(h))
        .sum();
    let mut shown = vec![false; hints.len()];
    for (i, h) in hints.iter().enumerate() {
        if kept(i, h) {
            shown[i] = true;
        } else if used + width(h) <= columns {
            used += width(h);
            shown[i] = true;
        }
    }
    hints
        .iter()
        .zip(shown)
        .filter(|(_, s)| *s)
        .map(|(h, _)| *h)
        .collect()
}

/// `hints`: the keys of the screen, as its tables show them (`app::hints`).
pub fn draw(buf: &mut Buffer, area: Rect, link_down: Option<&str>, hints: &[Hint], theme: Theme) {
    if let Some(down) = link_down {
        // The keys wait: what the cashier needs is why nothing answers.
        Paragraph::new(Line::from(Span::styled(format!(" {down}"), theme.error())))
            .render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    for h in fit(hints, usize::from(area.width)) {
        spans.push(Span::styled(format!(" {} ", h.keys), theme.key()));
        spans.push(Span::raw(format!(" {}", h.action)));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
