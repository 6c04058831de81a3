//! Service icons, drawn by us as 12×8 pixel art in `assets/icons/<stem>.icon`, shown as 12×4
//! terminal cells with half blocks (`▀`: upper pixel as foreground, lower as background).
//! Without colours, or in too small an area, a short coloured text badge stands in.
//!
//! File format: `#` lines are comments; `= C rrggbb` gives palette character `C` a colour;
//! every other line is a row of 12 characters, 8 rows, `.` being transparent.

use std::collections::HashMap;
use std::sync::LazyLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

use super::theme::ColorMode;

pub const ICON_WIDTH: u16 = 12;
pub const ICON_HEIGHT: u16 = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    pub width: u16,
    pub height: u16,
    pixels: Vec<Option<(u8, u8, u8)>>,
}

impl Icon {
    pub fn parse(text: &str) -> Result<Icon, String> {
        let mut palette: HashMap<char, (u8, u8, u8)> = HashMap::new();
        let mut pixels = Vec::new();
        let mut rows = 0u16;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(entry) = line.strip_prefix("= ") {
                let mut parts = entry.split_whitespace();
                let (Some(c), Some(hex), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(format!("ligne {} : palette attendue « = C rrggbb »", n + 1));
                };
                let mut chars = c.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else {
                    return Err(format!("ligne {} : un seul caractère de palette", n + 1));
                };
                let rgb = u32::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 6)
                    .ok_or_else(|| format!("ligne {} : couleur « {hex} » invalide", n + 1))?;
                palette.insert(c, ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8));
                continue;
            }
            if line.chars().count() != usize::from(ICON_WIDTH) {
                return Err(format!(
                    "ligne {} : {} pixels au lieu de {ICON_WIDTH}",
                    n + 1,
                    line.chars().count()
                ));
            }
            for c in line.chars() {
                pixels.push(match c {
                    '.' => None,
                    c => Some(*palette.get(&c).ok_or_else(|| {
                        format!("ligne {} : couleur « {c} » absente de la palette", n + 1)
                    })?),
                });
            }
            rows += 1;
        }
        if rows != ICON_HEIGHT {
            return Err(format!("{rows} lignes au lieu de {ICON_HEIGHT}"));
        }
        Ok(Icon {
            width: ICON_WIDTH,
            height: ICON_HEIGHT,
            pixels,
        })
    }

    pub fn pixel(&self, x: u16, y: u16) -> Option<(u8, u8, u8)> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels[usize::from(y) * usize::from(self.width) + usize::from(x)]
    }
}

macro_rules! icons {
    ($($stem:literal),* $(,)?) => {
        &[$(($stem, include_str!(concat!("../../assets/icons/", $stem, ".icon")))),*]
    };
}

static SOURCES: &[(&str, &str)] = icons!(
    "free",
    "expresso",
    "orange",
    "wave",
    "wizall",
    "card",
    "rapido",
    "woyofal",
    "senelec",
    "seneau",
    "xeweul",
    "oolusolar",
    "baobabplus",
    "derfj",
    "aquatech",
    "uvs",
    "ucad",
    "whatsapp",
    "bank",
    "mtn",
    "moov",
    "moneygram",
);

static ICONS: LazyLock<HashMap<&'static str, Icon>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .filter_map(|(stem, text)| Icon::parse(text).ok().map(|icon| (*stem, icon)))
        .collect()
});

/// The icon of a service's stem (`wave`, `senelec`…).
pub fn icon(stem: &str) -> Option<&'static Icon> {
    ICONS.get(stem)
}

/// A short text badge and the brand colour, for terminals that cannot show the image.
pub fn badge(stem: &str) -> (&'static str, (u8, u8, u8)) {
    match stem {
        "wave" => ("WAVE", (0x1d, 0xc8, 0xf2)),
        "orange" => ("OM", (0xff, 0x79, 0x00)),
        "free" => ("FREE", (0xcd, 0x1e, 0x25)),
        "expresso" => ("EXP", (0x1b, 0x3f, 0x8b)),
        "wizall" => ("WIZ", (0x00, 0xa1, 0x9a)),
        "mtn" => ("MTN", (0xff, 0xcb, 0x05)),
        "moov" => ("MOOV", (0x00, 0x55, 0xa5)),
        "card" => ("CB", (0x5b, 0x67, 0x70)),
        "bank" => ("VIR", (0x1f, 0x3a, 0x68)),
        "senelec" => ("SNL", (0xff, 0xd2, 0x00)),
        "seneau" => ("EAU", (0x00, 0x77, 0xc8)),
        "aquatech" => ("AQT", (0x00, 0xa3, 0xc4)),
        "whatsapp" => ("WA", (0x25, 0xd3, 0x66)),
        "moneygram" => ("MG", (0xda, 0x29, 0x1c)),
        "ucad" => ("UCAD", (0x7a, 0x1f, 0x2b)),
        "uvs" => ("UVS", (0x00, 0x6b, 0x3f)),
        "woyofal" => ("WYF", (0xf7, 0x94, 0x1d)),
        "rapido" => ("RPD", (0x5c, 0x2d, 0x91)),
        "xeweul" => ("XWL", (0x3a, 0x9a, 0x3a)),
        "oolusolar" => ("OOLU", (0xff, 0xc2, 0x0e)),
        "baobabplus" => ("B+", (0x2e, 0x5e, 0x2e)),
        "derfj" => ("DER", (0x14, 0x21, 0x3d)),
        _ => ("?", (0x80, 0x80, 0x80)),
    }
}

/// Draws a service's icon in the top-left of its area, or its badge.
pub struct IconView<'a> {
    pub stem: &'a str,
    pub mode: ColorMode,
}

impl Widget for IconView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let fits = area.width >= ICON_WIDTH && area.height >= ICON_HEIGHT / 2;
        match (icon(self.stem), self.mode, fits) {
            (Some(icon), ColorMode::TrueColor | ColorMode::Ansi16, true) => {
                let color =
                    |p: Option<(u8, u8, u8)>| p.and_then(|(r, g, b)| self.mode.rgb(r, g, b));
                for row in 0..ICON_HEIGHT / 2 {
                    for x in 0..ICON_WIDTH {
                        let top = color(icon.pixel(x, 2 * row));
                        let bottom = color(icon.pixel(x, 2 * row + 1));
                        let Some(cell) = buf.cell_mut((area.x + x, area.y + row)) else {
                            continue;
                        };
                        match (top, bottom) {
                            (None, None) => {
                                cell.set_symbol(" ");
                            }
                            (Some(t), None) => {
                                cell.set_symbol("▀").set_fg(t).set_bg(Color::Reset);
                            }
                            (None, Some(b)) => {
                                cell.set_symbol("▄").set_fg(b).set_bg(Color::Reset);
                            }
                            (Some(t), Some(b)) => {
                                cell.set_symbol("▀").set_fg(t).set_bg(b);
                            }
                        }
                    }
                }
            }
            _ => {
                let (text, (r, g, b)) = badge(self.stem);
                let style = match self.mode.rgb(r, g, b) {
                    Some(c) => Style::default().fg(c).add_modifier(Modifier::BOLD),
                    None => Style::default().add_modifier(Modifier::BOLD),
                };
                let shown: String = text.chars().take(usize::from(area.width)).collect();
                let x = area.x + (area.width - shown.chars().count() as u16) / 2;
                let y = area.y + area.height.saturating_sub(1) / 2;
                buf.set_string(x, y, shown, style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::services::ICONS as STEMS;

    #[test]
    fn every_service_stem_has_a_12_by_8_icon() {
        for stem in STEMS {
            let source = SOURCES
                .iter()
                .find(|(s, _)| s == stem)
                .unwrap_or_else(|| panic!("{stem}: no file"));
            let icon = Icon::parse(source.1).unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!((icon.width, icon.height), (12, 8), "{stem}");
            assert!(super::icon(stem).is_some());
            assert_ne!(badge(stem).0, "?", "{stem} has a badge");
        }
    }

    #[test]
    fn the_parser_explains_what_is_wrong() {
        assert!(
            Icon::parse("= a ff0000\naaa\n")
                .unwrap_err()
                .contains("pixels")
        );
        let row = "a".repeat(12);
        let eight = format!("= a ff0000\n{}", format!("{row}\n").repeat(8));
        assert!(Icon::parse(&eight).is_ok());
        assert!(
            Icon::parse(&eight.replace("= a ff0000", "= a zz0000"))
                .unwrap_err()
                .contains("couleur")
        );
        assert!(
            Icon::parse(&eight.replacen(&row, &"b".repeat(12), 1))
                .unwrap_err()
                .contains("palette")
        );
        assert!(
            Icon::parse(&format!("= a ff0000\n{}", format!("{row}\n").repeat(7)))
                .unwrap_err()
                .contains("7 lignes")
        );
    }

    #[test]
    fn drawn_with_half_blocks_or_as_a_badge() {
        let wave = icon("wave").unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 4));
        IconView {
            stem: "wave",
            mode: ColorMode::TrueColor,
        }
        .render(buf.area, &mut buf);
        // Top-left: a transparent corner over blue.
        let corner = &buf[(0, 0)];
        assert_eq!(corner.symbol(), "▄");
        assert_eq!(corner.fg, Color::Rgb(0x1d, 0xc8, 0xf2));
        // Every cell matches its two pixels.
        for y in 0..4u16 {
            for x in 0..12u16 {
                let cell = &buf[(x, y)];
                if let (Some((r, g, b)), Some((r2, g2, b2))) =
                    (wave.pixel(x, 2 * y), wave.pixel(x, 2 * y + 1))
                {
                    assert_eq!(
                        (cell.symbol(), cell.fg, cell.bg),
                        ("▀", Color::Rgb(r, g, b), Color::Rgb(r2, g2, b2))
                    );
                }
            }
        }
        // Without colours, or in a small area: the badge, centred.
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 4));
        IconView {
            stem: "wave",
            mode: ColorMode::NoColor,
        }
        .render(buf.area, &mut buf);
        let line: String = (0..12).map(|x| buf[(x, 1)].symbol().to_owned()).collect();
        assert_eq!(line.trim(), "WAVE");
        assert_eq!(buf[(4, 1)].fg, Color::Reset);
        let mut small = Buffer::empty(Rect::new(0, 0, 6, 2));
        IconView {
            stem: "orange",
            mode: ColorMode::Ansi16,
        }
        .render(small.area, &mut small);
        let line: String = (0..6).map(|x| small[(x, 0)].symbol().to_owned()).collect();
        assert_eq!(line.trim(), "OM");
        // Nothing to draw in: no panic.
        let mut none = Buffer::empty(Rect::new(0, 0, 0, 0));
        IconView {
            stem: "wave",
            mode: ColorMode::TrueColor,
        }
        .render(none.area, &mut none);
    }
}
