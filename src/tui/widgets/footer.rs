//! The footer: the keys of the screen, or why the service does not answer.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::theme::Theme;

/// `keys`: (keys, action) pairs, as the screens' tables show them (`app::keys`).
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    link_down: Option<&str>,
    keys: &[(&str, &str)],
    theme: Theme,
) {
    if let Some(down) = link_down {
        // The keys wait: what the cashier needs is why nothing answers.
        Paragraph::new(Line::from(Span::styled(format!(" {down}"), theme.error())))
            .render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    for (keys, action) in keys {
        spans.push(Span::styled(format!(" {keys} "), theme.key()));
        spans.push(Span::raw(format!(" {action} ")));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
