//! The home screen: the tiles of the services, filtered as the cashier types.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};
use tui_input::Input;

use super::bills::{BillsStage, BillsState};
use super::entry::{EntryState, Field};
use super::keys::{Binding, hidden, leave, lookup, shown, typing};
use super::moneygram::MoneyGramState;
use super::{App, Screen};
use crate::catalog::services::Country;
use crate::domain::fields as rules;
use crate::tui::catalog::{Group, Tile};
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::icon::IconView;

/// Columns of the tile grid (the screen sets it from its width; the default suits 80).
pub const TILE_WIDTH: u16 = 16;

pub fn grid_columns(width: u16) -> usize {
    usize::from((width / TILE_WIDTH).max(1))
}

const TILE_HEIGHT: u16 = 7;

/// The index of the first tile drawn in a grid `height` rows high: the grid scrolls by
/// rows so that the selected tile shows. The numbers 1-9 are those of the tiles drawn from
/// it, and the digits pick them: what the footer says is what the tiles show.
pub fn first_shown(selected: usize, columns: usize, height: u16) -> usize {
    let rows_visible = usize::from((height / TILE_HEIGHT).max(1));
    (selected / columns).saturating_sub(rows_visible - 1) * columns
}

/// The grid's height in a terminal `rows` high: less the header, the prompt and the footer.
fn grid_height(rows: u16) -> u16 {
    rows.saturating_sub(3)
}

/// What a key does on the home screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Help,
    Move,
    Pick,
    Open,
    Journal,
    Drawer,
    Stats,
    Country,
    /// The close of day (« Clôture »): the next Z report.
    Close,
    Quit,
    ClearFilter,
    Type,
}

const DIGITS: &[KeyCode] = &[
    KeyCode::Char('1'),
    KeyCode::Char('2'),
    KeyCode::Char('3'),
    KeyCode::Char('4'),
    KeyCode::Char('5'),
    KeyCode::Char('6'),
    KeyCode::Char('7'),
    KeyCode::Char('8'),
    KeyCode::Char('9'),
];

/// The help, on this screen: F1 (taken by `app::on_key` on every screen) or `?`.
pub const HELP: &[Binding<Action>] = &[shown(
    &[KeyCode::F(1), KeyCode::Char('?')],
    Action::Help,
    ("F1 ?", "aide"),
    ("F1 ?", "help"),
)];

/// The home screen's keys.
///
/// Every letter typed goes to the filter: a cashier types the customer's word (`paie`,
/// `retrait`, `om`), and a word may begin with any letter. So the actions are on keys no
/// word uses: the F-keys, and the same letter as on the other screens with **Alt**
/// (`Alt-j` journal, `Alt-p` pays, `Alt-q` quit) for keyboards or terminals without
/// F-keys. Not Ctrl: the terminal keeps Ctrl-J (Enter), Ctrl-H (Backspace), Ctrl-Q and
/// Ctrl-S (flow control) and Ctrl-C for itself; Alt reaches the app everywhere, over SSH
/// too (sent as Esc then the letter). In this table a letter is taken with Alt only
/// (`key`); digits pick a tile and are never typed.
pub const KEYS: &[Binding<Action>] = &[
    // Shown by `HELP` ("F1 ?"), first on this screen.
    hidden(&[KeyCode::Char('?')], Action::Help),
    shown(
        &[
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Home,
            KeyCode::End,
        ],
        Action::Move,
        ("1-9 ←→", "choisir"),
        ("1-9 ←→", "choose"),
    ),
    // Shown with the arrows ("1-9"), as the tiles' numbers.
    hidden(DIGITS, Action::Pick),
    shown(
        &[KeyCode::Enter],
        Action::Open,
        ("Entrée", "ouvrir"),
        ("Enter", "open"),
    ),
    shown(
        &[KeyCode::F(3), KeyCode::Char('j')],
        Action::Journal,
        ("F3 Alt-j", "journal"),
        ("F3 Alt-j", "journal"),
    ),
    shown(
        &[KeyCode::F(6), KeyCode::Char('t')],
        Action::Drawer,
        ("F6 Alt-t", "tiroir"),
        ("F6 Alt-t", "drawer"),
    ),
    shown(
        &[KeyCode::F(4), KeyCode::Char('p')],
        Action::Country,
        ("F4 Alt-p", "pays"),
        ("F4 Alt-p", "country"),
    ),
    // F9 and Alt-z (the Z report): keys the home screen's neighbours leave free.
    shown(
        &[KeyCode::F(9), KeyCode::Char('z')],
        Action::Close,
        ("F9 Alt-z", "clôture"),
        ("F9 Alt-z", "close day"),
    ),
    // Statistiques (F8, Alt-s), after the others: the footer shows it where there is room,
    // the help always.
    shown(
        &[KeyCode::F(8), KeyCode::Char('s')],
        Action::Stats,
        ("F8 Alt-s", "stats"),
        ("F8 Alt-s", "stats"),
    ),
    leave(
        &[KeyCode::F(10), KeyCode::Char('q')],
        Action::Quit,
        ("F10 Alt-q", "quitter"),
        ("F10 Alt-q", "quit"),
    ),
    // Said by the filter's line ("Échap pour effacer").
    hidden(&[KeyCode::Esc], Action::ClearFilter),
    // The filter: letters, spaces, apostrophes; Backspace.
    typing(Action::Type),
];

/// What a key does here: a letter is typed unless Alt is held (then it is its action, if
/// it has one).
fn action_of(key: &KeyEvent) -> Option<Action> {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if alt && c.is_alphabetic() => {
            match lookup(KEYS, KeyCode::Char(c.to_ascii_lowercase())) {
                Some(Action::Type) => None,
                action => action,
            }
        }
        KeyCode::Char(c) if c.is_alphabetic() => Some(Action::Type),
        code => lookup(KEYS, code),
    }
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let tiles = app.visible_tiles();
    let columns = grid_columns(app.size.0);
    let filtering = !app.filter.is_empty();
    match action_of(&key) {
        Some(Action::ClearFilter) if filtering => {
            app.filter.clear();
            app.selected = 0;
        }
        Some(Action::Move) => match key.code {
            KeyCode::Left => app.selected = app.selected.saturating_sub(1),
            KeyCode::Right => app.selected = (app.selected + 1).min(tiles.len().saturating_sub(1)),
            KeyCode::Up => app.selected = app.selected.saturating_sub(columns),
            KeyCode::Down => {
                app.selected = (app.selected + columns).min(tiles.len().saturating_sub(1))
            }
            KeyCode::Home => app.selected = 0,
            _ => app.selected = tiles.len().saturating_sub(1),
        },
        Some(Action::Open) => {
            if let Some(tile) = tiles.get(app.selected).copied() {
                return open_tile(app, tile);
            }
        }
        Some(Action::Pick) => {
            if let KeyCode::Char(c) = key.code {
                let first = first_shown(app.selected, columns, grid_height(app.size.1));
                let n = first + (c as usize - '1' as usize);
                if let Some(tile) = tiles.get(n).copied() {
                    app.selected = n;
                    return open_tile(app, tile);
                }
            }
            app.dirty = false;
        }
        Some(Action::Journal) => return app.open_journal(),
        Some(Action::Drawer) => return app.open_drawer(),
        Some(Action::Stats) => return app.open_stats(),
        Some(Action::Country) => switch_country(app),
        Some(Action::Close) => return super::close::open(app),
        Some(Action::Quit) => return super::ask::quit(app),
        // F1 is taken before (`app::on_key`), as on every screen.
        Some(Action::Help) => app.help = true,
        Some(Action::Type) => match key.code {
            KeyCode::Backspace if filtering => {
                app.filter.pop();
                app.selected = 0;
            }
            KeyCode::Char(c)
                if key.modifiers.difference(KeyModifiers::SHIFT).is_empty()
                    && (c.is_alphabetic() || (filtering && matches!(c, ' ' | '\'' | '-'))) =>
            {
                app.filter.push(c);
                app.selected = 0;
            }
            _ => app.dirty = false,
        },
        _ => app.dirty = false,
    }
    vec![]
}

fn switch_country(app: &mut App) {
    app.country = match app.country {
        Country::Senegal => Country::CoteDIvoire,
        Country::CoteDIvoire => Country::Senegal,
    };
    app.selected = 0;
}

/// Opens the screen a tile leads to.
pub fn open_tile(app: &mut App, tile: Tile) -> Vec<Effect> {
    if tile.group == Group::MoneyGram {
        app.screen = Screen::MoneyGram(MoneyGramState::new(tile));
        return vec![];
    }
    if tile.group == Group::Factures {
        app.screen = Screen::Bills(BillsState {
            tile,
            account: Input::default(),
            stage: BillsStage::Account,
        });
        return vec![];
    }
    let specs = rules::fields_for(tile.code);
    let fields = specs
        .into_iter()
        .map(|spec| Field {
            spec,
            // A cash-out's use starts at its default, « retrait d'espèces ».
            input: if spec.kind == rules::FieldKind::CashOutUse {
                Input::new(
                    crate::domain::drawer::CashOutUse::default()
                        .as_str()
                        .to_owned(),
                )
            } else {
                Input::default()
            },
            locked: false,
        })
        .collect();
    app.screen = Screen::Entry(EntryState {
        tile,
        fields,
        focus: 0,
        errors: BTreeMap::new(),
        confirming: false,
    });
    vec![]
}

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let [top, grid] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let tiles = app.visible_tiles();
    let prompt = if app.filter.is_empty() {
        Line::from(vec![
            Span::styled(
                theme.tr(" Que veut le client ? ", " What does the customer want? "),
                theme.title(),
            ),
            Span::styled(
                theme.tr(
                    " tapez pour filtrer (wave, facture, crédit…)",
                    " type to filter (wave, bill, airtime…)",
                ),
                theme.dim(),
            ),
        ])
    } else {
        Line::from(vec![
            Span::styled(theme.tr(" Filtre : ", " Filter: "), theme.title()),
            Span::raw(app.filter.clone()),
            Span::styled(
                format!(
                    "  ({} service(s), {})",
                    tiles.len(),
                    theme.tr("Échap pour effacer", "Esc to clear")
                ),
                theme.dim(),
            ),
        ])
    };
    Paragraph::new(prompt).render(top, buf);
    if tiles.is_empty() {
        Paragraph::new(Line::from(Span::styled(
            theme.tr("Aucun service ne correspond.", "No service matches."),
            theme.warn(),
        )))
        .alignment(Alignment::Center)
        .render(grid, buf);
        return;
    }
    let columns = grid_columns(grid.width);
    let rows_visible = usize::from((grid.height / TILE_HEIGHT).max(1));
    let first = first_shown(app.selected, columns, grid.height);
    let first_row = first / columns;
    for (i, tile) in tiles
        .iter()
        .enumerate()
        .skip(first)
        .take(rows_visible * columns)
    {
        let r = (i / columns - first_row) as u16;
        let c = (i % columns) as u16;
        let rect = Rect {
            x: grid.x + c * TILE_WIDTH,
            y: grid.y + r * TILE_HEIGHT,
            width: TILE_WIDTH,
            height: TILE_HEIGHT,
        }
        .intersection(grid);
        if rect.height < 3 {
            continue;
        }
        let selected = i == app.selected;
        // The number picks it (1-9, as the footer says), filtered or not.
        let number = if i - first < 9 {
            format!("{} ", i - first + 1)
        } else {
            String::new()
        };
        let block = Block::bordered()
            .title(Line::from(format!(
                "{number}{}",
                tile.group.short_in(theme.lang)
            )))
            .border_style(if selected {
                theme.selected()
            } else {
                theme.dim()
            });
        let inner = block.inner(rect);
        block.render(rect, buf);
        let [icon, label] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
        let icon_area = Rect {
            x: icon.x + icon.width.saturating_sub(12) / 2,
            width: icon.width.min(12),
            ..icon
        };
        IconView {
            stem: tile.icon,
            mode: theme.mode,
        }
        .render(icon_area, buf);
        let name: String = tile.name.chars().take(usize::from(inner.width)).collect();
        let style = if selected {
            theme.selected()
        } else {
            Style::default()
        };
        Paragraph::new(Line::from(Span::styled(name, style)))
            .alignment(Alignment::Center)
            .render(label, buf);
    }
}
