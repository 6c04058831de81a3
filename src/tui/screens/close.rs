//! The close-of-day screen (« Clôture »): the preview of the next Z report (scrolling),
//! sealed after a question (`o` / `n`, Enter answers nothing), then the sealed Z with its
//! number, printed with `i`; and the list of past reports with the chain's check, naming
//! the one altered. Everything goes through the service (`Request::Close`): a supervisor's
//! there, a cashier gets its French refusal. What a Z says is `report::z`'s.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::journal::Notice;
use super::keys::{Binding, lookup, shown};
use super::{App, Screen, ask};
use crate::i18n::Lang;
use crate::money::fcfa;
use crate::report::local_time;
use crate::report::z::{ZAsk, ZReply, ZReport, ZSummary};
use crate::session::view::Printed;
use crate::tui::message::Effect;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub struct CloseState {
    pub stage: Stage,
    /// How far the report (or the list) is scrolled down, in lines.
    pub scroll: u16,
    /// What became of a print, or a request under way.
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Waiting for the service.
    Loading,
    /// The next Z as it would be sealed now: nothing stored yet.
    Preview(Box<ZReport>),
    /// Nothing made since the last Z (the service's sentence): nothing to seal.
    Nothing(String),
    /// Sealed: stored in the chain under its number.
    Sealed { report: Box<ZReport>, hash: String },
    /// The stored reports, newest first, and what the chain's walk found wrong.
    List {
        reports: Vec<ZSummary>,
        faults: Vec<String>,
    },
    /// The service said no (a cashier: supervisors only), or could not answer.
    Refused(String),
}

/// The width the report is laid out at in a terminal `cols` wide (a roll is 32 or 48; a
/// screen reads well up to 64).
pub fn text_width(cols: u16) -> usize {
    usize::from(cols.saturating_sub(4)).clamp(20, 64)
}

/// The report's (or the list's) rows visible in a terminal `rows` high: less the header,
/// the title, the notice, the frame and the footer.
fn visible_rows(rows: u16) -> u16 {
    rows.saturating_sub(6).max(1)
}

impl CloseState {
    /// The lines the body shows (the report laid out, or the list), in French: the report
    /// is the shop's paper, the same on screen as printed.
    fn lines(&self, cols: u16) -> usize {
        match &self.stage {
            Stage::Preview(report) | Stage::Sealed { report, .. } => {
                report.to_text(text_width(cols)).lines().count()
            }
            Stage::List { reports, faults } => reports.len() + faults.len() + 2,
            _ => 0,
        }
    }
}

/// Opens the screen: the preview of the next Z is asked.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Close(CloseState {
        stage: Stage::Loading,
        scroll: 0,
        notice: None,
    });
    vec![preview()]
}

fn preview() -> Effect {
    Effect::Z {
        ask: ZAsk::Preview,
        print: false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKey {
    Scroll,
    Seal,
    Print,
    List,
    Back,
}

const SCROLL: &[KeyCode] = &[
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::PageUp,
    KeyCode::PageDown,
];

const fn scroll() -> Binding<CloseKey> {
    shown(
        SCROLL,
        CloseKey::Scroll,
        ("↑↓ PgPréc", "défiler"),
        ("↑↓ PgUp", "scroll"),
    )
}

const fn list() -> Binding<CloseKey> {
    shown(
        &[KeyCode::Char('l'), KeyCode::F(7)],
        CloseKey::List,
        ("l F7", "rapports passés"),
        ("l F7", "past reports"),
    )
}

const fn back() -> Binding<CloseKey> {
    shown(
        &[KeyCode::Esc],
        CloseKey::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    )
}

/// The preview: scroll, seal (asked first), the past reports. Not Enter: sealing cannot
/// be undone, a stray Enter must not lead there.
pub const PREVIEW_KEYS: &[Binding<CloseKey>] = &[
    back(),
    shown(
        &[KeyCode::Char('s'), KeyCode::F(8)],
        CloseKey::Seal,
        ("s F8", "sceller le Z"),
        ("s F8", "seal the Z"),
    ),
    scroll(),
    list(),
];

pub const SEALED_KEYS: &[Binding<CloseKey>] = &[
    back(),
    shown(
        &[KeyCode::Char('i'), KeyCode::F(5)],
        CloseKey::Print,
        ("i F5", "imprimer"),
        ("i F5", "print"),
    ),
    scroll(),
    list(),
];

/// The past reports: Échap goes back to the preview.
pub const LIST_KEYS: &[Binding<CloseKey>] = &[back(), scroll()];

/// Waiting, nothing to close, or refused: the past reports, or back.
pub const WAIT_KEYS: &[Binding<CloseKey>] = &[back(), list()];

pub fn keys_of(state: &CloseState) -> &'static [Binding<CloseKey>] {
    match state.stage {
        Stage::Preview(_) => PREVIEW_KEYS,
        Stage::Sealed { .. } => SEALED_KEYS,
        Stage::List { .. } => LIST_KEYS,
        _ => WAIT_KEYS,
    }
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let (cols, rows) = app.size;
    let lang = app.lang;
    let Screen::Close(state) = &mut app.screen else {
        return vec![];
    };
    match lookup(keys_of(state), key.code) {
        Some(CloseKey::Back) if matches!(state.stage, Stage::List { .. }) => {
            state.stage = Stage::Loading;
            state.scroll = 0;
            state.notice = None;
            vec![preview()]
        }
        Some(CloseKey::Back) => {
            app.screen = Screen::Catalogue;
            vec![]
        }
        Some(CloseKey::Scroll) => {
            let page = visible_rows(rows);
            let last = u16::try_from(state.lines(cols))
                .unwrap_or(u16::MAX)
                .saturating_sub(page);
            let scroll = match key.code {
                KeyCode::Up => state.scroll.saturating_sub(1),
                KeyCode::Down => state.scroll.saturating_add(1),
                KeyCode::PageUp => state.scroll.saturating_sub(page),
                _ => state.scroll.saturating_add(page),
            }
            .min(last);
            if scroll == state.scroll {
                app.dirty = false;
            }
            state.scroll = scroll;
            vec![]
        }
        Some(CloseKey::Seal) => {
            if let Stage::Preview(report) = &state.stage {
                app.ask = Some(ask::Question::SealZ {
                    number: report.number,
                    operations: report.total.operations,
                    net: report.total_net,
                    to_follow: report.to_follow.len(),
                    open_drawers: report.open_drawers.len(),
                });
            }
            vec![]
        }
        Some(CloseKey::Print) => {
            let Stage::Sealed { report, .. } = &state.stage else {
                return vec![];
            };
            let number = report.number;
            state.notice = Some(Notice::Done(
                lang.tr("Impression du rapport Z…", "Printing the Z report…")
                    .into(),
            ));
            vec![Effect::Z {
                ask: ZAsk::Show(number),
                print: true,
            }]
        }
        Some(CloseKey::List) => {
            state.notice = None;
            vec![Effect::Z {
                ask: ZAsk::List,
                print: false,
            }]
        }
        None => {
            app.dirty = false;
            vec![]
        }
    }
}

/// The question answered yes: the Z is sealed (the service makes it again at this moment,
/// numbers it and stores it in the chain).
pub fn seal(app: &mut App) -> Vec<Effect> {
    let lang = app.lang;
    if let Screen::Close(state) = &mut app.screen {
        state.notice = Some(Notice::Done(
            lang.tr("Scellement du rapport Z…", "Sealing the Z report…")
                .into(),
        ));
        return vec![Effect::Z {
            ask: ZAsk::Close,
            print: false,
        }];
    }
    vec![]
}

/// The service's answer.
pub fn on_reply(app: &mut App, result: Result<(ZReply, Printed), String>) -> Vec<Effect> {
    let lang = app.lang;
    let Screen::Close(state) = &mut app.screen else {
        app.dirty = false;
        return vec![];
    };
    let (reply, printed) = match result {
        Ok(answer) => answer,
        // A print asked of a sealed Z that the link lost: the Z stays on screen.
        Err(message) if matches!(state.stage, Stage::Sealed { .. }) => {
            state.notice = Some(Notice::Failed(message));
            return vec![];
        }
        Err(message) => {
            state.stage = Stage::Refused(message);
            state.notice = None;
            return vec![];
        }
    };
    state.notice = printed_notice(&printed, &reply, lang);
    let stage = match reply {
        ZReply::Report { report, hash } => Stage::Sealed { report, hash },
        ZReply::Preview(report) => Stage::Preview(report),
        ZReply::NothingToClose(message) => Stage::Nothing(message),
        ZReply::NoSuch(number) => Stage::Refused(match lang {
            Lang::Fr => format!("aucun rapport Z n° {number}"),
            Lang::En => format!("no Z report number {number}"),
        }),
        ZReply::List { reports, faults } => Stage::List { reports, faults },
        // Not asked by this screen (its list walks the chain).
        ZReply::Chain { .. } => {
            app.dirty = false;
            return vec![];
        }
    };
    // The same report again (printed): stays where it was read.
    let same = matches!((&state.stage, &stage),
        (Stage::Sealed { hash: a, .. }, Stage::Sealed { hash: b, .. }) if a == b);
    if !same {
        state.scroll = 0;
    }
    state.stage = stage;
    vec![]
}

fn printed_notice(printed: &Printed, reply: &ZReply, lang: Lang) -> Option<Notice> {
    let number = match reply {
        ZReply::Report { report, .. } => report.number,
        _ => 0,
    };
    match printed {
        Printed::NotAsked => None,
        Printed::Done { printer, .. } => Some(Notice::Done(match lang {
            Lang::Fr => format!("Rapport Z n° {number} imprimé sur {printer}."),
            Lang::En => format!("Z report number {number} printed on {printer}."),
        })),
        Printed::NoPrinter => Some(Notice::Failed(
            lang.tr(
                "Aucune imprimante configurée ([printer] de la configuration).",
                "No printer configured ([printer] in the configuration).",
            )
            .into(),
        )),
        Printed::Failed(message) => Some(Notice::Failed(match lang {
            Lang::Fr => format!("Rapport Z n° {number} pas imprimé : {message}"),
            Lang::En => format!("Z report number {number} not printed: {message}"),
        })),
    }
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &CloseState, theme: Theme) {
    let [title, notice, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let lang = theme.lang;
    let fr = lang == Lang::Fr;
    let heading = match &state.stage {
        Stage::Loading => Line::from(Span::styled(
            theme.tr(
                " Clôture de caisse — chargement…",
                " Close of day — loading…",
            ),
            theme.title(),
        )),
        Stage::Preview(z) => Line::from(vec![
            Span::styled(
                if fr {
                    format!(" Clôture — aperçu du rapport Z n° {} ", z.number)
                } else {
                    format!(" Close of day — preview of Z report number {} ", z.number)
                },
                theme.title(),
            ),
            Span::styled(
                theme.tr("(pas encore scellé)", "(not sealed yet)"),
                theme.warn(),
            ),
        ]),
        Stage::Sealed { report, hash } => Line::from(vec![
            Span::styled(
                if fr {
                    format!(" ✓ Rapport Z n° {} scellé ", report.number)
                } else {
                    format!(" ✓ Z report number {} sealed ", report.number)
                },
                theme.ok(),
            ),
            Span::styled(
                format!(
                    "{} {}…",
                    theme.tr("empreinte", "hash"),
                    hash.chars().take(16).collect::<String>()
                ),
                theme.dim(),
            ),
        ]),
        Stage::Nothing(_) | Stage::Refused(_) => Line::from(Span::styled(
            theme.tr(" Clôture de caisse", " Close of day"),
            theme.title(),
        )),
        Stage::List { reports, faults } if faults.is_empty() => Line::from(vec![
            Span::styled(
                theme.tr(" Rapports Z enregistrés ", " Stored Z reports "),
                theme.title(),
            ),
            Span::styled(
                if fr {
                    format!("✓ chaîne intacte ({} rapport(s))", reports.len())
                } else {
                    format!("✓ chain intact ({} report(s))", reports.len())
                },
                theme.ok(),
            ),
        ]),
        Stage::List { .. } => Line::from(vec![
            Span::styled(
                theme.tr(" Rapports Z enregistrés ", " Stored Z reports "),
                theme.title(),
            ),
            Span::styled(theme.tr("⚠ CHAÎNE ROMPUE", "⚠ CHAIN BROKEN"), theme.error()),
        ]),
    };
    Paragraph::new(heading).render(title, buf);
    if let Some(n) = &state.notice {
        let line = match n {
            Notice::Done(m) => Span::styled(format!(" {m}"), theme.ok()),
            Notice::Unsure(m) => Span::styled(format!(" ⚠ {m}"), theme.warn()),
            Notice::Failed(m) => Span::styled(format!(" {m}"), theme.error()),
        };
        Paragraph::new(Line::from(line)).render(notice, buf);
    }
    match &state.stage {
        Stage::Loading => {}
        Stage::Nothing(message) | Stage::Refused(message) => {
            let style = if matches!(state.stage, Stage::Refused(_)) {
                theme.error()
            } else {
                theme.warn()
            };
            Paragraph::new(vec![
                Line::from(Span::styled(message.clone(), style)),
                Line::default(),
                Line::from(Span::styled(
                    theme.tr(
                        "« l » : les rapports Z déjà scellés et la vérification de leur chaîne.",
                        "\"l\": the Z reports already sealed and the check of their chain.",
                    ),
                    theme.dim(),
                )),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::bordered())
            .render(body, buf);
        }
        Stage::Preview(report) | Stage::Sealed { report, .. } => {
            let width = text_width(area.width);
            let text = report.to_text(width);
            let lines: Vec<Line> = text.lines().map(|l| Line::from(l.to_owned())).collect();
            framed(buf, body, lines, width, state.scroll, theme);
        }
        Stage::List { reports, faults } => {
            let mut lines: Vec<Line> = Vec::new();
            if reports.is_empty() {
                lines.push(Line::from(
                    theme.tr("Aucun rapport Z enregistré.", "No Z report stored."),
                ));
            }
            for z in reports {
                let (mark, style) = if z.altered {
                    (theme.tr("⚠ ALTÉRÉ", "⚠ ALTERED"), theme.error())
                } else {
                    (theme.tr("✓ intact", "✓ intact"), theme.ok())
                };
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "N° {:06}  {} → {}  {:<6.6} {:>4} op. {:>13}  ",
                        z.number,
                        &local_time(z.from)[5..16],
                        &local_time(z.to)[5..16],
                        z.closed_by,
                        z.operations
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "?".into()),
                        z.net.map(fcfa).unwrap_or_else(|| "?".into()),
                    )),
                    Span::styled(mark, style),
                ]));
            }
            if !faults.is_empty() {
                lines.push(Line::default());
            }
            for f in faults {
                lines.push(Line::from(Span::styled(f.clone(), theme.error())));
            }
            let width = usize::from(area.width.saturating_sub(2));
            framed(buf, body, lines, width, state.scroll, theme);
        }
    }
}

/// `lines` in a frame `width` wide (plus its borders), from line `scroll`, with ▼ in the
/// bottom border when more follows.
fn framed(buf: &mut Buffer, area: Rect, lines: Vec<Line>, width: usize, scroll: u16, theme: Theme) {
    let rect = Rect {
        width: (u16::try_from(width).unwrap_or(u16::MAX) + 2).min(area.width),
        ..area
    };
    let shown = rect.height.saturating_sub(2);
    let total = lines.len();
    let mut block = Block::bordered();
    if usize::from(scroll) + usize::from(shown) < total {
        block = block.title_bottom(Line::from(Span::styled(
            theme.tr(" ▼ suite (↓) ", " ▼ more (↓) "),
            theme.dim(),
        )));
    }
    if scroll > 0 {
        block = block.title(Line::from(Span::styled(" ▲ ", theme.dim())));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .block(block)
        .render(rect, buf);
}
