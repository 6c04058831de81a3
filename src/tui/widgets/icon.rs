//! Service icons, drawn by us as 12×8 pixel art in `assets/icons/<stem>.icon`, shown as 12×4
//! terminal cells with half blocks (`▀`: upper pixel as foreground, lower pixel as background).
//! Without colours, or in too small an area, a short text badge (`WAVE`, `OM`…) stands in.
//!
//! # The `.icon` format
//!
//! A small text file, read line by line (trailing spaces ignored):
//!
//! * blank lines, and lines starting with `#`, are comments;
//! * a **palette entry** is one character, a space, then `#RRGGBB` (hexadecimal, either case)
//!   or the word `transparent`: `b #1DC8F2`, `. transparent`. `#` and spaces cannot be
//!   palette characters; a character is given once; every entry comes before the first row;
//! * every other line is a **row of pixels**, one palette character per pixel, without
//!   spaces: exactly [`ICON_HEIGHT`] rows of exactly [`ICON_WIDTH`] characters.
//!
//! By convention the first colour of the palette is the brand colour (the background shape),
//! the one [`badge`] uses, and `.` is transparent:
//!
//! ```text
//! # Wave: light blue rounded square, a white wave.
//! . transparent
//! b #1DC8F2
//! w #FFFFFF
//!
//! .bbbbbbbbbb.
//! bbbbbbbbbbbb
//! bbbwwbbbbbbb
//! bbwwwwbbbbbb
//! bwwbbwwbbwwb
//! bbbbbbwwwwbb
//! bbbbbbbwwbbb
//! .bbbbbbbbbb.
//! ```
//!
//! The files are embedded in the binary and parsed once, on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

use crate::tui::theme::ColorMode;

/// Width of every icon, in pixels (and terminal cells).
pub const ICON_WIDTH: u16 = 12;
/// Height of every icon, in pixels (half as many terminal cells).
pub const ICON_HEIGHT: u16 = 8;

type Rgb = (u8, u8, u8);

/// A parsed icon: `width × height` pixels, row by row, `None` where transparent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    pub width: u16,
    pub height: u16,
    pixels: Vec<Option<Rgb>>,
}

impl Icon {
    /// Reads an icon in the `.icon` format (see the module documentation). The error says
    /// what is wrong and on which line, in French like the rest of the app.
    pub fn parse(text: &str) -> Result<Icon, String> {
        let mut palette: HashMap<char, Option<Rgb>> = HashMap::new();
        let mut pixels = Vec::new();
        let mut width: Option<usize> = None;
        let mut rows = 0usize;
        for (index, line) in text.lines().enumerate() {
            let n = index + 1;
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(key), Some(value), None) => {
                    if rows > 0 {
                        return Err(format!(
                            "ligne {n} : entrée de palette après les rangées de pixels"
                        ));
                    }
                    let mut chars = key.chars();
                    let (Some(c), None) = (chars.next(), chars.next()) else {
                        return Err(format!(
                            "ligne {n} : « {key} » : une entrée de palette est un seul caractère"
                        ));
                    };
                    let color = parse_color(value).ok_or_else(|| {
                        format!("ligne {n} : « {value} » n'est ni #RRGGBB ni transparent")
                    })?;
                    if palette.insert(c, color).is_some() {
                        return Err(format!("ligne {n} : « {c} » est déjà dans la palette"));
                    }
                }
                (Some(row), None, None) if row.len() == line.len() => {
                    let count = row.chars().count();
                    match width {
                        None => width = Some(count),
                        Some(w) if w != count => {
                            return Err(format!(
                                "ligne {n} : rangée de {count} pixels, les précédentes en ont {w}"
                            ));
                        }
                        Some(_) => {}
                    }
                    for (column, c) in row.chars().enumerate() {
                        let color = palette.get(&c).ok_or_else(|| {
                            format!(
                                "ligne {n}, colonne {} : « {c} » n'est pas dans la palette",
                                column + 1
                            )
                        })?;
                        pixels.push(*color);
                    }
                    rows += 1;
                }
                _ => {
                    return Err(format!(
                        "ligne {n} : ni une entrée de palette « c #RRGGBB » ni une rangée de \
                         pixels sans espace"
                    ));
                }
            }
        }
        let width = width.unwrap_or(0);
        if (width, rows) != (usize::from(ICON_WIDTH), usize::from(ICON_HEIGHT)) {
            return Err(format!(
                "icône de {width}×{rows} pixels, {ICON_WIDTH}×{ICON_HEIGHT} attendus"
            ));
        }
        Ok(Icon {
            width: ICON_WIDTH,
            height: ICON_HEIGHT,
            pixels,
        })
    }

    /// The colour of one pixel, `None` where transparent or outside the icon.
    pub fn pixel(&self, x: u16, y: u16) -> Option<Rgb> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels
            .get(usize::from(y) * usize::from(self.width) + usize::from(x))
            .copied()
            .flatten()
    }
}

/// `#RRGGBB` → `Some(Some(rgb))`, `transparent` → `Some(None)`, anything else → `None`.
fn parse_color(value: &str) -> Option<Option<Rgb>> {
    if value == "transparent" {
        return Some(None);
    }
    let hex = value.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Some((byte(0)?, byte(2)?, byte(4)?)))
}

macro_rules! sources {
    ($($stem:literal),* $(,)?) => {
        &[$(($stem, include_str!(concat!("../../../assets/icons/", $stem, ".icon")))),*]
    };
}

/// Every icon file, embedded: the stems of `catalog::services::ICONS`.
static SOURCES: &[(&str, &str)] = crate::catalog::services::with_icon_stems!(sources);

/// Parsed once. A file that does not parse is left out (its badge shows instead); the tests
/// make sure none is.
static ICONS: LazyLock<HashMap<&'static str, Icon>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .filter_map(|(stem, text)| Icon::parse(text).ok().map(|icon| (*stem, icon)))
        .collect()
});

/// The icon of a service's stem (`wave`, `senelec`…), `None` for an unknown stem.
pub fn icon(stem: &str) -> Option<&'static Icon> {
    ICONS.get(stem)
}

/// A 2–4 letter text badge and the brand colour, for terminals that cannot show the image
/// (`?` in grey for an unknown stem).
pub fn badge(stem: &str) -> (&'static str, (u8, u8, u8)) {
    match stem {
        "wave" => ("WAVE", (0x1d, 0xc8, 0xf2)),
        "orange" => ("OM", (0xff, 0x79, 0x00)),
        "free" => ("FREE", (0xcd, 0x1e, 0x25)),
        "expresso" => ("EXP", (0xe2, 0x00, 0x1a)),
        "wizall" => ("WIZ", (0x00, 0xa1, 0x9a)),
        "mtn" => ("MTN", (0xff, 0xcb, 0x05)),
        "moov" => ("MOOV", (0x00, 0x66, 0xb3)),
        "card" => ("CB", (0x37, 0x47, 0x4f)),
        "bank" => ("VIR", (0x1a, 0x23, 0x7e)),
        "senelec" => ("SNL", (0x00, 0x67, 0xb1)),
        "seneau" => ("EAU", (0x00, 0x93, 0xd6)),
        "aquatech" => ("AQT", (0x00, 0x83, 0x8f)),
        "whatsapp" => ("WA", (0x25, 0xd3, 0x66)),
        "moneygram" => ("MG", (0xda, 0x29, 0x1c)),
        "ucad" => ("UCAD", (0x8b, 0x1a, 0x1a)),
        "uvs" => ("UVS", (0x00, 0x3d, 0xa5)),
        "woyofal" => ("WYF", (0xf9, 0xb0, 0x00)),
        "rapido" => ("RPD", (0xd3, 0x2f, 0x2f)),
        "xeweul" => ("XWL", (0x6a, 0x1b, 0x9a)),
        "oolusolar" => ("OOLU", (0xf5, 0x7c, 0x00)),
        "baobabplus" => ("B+", (0x2e, 0x7d, 0x32)),
        "derfj" => ("DER", (0x00, 0x85, 0x3f)),
        _ => ("?", (0x80, 0x80, 0x80)),
    }
}

/// Draws a service's icon in the top-left of its area (12×4 cells), or, without colours or
/// in a smaller area, its badge centred on the middle line. Never panics, whatever the area.
pub struct IconView<'a> {
    pub stem: &'a str,
    pub mode: ColorMode,
}

impl IconView<'_> {
    fn draw_icon(&self, icon: &Icon, area: Rect, buf: &mut Buffer) {
        let color = |p: Option<Rgb>| p.and_then(|(r, g, b)| self.mode.rgb(r, g, b));
        for row in 0..icon.height.div_ceil(2) {
            for x in 0..icon.width {
                let top = color(icon.pixel(x, 2 * row));
                let bottom = color(icon.pixel(x, 2 * row + 1));
                let (Some(cx), Some(cy)) = (area.x.checked_add(x), area.y.checked_add(row)) else {
                    continue;
                };
                let Some(cell) = buf.cell_mut((cx, cy)) else {
                    continue;
                };
                cell.reset();
                match (top, bottom) {
                    (Some(t), Some(b)) => {
                        cell.set_symbol("▀").set_fg(t).set_bg(b);
                    }
                    (Some(t), None) => {
                        cell.set_symbol("▀").set_fg(t).set_bg(Color::Reset);
                    }
                    (None, Some(b)) => {
                        cell.set_symbol("▄").set_fg(b).set_bg(Color::Reset);
                    }
                    (None, None) => {
                        cell.set_symbol(" ");
                    }
                }
            }
        }
    }

    fn draw_badge(&self, area: Rect, buf: &mut Buffer) {
        let (text, (r, g, b)) = badge(self.stem);
        let shown: Vec<char> = text.chars().take(usize::from(area.width)).collect();
        let width = u16::try_from(shown.len()).unwrap_or(area.width);
        let x = area.x + (area.width - width) / 2;
        let y = area.y + (area.height - 1) / 2;
        let style = match self.mode.rgb(r, g, b) {
            Some(fg) => Style::new().fg(fg).add_modifier(Modifier::BOLD),
            None => Style::new().add_modifier(Modifier::BOLD),
        };
        for (i, c) in (0u16..).zip(shown) {
            if let Some(cell) = buf.cell_mut((x + i, y)) {
                cell.set_char(c).set_style(style);
            }
        }
    }
}

impl Widget for IconView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Only what the buffer holds: a stray area can neither panic nor draw elsewhere.
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let in_colour = matches!(self.mode, ColorMode::TrueColor | ColorMode::Ansi16);
        let fits = area.width >= ICON_WIDTH && area.height >= ICON_HEIGHT.div_ceil(2);
        match icon(self.stem) {
            Some(icon) if in_colour && fits => self.draw_icon(icon, area, buf),
            _ => self.draw_badge(area, buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::services::ICONS as STEMS;
    use crate::tui::theme::nearest_ansi16;
    use std::collections::HashSet;

    fn render(stem: &str, mode: ColorMode, buffer: Rect, area: Rect) -> Buffer {
        let mut buf = Buffer::empty(buffer);
        IconView { stem, mode }.render(area, &mut buf);
        buf
    }

    fn line(buf: &Buffer, y: u16) -> String {
        (buf.area.x..buf.area.right())
            .map(|x| buf[(x, y)].symbol())
            .collect()
    }

    fn uncoloured(buf: &Buffer) -> bool {
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    }

    fn has_half_blocks(buf: &Buffer) -> bool {
        buf.content()
            .iter()
            .any(|c| c.symbol() == "▀" || c.symbol() == "▄")
    }

    #[test]
    fn every_service_stem_has_a_12_by_8_icon_and_a_badge() {
        assert_eq!(SOURCES.len(), STEMS.len(), "one file per stem, no more");
        for stem in STEMS {
            let (_, text) = SOURCES
                .iter()
                .find(|(s, _)| s == stem)
                .unwrap_or_else(|| panic!("{stem}: no assets/icons/{stem}.icon"));
            let parsed = Icon::parse(text).unwrap_or_else(|e| panic!("{stem}.icon: {e}"));
            assert_eq!((parsed.width, parsed.height), (12, 8), "{stem}");
            assert_eq!(icon(stem), Some(&parsed), "{stem}");
            let (label, colour) = badge(stem);
            assert!((2..=4).contains(&label.len()), "{stem}: badge {label}");
            assert!(label.bytes().all(|b| b.is_ascii_graphic()), "{stem}");
            let pixels: Vec<Rgb> = (0..8)
                .flat_map(|y| (0..12).map(move |x| (x, y)))
                .filter_map(|(x, y)| parsed.pixel(x, y))
                .collect();
            assert!(
                pixels.contains(&colour),
                "{stem}: the badge colour is the icon's brand colour"
            );
            // Still a picture in 16 colours: the shape and its glyph do not melt together.
            let ansi: HashSet<Color> = pixels
                .iter()
                .map(|&(r, g, b)| nearest_ansi16(r, g, b))
                .collect();
            assert!(ansi.len() >= 2, "{stem}: one colour only in 16 colours");
        }
        assert_eq!(icon("nope"), None);
        assert_eq!(badge("nope").0, "?");
    }

    #[test]
    fn the_parser_says_what_is_wrong() {
        // Lines 1–5: comment, palette, blank line; the rows from line 6.
        let text = |rows: &[String]| {
            let rows: String = rows.iter().map(|r| format!("{r}\n")).collect();
            format!("# test\n. transparent\na #FF0000\nb #00ff00\n\n{rows}")
        };
        let row = "ab".repeat(6);
        let rows = vec![row.clone(); 8];
        let good = text(&rows);
        let icon = Icon::parse(&good).unwrap();
        assert_eq!((icon.width, icon.height), (12, 8));
        assert_eq!(icon.pixel(0, 0), Some((255, 0, 0)));
        assert_eq!(icon.pixel(1, 7), Some((0, 255, 0)));
        assert_eq!(icon.pixel(12, 0), None);
        let with = |i: usize, r: &str| {
            let mut rows = rows.clone();
            rows[i] = r.to_owned();
            text(&rows)
        };
        assert_eq!(
            Icon::parse(&with(0, ".babababab.b")).unwrap().pixel(0, 0),
            None
        );

        let error = |text: &str| Icon::parse(text).unwrap_err();
        // An unknown palette character: where, and which.
        let e = error(&with(0, &format!("ab{}", "z".repeat(10))));
        assert!(
            e.contains("ligne 6, colonne 3") && e.contains("« z »"),
            "{e}"
        );
        assert!(e.contains("palette"), "{e}");
        // Ragged rows.
        let e = error(&with(1, &format!("{row}a")));
        assert!(e.contains("ligne 7") && e.contains("13 pixels"), "{e}");
        assert!(e.contains("en ont 12"), "{e}");
        let e = error(&with(7, "abab"));
        assert!(e.contains("ligne 13") && e.contains("4 pixels"), "{e}");
        // Wrong size: too few rows, too many, too wide everywhere, nothing at all.
        let e = error(&text(&rows[..7]));
        assert!(e.contains("12×7") && e.contains("12×8 attendus"), "{e}");
        assert!(error(&text(&[rows.clone(), rows.clone()].concat())).contains("12×16"));
        let e = error(&text(&vec![format!("{row}ab"); 8]));
        assert!(e.contains("14×8"), "{e}");
        assert!(error("").contains("0×0"));
        // Bad colours and palette mistakes.
        let e = error(&good.replace("#00ff00", "#00gg00"));
        assert!(e.contains("ligne 4") && e.contains("#00gg00"), "{e}");
        assert!(error(&good.replace("#00ff00", "00ff00")).contains("ni #RRGGBB"));
        assert!(error(&good.replace("#00ff00", "#00ff0")).contains("ni #RRGGBB"));
        assert!(error(&good.replace("a #FF0000", "ab #FF0000")).contains("seul caractère"));
        assert!(error(&good.replace("b #00ff00", "a #00ff00")).contains("déjà"));
        assert!(error(&format!("{good}c #000000\n")).contains("après les rangées"));
        assert!(error(&with(2, "ab ab ab ab ab ab")).contains("sans espace"));
        assert!(error(&with(2, &format!(" {row}"))).contains("sans espace"));
    }

    #[test]
    fn drawn_with_half_blocks_in_colour() {
        let blue = Color::Rgb(0x1d, 0xc8, 0xf2);
        let white = Color::Rgb(255, 255, 255);
        let area = Rect::new(0, 0, 12, 4);
        let buf = render("wave", ColorMode::TrueColor, area, area);
        let cell = |x: u16, y: u16| {
            let c = &buf[(x, y)];
            (c.symbol(), c.fg, c.bg)
        };
        // Corners: transparent over blue, blue over transparent.
        assert_eq!(cell(0, 0), ("▄", blue, Color::Reset));
        assert_eq!(cell(11, 3), ("▀", blue, Color::Reset));
        // Inside: blue over blue, blue over the white wave, white over blue, white on white.
        assert_eq!(cell(5, 0), ("▀", blue, blue));
        assert_eq!(cell(2, 1), ("▀", blue, white));
        assert_eq!(cell(1, 2), ("▀", white, blue));
        assert_eq!(cell(6, 2), ("▀", white, white));
        // Every cell is its two pixels.
        let wave = icon("wave").unwrap();
        for y in 0..4 {
            for x in 0..12 {
                let (symbol, fg, bg) = cell(x, y);
                let rgb = |p: Option<Rgb>| p.map(|(r, g, b)| Color::Rgb(r, g, b));
                match (rgb(wave.pixel(x, 2 * y)), rgb(wave.pixel(x, 2 * y + 1))) {
                    (Some(t), b) => assert_eq!((symbol, fg, bg), ("▀", t, b.unwrap_or_default())),
                    (None, Some(b)) => assert_eq!((symbol, fg, bg), ("▄", b, Color::Reset)),
                    (None, None) => assert_eq!(symbol, " "),
                }
            }
        }
        // In 16 colours: the nearest ANSI colours.
        let buf = render("wave", ColorMode::Ansi16, area, area);
        assert_eq!(buf[(2, 1)].fg, Color::Cyan);
        assert_eq!(buf[(2, 1)].bg, Color::White);
        // Top-left of a larger, offset area; the rest of it untouched.
        let buf = render(
            "orange",
            ColorMode::TrueColor,
            Rect::new(0, 0, 20, 8),
            Rect::new(3, 2, 16, 6),
        );
        let orange = Color::Rgb(0xff, 0x79, 0x00);
        assert_eq!(buf[(3, 2)].symbol(), "▄");
        assert_eq!(buf[(4, 2)].fg, orange);
        assert_eq!(buf[(13, 5)].bg, orange);
        assert_eq!(buf[(14, 5)].bg, Color::Reset);
        assert_eq!(buf[(2, 2)], Default::default());
        assert_eq!(buf[(15, 2)], Default::default());
        assert_eq!(buf[(3, 6)], Default::default());
        // Transparent pixels clear what was under them.
        let mut buf = Buffer::empty(area);
        buf.set_style(area, ratatui::style::Style::new().bg(Color::Red));
        IconView {
            stem: "wave",
            mode: ColorMode::TrueColor,
        }
        .render(area, &mut buf);
        assert_eq!(buf[(0, 0)].bg, Color::Reset);
    }

    #[test]
    fn a_badge_without_colours_or_room() {
        // Without colours: the badge, bold, centred on the middle line, and no colour at all.
        let area = Rect::new(0, 0, 12, 4);
        let buf = render("wave", ColorMode::NoColor, area, area);
        assert_eq!(line(&buf, 1), "    WAVE    ");
        assert!(uncoloured(&buf) && !has_half_blocks(&buf));
        assert!(buf[(4, 1)].modifier.contains(Modifier::BOLD));
        assert_eq!(line(&buf, 0).trim(), "");
        // Too small for the image (6×2): the badge too, without colour in NoColor…
        let small = Rect::new(0, 0, 6, 2);
        let buf = render("orange", ColorMode::NoColor, small, small);
        assert_eq!(line(&buf, 0), "  OM  ");
        assert!(uncoloured(&buf) && !has_half_blocks(&buf));
        // …and in the brand colour when the terminal has colours, still no image.
        let buf = render("mtn", ColorMode::TrueColor, small, small);
        assert_eq!(line(&buf, 0), " MTN  ");
        assert_eq!(buf[(1, 0)].fg, Color::Rgb(0xff, 0xcb, 0x05));
        assert_eq!(buf[(1, 0)].bg, Color::Reset);
        assert!(!has_half_blocks(&buf));
        let buf = render("senelec", ColorMode::Ansi16, small, small);
        assert_eq!(line(&buf, 0), " SNL  ");
        assert_eq!(buf[(1, 0)].fg, Color::LightBlue);
        // 12 wide but only 3 high, 11 wide: still the badge.
        for size in [Rect::new(0, 0, 12, 3), Rect::new(0, 0, 11, 4)] {
            let buf = render("wave", ColorMode::TrueColor, size, size);
            assert!(!has_half_blocks(&buf), "{size:?}");
            assert!(line(&buf, 1).contains("WAVE"), "{size:?}");
        }
        // Narrower than the badge: cut, never spilled.
        let narrow = Rect::new(0, 0, 2, 1);
        assert_eq!(
            line(&render("wave", ColorMode::Ansi16, narrow, narrow), 0),
            "WA"
        );
        // An unknown stem: a question mark, even in colour with room.
        let buf = render("nope", ColorMode::TrueColor, area, area);
        assert_eq!(line(&buf, 1).trim(), "?");
    }

    #[test]
    fn never_panics_whatever_the_area() {
        let buffer = Rect::new(0, 0, 12, 4);
        for mode in [ColorMode::TrueColor, ColorMode::Ansi16, ColorMode::NoColor] {
            for area in [
                Rect::new(0, 0, 0, 0),
                Rect::new(0, 0, 1, 1),
                Rect::new(0, 0, 12, 0),
                Rect::new(0, 0, 0, 4),
                Rect::new(5, 2, 12, 4),
                Rect::new(30, 30, 12, 4),
                Rect::new(u16::MAX - 3, u16::MAX - 1, 3, 1),
            ] {
                for stem in STEMS.iter().copied().chain(["nope", ""]) {
                    render(stem, mode, buffer, area);
                }
            }
            render("wave", mode, Rect::ZERO, Rect::ZERO);
            render("wave", mode, Rect::ZERO, buffer);
        }
        // Partly outside the buffer: the part inside is drawn, nothing else.
        let buf = render("wave", ColorMode::TrueColor, buffer, Rect::new(6, 2, 12, 4));
        assert_eq!(buf[(0, 0)], Default::default());
    }
}
