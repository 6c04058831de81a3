//! Today's journal: the list (searched, filtered by status), a row's detail and history,
//! and what can be done about it: re-check, claim, refund, a MoneyGram send's reversal.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::moneygram::reversal::{self, ReversalForm, ReversalKey};
use super::{App, Screen};
use crate::domain::moneygram as mg;
use crate::domain::{OpKind, TxStatus};
use crate::i18n::Lang;
use crate::money::fcfa;
use crate::session::view::{HistoryLine, Operation};
use crate::staff::clock_time;
use crate::tui::catalog;
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::{capitalize, field_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    Success,
    Failed,
    Open,
}

impl StatusFilter {
    pub fn label_in(self, lang: Lang) -> &'static str {
        match self {
            StatusFilter::All => lang.tr("tous", "all"),
            StatusFilter::Success => lang.tr("réussis", "paid"),
            StatusFilter::Failed => lang.tr("échoués", "failed"),
            StatusFilter::Open => lang.tr("en cours", "open"),
        }
    }

    pub fn next(self) -> Self {
        match self {
            StatusFilter::All => StatusFilter::Success,
            StatusFilter::Success => StatusFilter::Failed,
            StatusFilter::Failed => StatusFilter::Open,
            StatusFilter::Open => StatusFilter::All,
        }
    }
    pub fn accepts(self, s: TxStatus) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Success => s == TxStatus::Success,
            StatusFilter::Failed => s.is_final() && s != TxStatus::Success,
            StatusFilter::Open => !s.is_final(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClaimForm {
    pub subject: Input,
    pub message: Input,
    pub focus: usize,
}

#[derive(Debug, Clone)]
pub struct JournalState {
    pub rows: Vec<Operation>,
    pub filter: Input,
    pub editing_filter: bool,
    pub status: StatusFilter,
    pub selected: usize,
    /// The detail of one row and its history.
    pub detail: Option<(String, Vec<HistoryLine>)>,
    pub claim: Option<ClaimForm>,
    /// A MoneyGram send's reversal being asked (its reason).
    pub reversal: Option<ReversalForm>,
    pub notice: Option<Notice>,
}

/// A short message on a screen, and how it reads: done, not sure, or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    /// Money may have moved: never drawn as a failure.
    Unsure(String),
    Failed(String),
}

impl JournalState {
    pub fn visible(&self) -> Vec<&Operation> {
        let words = catalog::fold(self.filter.value());
        self.rows
            .iter()
            .filter(|r| self.status.accepts(r.status))
            .filter(|r| {
                words.is_empty()
                    || catalog::fold(&format!(
                        "{} {} {} {}",
                        r.service,
                        r.phone.as_deref().unwrap_or(""),
                        r.amount.unwrap_or(0),
                        r.external_id
                    ))
                    .contains(&words)
            })
            .collect()
    }
}

/// Opens the journal (its rows are loaded).
pub fn open(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Journal(JournalState {
        rows: Vec::new(),
        filter: Input::default(),
        editing_filter: false,
        status: StatusFilter::All,
        selected: 0,
        detail: None,
        claim: None,
        reversal: None,
        notice: None,
    });
    vec![Effect::LoadJournal]
}

fn review_claim_subject(lang: Lang) -> String {
    lang.tr("Opération à vérifier", "Operation to be checked")
        .into()
}

/// The claim of an operation under review, with its references filled in.
pub fn review_claim_message(lang: Lang, r: &Operation) -> String {
    let amount = r
        .amount
        .map(crate::money::fcfa)
        .unwrap_or_else(|| "-".into());
    let intech = r.gateway_tx_id.as_deref().unwrap_or("-");
    let reason = r.error_message.as_deref().unwrap_or_default();
    match lang {
        Lang::Fr => format!(
            "Merci d'indiquer le statut de l'opération externalTransactionId {} (transaction \
             Intech {intech}), service {}, montant {amount}. Notre caisse ne peut pas lire \
             son statut : {reason}",
            r.external_id, r.service
        ),
        Lang::En => format!(
            "Please tell us the status of the operation externalTransactionId {} (Intech \
             transaction {intech}), service {}, amount {amount}. Our till cannot read its \
             status: {reason}",
            r.external_id, r.service
        ),
    }
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let cashier = app.gate.cashier.as_ref().map(|c| c.name.clone());
    let Screen::Journal(j) = &mut app.screen else {
        return vec![];
    };
    if let Some(form) = &mut j.reversal {
        return match reversal::key(form, key, app_lang) {
            ReversalKey::Cancel => {
                j.reversal = None;
                vec![]
            }
            ReversalKey::Refused(m) => {
                j.notice = Some(Notice::Failed(m));
                vec![]
            }
            ReversalKey::Send(reversal) => match &j.detail {
                Some((id, _)) => {
                    let external_id = id.clone();
                    j.reversal = None;
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr(
                                "Annulation MoneyGram demandée…",
                                "MoneyGram reversal requested…",
                            )
                            .into(),
                    ));
                    vec![Effect::MoneyGramReversal {
                        external_id,
                        reversal,
                    }]
                }
                None => vec![],
            },
            ReversalKey::Done => vec![],
        };
    }
    if let Some(claim) = &mut j.claim {
        match key.code {
            KeyCode::Esc => j.claim = None,
            KeyCode::Tab | KeyCode::Down | KeyCode::Up | KeyCode::BackTab => {
                claim.focus = 1 - claim.focus
            }
            KeyCode::Enter if claim.focus == 0 => claim.focus = 1,
            KeyCode::Enter | KeyCode::F(10) => {
                let subject = claim.subject.value().trim().to_owned();
                let message = claim.message.value().trim().to_owned();
                if subject.is_empty() || message.is_empty() {
                    j.notice = Some(Notice::Failed(
                        app_lang
                            .tr(
                                "Sujet et message sont obligatoires.",
                                "Subject and message are required.",
                            )
                            .into(),
                    ));
                    return vec![];
                }
                let Some((id, _)) = &j.detail else {
                    return vec![];
                };
                let id = id.clone();
                j.claim = None;
                j.notice = Some(Notice::Done(
                    app_lang.tr("Réclamation envoyée…", "Claim sent…").into(),
                ));
                return vec![Effect::Claim {
                    external_id: id,
                    subject,
                    message,
                }];
            }
            _ => {
                let input = if claim.focus == 0 {
                    &mut claim.subject
                } else {
                    &mut claim.message
                };
                input.handle_event(&crossterm::event::Event::Key(key));
            }
        }
        return vec![];
    }
    if j.editing_filter {
        match key.code {
            KeyCode::Esc => {
                j.filter = Input::default();
                j.editing_filter = false;
            }
            KeyCode::Enter => j.editing_filter = false,
            _ => {
                j.filter.handle_event(&crossterm::event::Event::Key(key));
                j.selected = 0;
            }
        }
        return vec![];
    }
    let visible: Vec<Operation> = j.visible().into_iter().cloned().collect();
    if let Some((id, _)) = j.detail.clone() {
        let row = visible
            .iter()
            .chain(j.rows.iter())
            .find(|r| r.external_id == id)
            .cloned();
        return match key.code {
            KeyCode::Esc => {
                j.detail = None;
                vec![]
            }
            KeyCode::Char('v') | KeyCode::F(5) => match row {
                Some(r) if !r.status.is_final() => {
                    j.notice = Some(Notice::Done(
                        app_lang.tr("Vérification demandée…", "Checking…").into(),
                    ));
                    vec![Effect::Refresh(r.external_id)]
                }
                _ => vec![],
            },
            KeyCode::Char('c') | KeyCode::F(6) => match row {
                Some(r)
                    if r.status == TxStatus::Review
                        && r.gateway == crate::domain::GatewayKind::Intech =>
                {
                    // The next step for an operation nobody can settle: a claim with
                    // everything Intech needs to find it, written out already.
                    j.claim = Some(ClaimForm {
                        subject: Input::new(review_claim_subject(app_lang)),
                        message: Input::new(review_claim_message(app_lang, &r)),
                        focus: 1,
                    });
                    vec![]
                }
                Some(r)
                    if r.gateway == crate::domain::GatewayKind::Intech
                        && r.gateway_tx_id.is_some() =>
                {
                    j.claim = Some(ClaimForm {
                        subject: Input::default(),
                        message: Input::default(),
                        focus: 0,
                    });
                    vec![]
                }
                _ => {
                    j.notice = Some(Notice::Failed(app_lang.tr("Réclamation impossible : la passerelle n'a pas enregistré cette opération.", "No claim possible: the gateway never recorded this operation.").into()));
                    vec![]
                }
            },
            KeyCode::Char('r') | KeyCode::F(8) => match row {
                // A MoneyGram send is reversed with its reason: the form asks it.
                Some(r) if r.refundable() && r.service == mg::SEND => {
                    j.reversal = Some(ReversalForm::new(cashier.as_deref()));
                    vec![]
                }
                Some(r) if r.refundable() => {
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr("Remboursement demandé…", "Refund requested…")
                            .into(),
                    ));
                    vec![Effect::Refund(r.external_id)]
                }
                _ => {
                    j.notice = Some(Notice::Failed(
                        crate::domain::refund::not_refundable(app_lang).into(),
                    ));
                    vec![]
                }
            },
            _ => {
                app.dirty = false;
                vec![]
            }
        };
    }
    match key.code {
        KeyCode::Esc => app.screen = Screen::Catalogue,
        KeyCode::Up => j.selected = j.selected.saturating_sub(1),
        KeyCode::Down => j.selected = (j.selected + 1).min(visible.len().saturating_sub(1)),
        KeyCode::Char('/') | KeyCode::F(7) => j.editing_filter = true,
        KeyCode::Char('s') | KeyCode::F(6) => {
            j.status = j.status.next();
            j.selected = 0;
        }
        KeyCode::Enter => {
            if let Some(r) = visible.get(j.selected) {
                j.detail = Some((r.external_id.clone(), Vec::new()));
                return vec![Effect::LoadEvents(r.external_id.clone())];
            }
        }
        _ => app.dirty = false,
    }
    vec![]
}

/// A notice in the colour of what it says: done, not sure (money may have moved), failed.
fn notice_line(notice: &Notice, theme: Theme) -> Line<'static> {
    match notice {
        Notice::Done(m) => Line::from(Span::styled(m.clone(), theme.ok())),
        Notice::Unsure(m) => Line::from(Span::styled(format!("⚠ {m}"), theme.warn())),
        Notice::Failed(m) => Line::from(Span::styled(m.clone(), theme.error())),
    }
}

fn status_style(s: TxStatus, theme: Theme) -> Style {
    match s {
        TxStatus::Success => theme.ok(),
        s if s.is_final() => theme.error(),
        _ => theme.warn(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, _app: &App, j: &JournalState, theme: Theme) {
    let buf = frame.buffer_mut();
    let visible = j.visible();
    let title = format!(
        " {} — {} {}, {} {} ",
        theme.tr("Journal du jour", "Today's journal"),
        visible.len(),
        theme.tr("opération(s)", "operation(s)"),
        theme.tr("statut :", "status:"),
        j.status.label_in(theme.lang)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let filter_line = Line::from(vec![
        Span::styled(theme.tr(" Recherche : ", " Search: "), theme.dim()),
        Span::styled(
            j.filter.value().to_owned(),
            if j.editing_filter {
                theme.selected()
            } else {
                Style::default()
            },
        ),
    ]);
    Paragraph::new(filter_line).render(filter, buf);
    if let Some((id, events)) = &j.detail {
        let row = j.rows.iter().find(|r| &r.external_id == id);
        let mut lines = Vec::new();
        if let Some(r) = row {
            lines.push(Line::from(Span::styled(
                format!(
                    "{}  {}  {}",
                    r.service,
                    r.phone.as_deref().unwrap_or("-"),
                    r.amount.map(fcfa).unwrap_or_default()
                ),
                theme.title(),
            )));
            lines.push(Line::from(vec![
                Span::styled(theme.tr("Statut : ", "Status: "), theme.dim()),
                Span::styled(
                    capitalize(theme.lang.status(r.status)),
                    status_style(r.status, theme),
                ),
            ]));
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}  ·  {} {}",
                    theme.tr("Opération", "Operation"),
                    r.external_id,
                    theme.tr("réf. passerelle", "gateway ref."),
                    r.gateway_tx_id.as_deref().unwrap_or("-")
                ),
                theme.dim(),
            )));
            if let Some(m) = &r.error_message {
                lines.push(Line::from(m.clone()));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            theme.tr("Historique", "History"),
            theme.title(),
        )));
        for e in events {
            let after = e.detail.get("after").and_then(|v| v.as_str()).unwrap_or("");
            lines.push(Line::from(format!(
                "  {}  {:<16} {}",
                clock_time(e.at),
                e.kind,
                after
            )));
        }
        if let Some(claim) = &j.claim {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                theme.tr("Réclamation", "Claim"),
                theme.title(),
            )));
            lines.push(field_line(
                theme.tr("Sujet", "Subject"),
                claim.subject.value().to_owned(),
                claim.focus == 0,
                false,
                theme,
            ));
            lines.push(field_line(
                "Message",
                claim.message.value().to_owned(),
                claim.focus == 1,
                false,
                theme,
            ));
        }
        if let Some(n) = &j.notice {
            lines.push(Line::default());
            lines.push(notice_line(n, theme));
        }
        Clear.render(list, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(list, buf);
        if let Some(form) = &j.reversal {
            reversal::draw(buf, list, form, theme);
        }
        return;
    }
    let mut lines = Vec::new();
    if visible.is_empty() {
        lines.push(Line::from(Span::styled(
            theme.tr("Aucune opération.", "No operation."),
            theme.dim(),
        )));
    }
    let height = usize::from(list.height.max(1));
    let first = j.selected.saturating_sub(height - 1);
    for (i, r) in visible.iter().enumerate().skip(first).take(height) {
        let style = if i == j.selected {
            theme.selected()
        } else {
            Style::default()
        };
        let what = match r.kind {
            OpKind::Refund => format!("{} {}", theme.tr("Rembt.", "Refund"), r.service),
            OpKind::Payment => r.service.clone(),
        };
        let text = format!(
            " {}  {:<28} {:<14} {:>14}  ",
            clock_time(r.created_at),
            what.chars().take(28).collect::<String>(),
            r.phone.as_deref().unwrap_or("-"),
            r.amount.map(fcfa).unwrap_or_default()
        );
        lines.push(Line::from(vec![
            Span::styled(text, style),
            Span::styled(theme.lang.status(r.status), status_style(r.status, theme)),
        ]));
    }
    Paragraph::new(Text::from(lines)).render(list, buf);
    if let Some(n) = &j.notice {
        let y = list.bottom().saturating_sub(1);
        let line = notice_line(n, theme);
        Paragraph::new(line).render(
            Rect {
                y,
                height: 1,
                ..list
            },
            buf,
        );
    }
}
