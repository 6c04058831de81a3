//! A QR image in terminal cells.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;

use crate::qr::{Density, QrImage};
use crate::tui::theme::ColorMode;

/// Draws a QR image at the top-left of `area`, `density` modules per cell: black on white in
/// colour modes; without colours, blocks in the text colour stand for light modules.
pub struct QrView<'a> {
    pub image: &'a QrImage,
    pub mode: ColorMode,
    pub density: Density,
}

/// The sextant glyph whose lit sixths are `bits` (1 top left, 2 top right, 4 middle left,
/// 8 middle right, 16 bottom left, 32 bottom right). Unicode leaves out the four patterns
/// that older blocks already have (empty, full, left and right halves).
pub fn sextant(bits: u8) -> char {
    match bits & 63 {
        0 => ' ',
        21 => '▌',
        42 => '▐',
        63 => '█',
        n => {
            let skipped = u32::from(n > 21) + u32::from(n > 42);
            char::from_u32(0x1FB00 + u32::from(n) - 1 - skipped).unwrap_or('?')
        }
    }
}

impl Widget for QrView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (cols, rows) = self.image.cells_in(self.density);
        if usize::from(area.width) < cols || usize::from(area.height) < rows {
            return;
        }
        let (dark, light) = match self.mode {
            ColorMode::TrueColor => (Color::Rgb(0, 0, 0), Color::Rgb(255, 255, 255)),
            _ => (Color::Black, Color::White),
        };
        let (mx, my) = self.density.modules();
        let mut glyph = [0u8; 4];
        for row in 0..rows {
            for col in 0..cols {
                // The cell's modules, row by row: which are dark.
                let mut dark_bits = 0u8;
                for dy in 0..my {
                    for dx in 0..mx {
                        if self.image.is_dark(col * mx + dx, row * my + dy) {
                            dark_bits |= 1 << (dy * mx + dx);
                        }
                    }
                }
                let Some(cell) = buf.cell_mut((area.x + col as u16, area.y + row as u16)) else {
                    continue;
                };
                match (self.density, self.mode) {
                    // The text colour draws the light modules.
                    (Density::Half, ColorMode::NoColor) => {
                        cell.set_symbol(match !dark_bits & 3 {
                            3 => "█",
                            1 => "▀",
                            2 => "▄",
                            _ => " ",
                        });
                    }
                    // One colour pair for the whole symbol, the glyph draws the dark
                    // modules: no colour change between cells, so a QR costs its glyphs
                    // and little else on the wire (issue 14).
                    (Density::Half, _) => {
                        cell.set_symbol(match dark_bits & 3 {
                            3 => "█",
                            1 => "▀",
                            2 => "▄",
                            _ => " ",
                        })
                        .set_fg(dark)
                        .set_bg(light);
                    }
                    (Density::Sextant, ColorMode::NoColor) => {
                        cell.set_symbol(sextant(!dark_bits).encode_utf8(&mut glyph));
                    }
                    (Density::Sextant, _) => {
                        cell.set_symbol(sextant(dark_bits).encode_utf8(&mut glyph))
                            .set_fg(dark)
                            .set_bg(light);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sextants_are_the_unicode_ones() {
        assert_eq!(sextant(1), '\u{1FB00}');
        assert_eq!(sextant(3), '\u{1FB02}');
        assert_eq!(sextant(22), '\u{1FB14}');
        assert_eq!(sextant(43), '\u{1FB28}');
        assert_eq!(sextant(62), '\u{1FB3B}');
        let all: std::collections::BTreeSet<char> = (0..64).map(sextant).collect();
        assert_eq!(all.len(), 64, "one glyph per pattern");
    }
}
