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
use super::keys::{Binding, hidden, lookup, shown, typing};
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

/// What a key does on the home screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Help,
    Move,
    Pick,
    Open,
    Journal,
    Country,
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

/// The help, on this screen: F1 (taken by `app::on_key` on every screen) or h.
pub const HELP: &[Binding<Action>] = &[shown(
    &[KeyCode::F(1), KeyCode::Char('h'), KeyCode::Char('?')],
    Action::Help,
    ("F1 h", "aide"),
    ("F1 h", "help"),
)];

/// The home screen's keys. While a filter is typed, characters go to it (`key`).
pub const KEYS: &[Binding<Action>] = &[
    // Shown by `HELP` ("F1 h"), first on this screen.
    hidden(&[KeyCode::Char('h'), KeyCode::Char('?')], Action::Help),
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
        ("flèches 1-9", "choisir"),
        ("arrows 1-9", "choose"),
    ),
    // Shown with the arrows ("1-9").
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
        ("F3 j", "journal"),
        ("F3 j", "journal"),
    ),
    shown(
        &[KeyCode::F(4), KeyCode::Char('p')],
        Action::Country,
        ("F4 p", "pays"),
        ("F4 p", "country"),
    ),
    shown(
        &[KeyCode::F(10), KeyCode::Char('q')],
        Action::Quit,
        ("F10 q", "quitter"),
        ("F10 q", "quit"),
    ),
    // Said by the filter's line ("Échap pour effacer").
    hidden(&[KeyCode::Esc], Action::ClearFilter),
    // The filter: letters, digits, spaces; Backspace.
    typing(Action::Type),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let tiles = app.visible_tiles();
    let columns = grid_columns(app.size.0);
    let filtering = !app.filter.is_empty();
    let action = match key.code {
        // While a filter is typed, every character goes to it.
        KeyCode::Char(_) if filtering => Some(Action::Type),
        code => lookup(KEYS, code),
    };
    match action {
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
                let n = c as usize - '1' as usize;
                if let Some(tile) = tiles.get(n).copied() {
                    app.selected = n;
                    return open_tile(app, tile);
                }
            }
        }
        Some(Action::Journal) => return super::journal::open(app),
        Some(Action::Country) => switch_country(app),
        Some(Action::Quit) => return super::ask::quit(app),
        // F1 is taken before (`app::on_key`), as on every screen.
        Some(Action::Help) => app.help = true,
        Some(Action::Type) => match key.code {
            KeyCode::Backspace => {
                app.filter.pop();
                app.selected = 0;
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && (c.is_alphanumeric() || c == ' ' || c == '/') =>
            {
                if c != '/' {
                    app.filter.push(c);
                }
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
            input: Input::default(),
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
    const TILE_HEIGHT: u16 = 7;
    let rows_visible = usize::from((grid.height / TILE_HEIGHT).max(1));
    let selected_row = app.selected / columns;
    let first_row = selected_row.saturating_sub(rows_visible - 1);
    for (i, tile) in tiles
        .iter()
        .enumerate()
        .skip(first_row * columns)
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
        let number = if i < 9 && app.filter.is_empty() {
            format!("{} ", i + 1)
        } else {
            String::new()
        };
        let block = Block::bordered()
            .title(Line::from(format!(
                "{number}{}",
                tile.group.label_in(theme.lang)
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
