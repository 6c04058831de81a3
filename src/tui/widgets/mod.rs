//! Drawing shared by several screens: the QR code, the service icons, the header, the
//! footer and the help, and two small helpers (a form's line, a capital letter).

pub mod footer;
pub mod header;
pub mod help;
pub mod icon;
pub mod qr;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// A form's line: a marker on the focused field, the label, the value.
pub fn field_line<'a>(
    label: &'a str,
    value: String,
    focused: bool,
    locked: bool,
    theme: Theme,
) -> Line<'a> {
    let marker = if focused { "▶ " } else { "  " };
    let value_style = if focused {
        theme.selected()
    } else if locked {
        theme.dim()
    } else {
        Style::default()
    };
    Line::from(vec![
        Span::raw(marker),
        Span::styled(format!("{label:<28}"), theme.title()),
        Span::styled(format!(" {value} "), value_style),
    ])
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
