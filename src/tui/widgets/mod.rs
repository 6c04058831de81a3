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

/// The mark at the end of a line whose word goes on at the next one.
pub const GOES_ON: char = '↵';

/// `text` wrapped at word boundaries into lines of at most `width` columns. A word longer
/// than a line (a payment link) is cut into pieces that each end with [`GOES_ON`], so that
/// the cashier reading it out knows it goes on; it is never cut silently.
pub fn wrap_marked(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(2));
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let used = line.chars().count();
        if used > 0 && used + 1 + len <= width {
            line.push(' ');
            line.push_str(word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        if len <= width {
            line.push_str(word);
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        let mut pieces = chars.chunks(width - 1).peekable();
        while let Some(piece) = pieces.next() {
            let piece: String = piece.iter().collect();
            if pieces.peek().is_some() {
                lines.push(format!("{piece}{GOES_ON}"));
            } else {
                line = piece;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_link_is_cut_with_a_mark_and_words_wrap_whole() {
        let url = "https://api.intech.sn/deep/139663910423";
        assert_eq!(wrap_marked(url, 40), [url]);
        assert_eq!(
            wrap_marked(url, 20),
            ["https://api.intech.↵", "sn/deep/13966391042↵", "3"]
        );
        let message = format!("Bonjour, cliquez sur le lien : {url} (Expire dans 15 minutes)");
        let lines = wrap_marked(&message, 24);
        assert_eq!(
            lines,
            [
                "Bonjour, cliquez sur le",
                "lien :",
                "https://api.intech.sn/d↵",
                "eep/139663910423 (Expire",
                "dans 15 minutes)",
            ]
        );
        // Nothing lost: the link reads again once the marks are taken away.
        let joined: String = lines.join("\n").replace(&format!("{GOES_ON}\n"), "");
        assert!(joined.contains(url));
        assert!(lines.iter().all(|l| l.chars().count() <= 24));
    }
}
