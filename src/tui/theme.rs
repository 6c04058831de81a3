//! Colours, degraded to what the terminal can show: true colour, the 16 ANSI colours, or
//! none at all (`NO_COLOR`), where meaning is carried by text and reverse video only.

use ratatui::style::{Color, Modifier, Style};

use super::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    TrueColor,
    Ansi16,
    NoColor,
}

impl ColorMode {
    /// From the environment: `NO_COLOR` (any value) wins, then `COLORTERM=truecolor|24bit`,
    /// else the 16 colours every terminal has.
    pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> ColorMode {
        if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColorMode::NoColor;
        }
        match env("COLORTERM").as_deref() {
            Some("truecolor") | Some("24bit") => ColorMode::TrueColor,
            _ => ColorMode::Ansi16,
        }
    }

    /// An RGB colour as this terminal can show it (`None` without colours).
    pub fn rgb(self, r: u8, g: u8, b: u8) -> Option<Color> {
        match self {
            ColorMode::TrueColor => Some(Color::Rgb(r, g, b)),
            ColorMode::Ansi16 => Some(nearest_ansi16(r, g, b)),
            ColorMode::NoColor => None,
        }
    }
}

/// The 16 ANSI colours with their usual xterm values.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

pub fn nearest_ansi16(r: u8, g: u8, b: u8) -> Color {
    let d = |(x, y, z): (u8, u8, u8)| {
        let (dr, dg, db) = (
            i32::from(r) - i32::from(x),
            i32::from(g) - i32::from(y),
            i32::from(b) - i32::from(z),
        );
        dr * dr * 3 + dg * dg * 4 + db * db * 2
    };
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| d(*rgb))
        .map(|(c, _)| *c)
        .unwrap_or(Color::White)
}

/// How the screens look and speak: the styles for one colour mode, and the language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub mode: ColorMode,
    pub lang: Lang,
}

impl Theme {
    pub fn new(mode: ColorMode) -> Theme {
        Theme {
            mode,
            lang: Lang::Fr,
        }
    }

    pub fn with_lang(self, lang: Lang) -> Theme {
        Theme { lang, ..self }
    }

    /// The French or English text, per the configured language.
    pub fn tr(self, fr: &'static str, en: &'static str) -> &'static str {
        self.lang.tr(fr, en)
    }

    fn fg(self, c: Color) -> Style {
        match self.mode {
            ColorMode::NoColor => Style::default(),
            _ => Style::default().fg(c),
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        match self.mode {
            ColorMode::NoColor => {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            }
            _ => Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        }
    }
    pub fn ok(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn dim(self) -> Style {
        match self.mode {
            ColorMode::NoColor => Style::default(),
            _ => Style::default().fg(Color::DarkGray),
        }
    }
    pub fn key(self) -> Style {
        match self.mode {
            ColorMode::NoColor => Style::default().add_modifier(Modifier::REVERSED),
            _ => Style::default().fg(Color::Black).bg(Color::Gray),
        }
    }
    pub fn banner(self) -> Style {
        match self.mode {
            ColorMode::NoColor => {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            }
            _ => Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_from_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            ColorMode::detect(&env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
            ColorMode::NoColor
        );
        assert_eq!(
            ColorMode::detect(&env(&[("COLORTERM", "truecolor")])),
            ColorMode::TrueColor
        );
        assert_eq!(ColorMode::detect(&env(&[])), ColorMode::Ansi16);
        assert_eq!(nearest_ansi16(29, 200, 242), Color::Cyan, "Wave blue");
    }
}
