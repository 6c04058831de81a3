//! Drawing the MoneyGram screen (a payout's reference and identity form, a send's parties
//! and quote) and a send's reversal form over the journal. Long forms scroll so that the
//! focused field is always in view, at 80×24 too.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::{MgForm, MgStage, MoneyGramState, Part};
use crate::domain::moneygram::{PayoutLookup, Quote};
use crate::i18n::Lang;
use crate::money::fcfa;
use crate::tui::theme::Theme;

/// Labels are padded to this many columns.
const LABEL: usize = 34;

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

fn pair(label: &str, value: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label:<28}"), theme.dim()),
        Span::styled(value, bold()),
    ])
}

/// The transfer as a look-up found it.
fn transfer_lines(found: &PayoutLookup, theme: Theme) -> Vec<Line<'static>> {
    let status = match found.transaction_status.as_deref() {
        Some("AVAIL") => theme.tr("disponible", "available").to_owned(),
        Some("RECVD") => theme.tr("déjà payé", "already paid").to_owned(),
        Some(other) => other.to_owned(),
        None => "-".to_owned(),
    };
    let receiver = format!("{} {}", found.receiver_first_name, found.receiver_last_name);
    vec![
        pair(
            theme.tr("Expéditeur", "Sender"),
            found.sender_name.clone(),
            theme,
        ),
        pair(
            theme.tr("Bénéficiaire", "Receiver"),
            receiver.trim().to_owned(),
            theme,
        ),
        pair(
            theme.tr("Montant à remettre", "Amount to pay out"),
            found.agent_check_amount.map_or_else(|| "-".into(), fcfa),
            theme,
        ),
        pair(theme.tr("Statut", "Status"), status, theme),
    ]
}

/// One row of a scrolling form: a section's title, or a field.
enum Row {
    Title(&'static str),
    Field(usize),
}

fn rows(form: &MgForm, lang: Lang) -> Vec<Row> {
    let mut out = Vec::new();
    let mut part = None;
    for (i, input) in form.inputs.iter().enumerate() {
        if part != Some(input.part) {
            part = Some(input.part);
            match input.part {
                Part::Sender => out.push(Row::Title(lang.tr(
                    "Expéditeur (le client au guichet, pièce en main)",
                    "Sender (the customer at the counter, ID in hand)",
                ))),
                Part::Receiver => out.push(Row::Title(lang.tr("Bénéficiaire", "Receiver"))),
                Part::Amount | Part::Identity => {}
            }
        }
        out.push(Row::Field(i));
    }
    out
}

/// The form's rows that fit in `height` lines, the focused one among them, with a line
/// saying how many are above or below when they do not all fit.
fn form_lines(form: &MgForm, height: usize, theme: Theme) -> Vec<Line<'static>> {
    let all = rows(form, theme.lang);
    let focused = all
        .iter()
        .position(|r| matches!(r, Row::Field(i) if *i == form.focus))
        .unwrap_or(0);
    let (start, end) = if all.len() <= height {
        (0, all.len())
    } else {
        // Two lines for the markers; the focus kept near the middle.
        let window = height.saturating_sub(2).max(1);
        let start = focused.saturating_sub(window / 2).min(all.len() - window);
        (start, start + window)
    };
    let mut lines = Vec::new();
    let clipped = all.len() > height;
    if clipped {
        lines.push(Line::from(Span::styled(
            if start > 0 {
                format!("  ↑ {start} {}", theme.tr("de plus", "more"))
            } else {
                String::new()
            },
            theme.dim(),
        )));
    }
    for row in &all[start..end] {
        lines.push(match row {
            Row::Title(t) => Line::from(Span::styled(format!("  {t}"), theme.title())),
            Row::Field(i) => {
                let input = &form.inputs[*i];
                let focused = *i == form.focus;
                let label: String = input.field.label(theme.lang).chars().take(LABEL).collect();
                let mut spans = vec![
                    Span::raw(if focused { "▶ " } else { "  " }),
                    Span::styled(format!("{label:<LABEL$}"), theme.title()),
                    Span::styled(
                        format!(" {} ", input.shown(theme.lang)),
                        if focused {
                            theme.selected()
                        } else {
                            Style::default()
                        },
                    ),
                ];
                if form.errors.contains_key(input.field.name) {
                    spans.push(Span::styled("✗", theme.error()));
                }
                Line::from(spans)
            }
        });
    }
    if clipped {
        let below = all.len() - end;
        lines.push(Line::from(Span::styled(
            if below > 0 {
                format!("  ↓ {below} {}", theme.tr("de plus", "more"))
            } else {
                String::new()
            },
            theme.dim(),
        )));
    }
    lines
}

/// The error to show under a form: the focused field's, else the first one, else the
/// screen's.
fn form_error(form: &MgForm, screen: Option<&String>) -> Option<String> {
    let focused = form.inputs.get(form.focus).map(|i| i.field.name);
    focused
        .and_then(|name| form.errors.get(name))
        .or_else(|| form.errors.values().next())
        .or(screen)
        .cloned()
}

fn keys_line(pairs: &[(&'static str, &'static str)], theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, what) in pairs {
        spans.push(Span::styled(format!(" {k} "), theme.key()));
        spans.push(Span::raw(format!(" {what}    ")));
    }
    Line::from(spans)
}

pub fn draw(buf: &mut Buffer, area: Rect, m: &MoneyGramState, theme: Theme) {
    let block = Block::bordered().title(Span::styled(
        format!(" MoneyGram — {} ", m.tile.name),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, buf);
    let height = usize::from(inner.height);
    let mut lines: Vec<Line> = Vec::new();
    match &m.stage {
        MgStage::Reference { input, found } => {
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Paiement d'un transfert : son numéro de référence, puis la pièce \
                     d'identité du bénéficiaire.",
                    "Paying a transfer out: its reference number, then the receiver's ID.",
                ),
                theme.dim(),
            )));
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::raw("▶ "),
                Span::styled(
                    format!(
                        "{:<LABEL$}",
                        theme.tr(
                            "Numéro de référence (8 chiffres)",
                            "Reference number (8 digits)"
                        )
                    ),
                    theme.title(),
                ),
                Span::styled(format!(" {} ", input.value()), theme.selected()),
            ]));
            lines.push(Line::default());
            if m.loading {
                lines.push(Line::from(Span::styled(
                    theme.tr("Consultation de MoneyGram…", "Asking MoneyGram…"),
                    theme.warn(),
                )));
            }
            if let Some(found) = found {
                lines.extend(transfer_lines(found, theme));
                lines.push(Line::default());
            }
            if let Some(e) = &m.error {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
        }
        MgStage::Identity {
            found,
            form,
            confirming: false,
        } => {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {} · {} → {} {} · {} {}",
                    theme.tr("Réf.", "Ref."),
                    found.reference,
                    found.sender_name,
                    found.receiver_first_name,
                    found.receiver_last_name,
                    theme.tr("à remettre", "to pay out"),
                    found.agent_check_amount.map_or_else(|| "-".into(), fcfa),
                ),
                bold(),
            )));
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Identité du bénéficiaire, pièce en main (←→ pour les listes) :",
                    "The receiver's identity, ID in hand (←→ for the lists):",
                ),
                theme.dim(),
            )));
            lines.extend(form_lines(form, height.saturating_sub(3), theme));
            if let Some(e) = form_error(form, m.error.as_ref()) {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
        }
        MgStage::Identity {
            found,
            form,
            confirming: true,
        } => {
            let v = |name: &str| {
                form.inputs
                    .iter()
                    .find(|i| i.field.name == name)
                    .map(|i| i.shown(theme.lang))
                    .unwrap_or_default()
                    .trim_matches(['‹', '›', ' '])
                    .to_owned()
            };
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Vérifiez avec le bénéficiaire avant de payer :",
                    "Check with the receiver before paying out:",
                ),
                theme.title(),
            )));
            lines.push(Line::default());
            lines.push(pair(
                theme.tr("Montant à remettre", "Amount to pay out"),
                found.agent_check_amount.map_or_else(|| "-".into(), fcfa),
                theme,
            ));
            lines.push(pair(
                theme.tr("Référence", "Reference"),
                found.reference.clone(),
                theme,
            ));
            lines.push(pair(
                theme.tr("Expéditeur", "Sender"),
                found.sender_name.clone(),
                theme,
            ));
            lines.push(pair(
                theme.tr("Bénéficiaire", "Receiver"),
                format!("{} {}", v("receiverFirstName"), v("receiverLastName")),
                theme,
            ));
            lines.push(pair(
                theme.tr("Pièce", "ID"),
                format!(
                    "{} {} ({})",
                    v("receiverPhotoIdType"),
                    v("receiverPhotoIdNumber"),
                    v("receiverPhotoIdCountry")
                ),
                theme,
            ));
            lines.push(pair(
                theme.tr("Date de naissance", "Date of birth"),
                v("receiverDOB"),
                theme,
            ));
            lines.push(pair(
                theme.tr("Téléphone", "Phone"),
                v("receiverPhone"),
                theme,
            ));
            lines.push(pair(
                theme.tr("Adresse", "Address"),
                format!(
                    "{}, {} ({})",
                    v("receiverAddress"),
                    v("receiverCity"),
                    v("receiverCountry")
                ),
                theme,
            ));
            lines.push(Line::default());
            lines.push(keys_line(
                &[
                    (theme.tr("Entrée", "Enter"), theme.tr("payer", "pay out")),
                    (theme.tr("Échap", "Esc"), theme.tr("modifier", "edit")),
                ],
                theme,
            ));
        }
        MgStage::Parties { form } => {
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Envoi : montant, expéditeur et bénéficiaire ; F10 calcule les frais.",
                    "Send: amount, sender and receiver; F10 quotes the fees.",
                ),
                theme.dim(),
            )));
            let reserved = if m.loading { 3 } else { 2 };
            lines.extend(form_lines(form, height.saturating_sub(reserved), theme));
            if m.loading {
                lines.push(Line::from(Span::styled(
                    theme.tr("Calcul des frais par MoneyGram…", "MoneyGram is quoting…"),
                    theme.warn(),
                )));
            }
            if let Some(e) = form_error(form, m.error.as_ref()) {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
        }
        MgStage::Quoted { form, quote } => lines.extend(quote_lines(form, quote, theme)),
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn quote_lines(form: &MgForm, quote: &Quote, theme: Theme) -> Vec<Line<'static>> {
    let sender = form.values(Part::Sender);
    let receiver = form.values(Part::Receiver);
    let get = |m: &std::collections::BTreeMap<String, String>, k: &str| {
        m.get(k).cloned().unwrap_or_default()
    };
    let mut lines = vec![
        Line::from(Span::styled(
            theme.tr(
                "Frais MoneyGram de cet envoi :",
                "MoneyGram's fees for this send:",
            ),
            theme.title(),
        )),
        Line::default(),
    ];
    for (i, (label, value)) in quote.lines(theme.lang).into_iter().enumerate() {
        let line = pair(&label, value, theme);
        lines.push(if i == 2 { line.style(theme.ok()) } else { line });
    }
    lines.push(Line::default());
    lines.push(pair(
        theme.tr("De", "From"),
        format!(
            "{} {} ({})",
            get(&sender, "senderFirstName"),
            get(&sender, "senderLastName"),
            get(&sender, "senderPhoneNumber")
        ),
        theme,
    ));
    lines.push(pair(
        theme.tr("À", "To"),
        format!(
            "{} {}, {} ({})",
            get(&receiver, "receiverFirstName"),
            get(&receiver, "receiverLastName"),
            get(&receiver, "receiverCity"),
            get(&receiver, "receiveCountry")
        ),
        theme,
    ));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        match theme.lang {
            Lang::Fr => format!(
                "Encaissez {} auprès du client, puis Entrée pour envoyer.",
                fcfa(quote.total_amount_to_collect)
            ),
            Lang::En => format!(
                "Collect {} from the customer, then Enter to send.",
                fcfa(quote.total_amount_to_collect)
            ),
        },
        theme.warn(),
    )));
    lines.push(keys_line(
        &[
            (theme.tr("Entrée", "Enter"), theme.tr("envoyer", "send")),
            (theme.tr("Échap", "Esc"), theme.tr("modifier", "edit")),
        ],
        theme,
    ));
    lines
}
