//! The help: the keys of the screen (the same table as the footer), over the screen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::theme::Theme;

/// `keys`: (keys, action) pairs, as the screens' tables show them (`app::keys`).
pub fn draw(buf: &mut Buffer, area: Rect, keys: &[(&str, &str)], theme: Theme) {
    let width = 60.min(area.width);
    let height = (keys.len() as u16 + 6).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let mut lines = vec![
        Line::from(Span::styled(
            theme.tr("Touches de cet écran", "Keys on this screen"),
            theme.title(),
        )),
        Line::default(),
    ];
    for (k, a) in keys {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:>14} "), theme.key()),
            Span::raw(format!("  {a}")),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        theme.tr(
            "Une touche pour fermer. Échap revient toujours en arrière.",
            "Any key closes this. Esc always goes back.",
        ),
        theme.dim(),
    )));
    Paragraph::new(lines)
        .block(Block::bordered().title(theme.tr(" Aide ", " Help ")))
        .render(popup, buf);
}
