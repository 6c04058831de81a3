//! QR codes for the terminal: dark modules on a light background whatever the theme, a quiet
//! zone of 4 modules, two modules per character cell with half blocks (`▀`), or six with
//! sextants (2 × 3) where the half blocks do not fit (`Density`).

use qrcode::{Color, EcLevel, QrCode};

/// The quiet zone scanners need around the symbol, in modules.
pub const QUIET_ZONE: usize = 4;

/// How many modules one character cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Density {
    /// One column, two rows (`▀`, its colours): square modules on the usual 1:2 cells, and
    /// glyphs every terminal font has.
    Half,
    /// Two columns, three rows (the sextants of Unicode 13, U+1FB00…): a 120-character link
    /// fits at 80×24. Modules come out slightly taller than wide, which a scanner's
    /// perspective correction takes like any tilt. Only where `Half` does not fit: an old
    /// font may lack the glyphs (the link is printed beside it anyway).
    Sextant,
}

impl Density {
    /// Modules per cell: (columns, rows).
    pub fn modules(self) -> (usize, usize) {
        match self {
            Density::Half => (1, 2),
            Density::Sextant => (2, 3),
        }
    }
}

/// A QR symbol with its quiet zone, as a square of modules (`true` = dark).
#[derive(Debug, Clone, PartialEq)]
pub struct QrImage {
    size: usize,
    dark: Vec<bool>,
}

impl QrImage {
    /// Encodes `data` at error-correction level M (a phone reads it off a screen easily).
    pub fn encode(data: &str) -> Result<QrImage, String> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
            .or_else(|_| QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L))
            .map_err(|e| format!("lien impossible à coder en QR : {e}"))?;
        let inner = code.width();
        let size = inner + 2 * QUIET_ZONE;
        let colors = code.to_colors();
        let mut dark = vec![false; size * size];
        for y in 0..inner {
            for x in 0..inner {
                dark[(y + QUIET_ZONE) * size + x + QUIET_ZONE] =
                    colors[y * inner + x] == Color::Dark;
            }
        }
        Ok(QrImage { size, dark })
    }

    /// Width and height in modules, quiet zone included.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module at (x, y) is dark; outside the image is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }

    /// Character cells needed with half blocks: (columns, rows).
    pub fn cells(&self) -> (usize, usize) {
        self.cells_in(Density::Half)
    }

    /// Character cells needed at `density`: (columns, rows).
    pub fn cells_in(&self, density: Density) -> (usize, usize) {
        let (mx, my) = density.modules();
        (self.size.div_ceil(mx), self.size.div_ceil(my))
    }

    /// One line per cell row, each cell `▀` with its top module as foreground and its
    /// bottom module as background: black on bright white, explicit, whatever the theme.
    pub fn to_ansi(&self) -> String {
        let mut out = String::new();
        let (cols, rows) = self.cells();
        for row in 0..rows {
            for x in 0..cols {
                let top = self.is_dark(x, 2 * row);
                let bottom = self.is_dark(x, 2 * row + 1);
                let fg = if top { 30 } else { 97 };
                let bg = if bottom { 40 } else { 107 };
                out.push_str(&format!("\x1b[{fg};{bg}m▀"));
            }
            out.push_str("\x1b[0m\n");
        }
        out
    }

    /// Without colours (`NO_COLOR`): blocks drawn in the text colour stand for the light
    /// modules, so on the usual light-on-dark terminal the symbol comes out dark on light.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        let (cols, rows) = self.cells();
        for row in 0..rows {
            for x in 0..cols {
                let top_light = !self.is_dark(x, 2 * row);
                let bottom_light = !self.is_dark(x, 2 * row + 1);
                out.push(match (top_light, bottom_light) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rebuilds a grey image from half-block cells as drawn, `scale` pixels per module.
    fn decode_cells(cells: &[Vec<(bool, bool)>], scale: usize) -> String {
        let w = cells[0].len() * scale;
        let h = cells.len() * 2 * scale;
        let img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            let (top, bottom) = cells[y / (2 * scale)][x / scale];
            let dark = if (y / scale).is_multiple_of(2) {
                top
            } else {
                bottom
            };
            if dark { 0 } else { 255 }
        });
        let mut img = img;
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one symbol found");
        grids[0].decode().unwrap().1
    }

    fn parse_ansi(text: &str) -> Vec<Vec<(bool, bool)>> {
        text.lines()
            .map(|line| {
                line.split("\x1b[")
                    .filter_map(|part| part.strip_suffix("m▀"))
                    .map(|codes| {
                        let (fg, bg) = codes.split_once(';').unwrap();
                        (fg == "30", bg == "40")
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|row| !row.is_empty())
            .collect()
    }

    #[test]
    fn what_is_printed_scans_back_to_the_link() {
        for link in [
            "https://api.intech.sn/deep/139663910423",
            "http://127.0.0.1:8085/intram/pay/6489f1c2a7b3e4d5f6a7b8c9",
            "https://api.intech.sn/deep/139663910423?lang=fr&source=caisse&ref=A0B1C2D3E4F5G6H7I8J9K0",
        ] {
            let qr = QrImage::encode(link).unwrap();
            assert_eq!(decode_cells(&parse_ansi(&qr.to_ansi()), 3), link);
            // The plain form, read as light text on a dark background.
            let plain: Vec<Vec<(bool, bool)>> = qr
                .to_plain()
                .lines()
                .map(|l| {
                    l.chars()
                        .map(|c| match c {
                            '█' => (false, false),
                            '▀' => (false, true),
                            '▄' => (true, false),
                            _ => (true, true),
                        })
                        .collect()
                })
                .collect();
            assert_eq!(decode_cells(&plain, 3), link);
        }
    }

    #[test]
    fn a_deep_link_fits_in_a_version_3_symbol_with_its_quiet_zone() {
        let qr = QrImage::encode("https://api.intech.sn/deep/139663910423").unwrap();
        assert_eq!(qr.size(), 29 + 8);
        assert_eq!(qr.cells(), (37, 19));
        assert!(!qr.is_dark(0, 0) && !qr.is_dark(3, 3), "quiet zone");
        assert!(qr.is_dark(4, 4), "finder pattern corner");
    }
}
