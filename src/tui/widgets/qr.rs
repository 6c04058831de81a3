//! A QR image in terminal cells.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;

use crate::qr::QrImage;
use crate::tui::theme::ColorMode;

/// Draws a QR image at the top-left of `area`, two modules per cell: black on white in
/// colour modes; without colours, blocks in the text colour stand for light modules.
pub struct QrView<'a> {
    pub image: &'a QrImage,
    pub mode: ColorMode,
}

impl Widget for QrView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (cols, rows) = self.image.cells();
        if usize::from(area.width) < cols || usize::from(area.height) < rows {
            return;
        }
        let (dark, light) = match self.mode {
            ColorMode::TrueColor => (Color::Rgb(0, 0, 0), Color::Rgb(255, 255, 255)),
            _ => (Color::Black, Color::White),
        };
        for row in 0..rows {
            for x in 0..cols {
                let top = self.image.is_dark(x, 2 * row);
                let bottom = self.image.is_dark(x, 2 * row + 1);
                let Some(cell) = buf.cell_mut((area.x + x as u16, area.y + row as u16)) else {
                    continue;
                };
                if self.mode == ColorMode::NoColor {
                    cell.set_symbol(match (!top, !bottom) {
                        (true, true) => "█",
                        (true, false) => "▀",
                        (false, true) => "▄",
                        (false, false) => " ",
                    });
                } else {
                    cell.set_symbol("▀")
                        .set_fg(if top { dark } else { light })
                        .set_bg(if bottom { dark } else { light });
                }
            }
        }
    }
}
