//! A question before what cannot be undone: leaving with sales pending, a refund, a sale
//! identical to one just sent. Drawn over the screen; only `o` (or `y`) says yes, `n` or
//! Échap says no. Enter answers nothing, on purpose: a double Enter, or a paste's newlines,
//! must never refund or send a second time.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget, Wrap};

use super::App;
use super::keys::{Binding, lookup, shown};
use crate::domain::TxStatus;
use crate::domain::duplicate;
use crate::i18n::Lang;
use crate::money::fcfa;
use crate::tui::message::Effect;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// Leave while sales are pending. `demo_link`: the demo's gateway runs in this process
    /// and stops with it, so the customer's payment link stops working.
    Quit { pending: usize, demo_link: bool },
    /// Refund this sale: what the customer gets back, shown before anything moves.
    Refund {
        external_id: String,
        service: String,
        phone: Option<String>,
        amount: Option<i64>,
    },
    /// The service refused the sale as identical to one still pending or just successful
    /// (`domain::duplicate`): send a second one?
    Duplicate { status: TxStatus, age_secs: i64 },
    /// Send this sale's receipt by WhatsApp: to whom, and what it costs the shop, shown
    /// before anything is sent.
    WhatsApp {
        sale: String,
        phone: String,
        cost: Option<i64>,
    },
    /// Close the cashier's drawer with this counted cash (recorded for good).
    CloseDrawer { cash: i64 },
    /// Seal the next Z report (the close of day): what it holds, shown before it joins the
    /// chain for good.
    SealZ {
        number: i64,
        operations: u64,
        net: i64,
        to_follow: usize,
        open_drawers: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
}

pub const KEYS: &[Binding<Answer>] = &[
    shown(
        &[
            KeyCode::Char('o'),
            KeyCode::Char('O'),
            KeyCode::Char('y'),
            KeyCode::Char('Y'),
        ],
        Answer::Yes,
        ("o", "oui"),
        ("y", "yes"),
    ),
    shown(
        &[KeyCode::Char('n'), KeyCode::Char('N'), KeyCode::Esc],
        Answer::No,
        ("n Échap", "non"),
        ("n Esc", "no"),
    ),
];

/// The answers to a second identical sale. Yes is `d` (deuxième vente), a key the summary
/// does not use: its `o` (or a held `o` repeating) must not answer a question the cashier
/// has not seen yet.
pub const DUPLICATE_KEYS: &[Binding<Answer>] = &[
    shown(
        &[KeyCode::Char('d'), KeyCode::Char('D')],
        Answer::Yes,
        ("d", "deuxième vente"),
        ("d", "second sale"),
    ),
    shown(
        &[KeyCode::Char('n'), KeyCode::Char('N'), KeyCode::Esc],
        Answer::No,
        ("n Échap", "non"),
        ("n Esc", "no"),
    ),
];

/// The answers `question` takes.
pub fn keys_of(question: &Question) -> &'static [Binding<Answer>] {
    match question {
        Question::Duplicate { .. } => DUPLICATE_KEYS,
        _ => KEYS,
    }
}

/// Quitting: at once when nothing is pending, else asked first.
pub fn quit(app: &mut App) -> Vec<Effect> {
    if app.pending == 0 {
        app.quit = true;
        return vec![Effect::Quit];
    }
    app.ask = Some(Question::Quit {
        pending: app.pending,
        demo_link: app.demo && app.local,
    });
    vec![]
}

/// A refund, asked with what it gives back.
pub fn refund(app: &mut App, row: &crate::session::view::Operation) {
    app.ask = Some(Question::Refund {
        external_id: row.external_id.clone(),
        service: service_label(&row.service),
        phone: row.phone.clone(),
        amount: row.amount,
    });
}

fn service_label(code: &str) -> String {
    crate::catalog::services::find(code)
        .map(|s| s.name.to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// A receipt by WhatsApp, asked with its cost (the service's answer to `AskWhatsApp`).
pub fn whatsapp(app: &mut App, quote: crate::engine::ReceiptMessage) {
    app.ask = Some(Question::WhatsApp {
        sale: quote.sale,
        phone: quote.phone,
        cost: quote.cost,
    });
}

/// A key while a question shows: its answer (the question is put away), or `None` for a
/// key that answers nothing. What an answer does is the dispatcher's (`app::answered`), so
/// that this module reaches no screen: every screen may ask.
pub fn key(app: &mut App, key: KeyEvent) -> Option<(Question, Answer)> {
    let question = app.ask.clone()?;
    let Some(answer) = lookup(keys_of(&question), key.code) else {
        app.dirty = false;
        return None;
    };
    app.ask = None;
    Some((question, answer))
}

/// The question's lines, in `lang`.
fn lines(question: &Question, lang: Lang) -> (String, Vec<String>) {
    let fr = lang == Lang::Fr;
    match question {
        Question::Quit { pending, demo_link } => {
            let mut lines = vec![if fr {
                format!("{pending} vente(s) encore en attente.")
            } else {
                format!("{pending} sale(s) still pending.")
            }];
            lines.push(if *demo_link {
                lang.tr(
                    "Mode démo : la passerelle de démonstration s'arrête avec l'application, \
                     le lien de paiement du client ne fonctionnera plus.",
                    "Demo mode: the demo gateway stops with the app, the customer's payment \
                     link will stop working.",
                )
                .to_owned()
            } else {
                lang.tr(
                    "Elles restent au journal et seront suivies jusqu'au bout (par le service, \
                     ou au prochain démarrage).",
                    "They stay in the journal and will be followed to the end (by the \
                     service, or at the next start).",
                )
                .to_owned()
            });
            (
                lang.tr("Quitter quand même ?", "Quit anyway?").to_owned(),
                lines,
            )
        }
        Question::Refund {
            service,
            phone,
            amount,
            ..
        } => {
            let amount = amount.map(fcfa).unwrap_or_else(|| "-".into());
            let phone = phone.clone().unwrap_or_else(|| "-".into());
            (
                lang.tr("Rembourser cette vente ?", "Refund this sale?")
                    .to_owned(),
                vec![
                    format!("{} {amount}", lang.tr("Montant :", "Amount:")),
                    format!("{} {phone}", lang.tr("Client :", "Customer:")),
                    format!("{} {service}", lang.tr("Service :", "Service:")),
                    lang.tr(
                        "L'argent repart vers le client : ce n'est pas réversible.",
                        "The money goes back to the customer: this cannot be undone.",
                    )
                    .to_owned(),
                ],
            )
        }
        Question::WhatsApp { phone, cost, .. } => {
            let cost = match cost {
                Some(fee) => fcfa(*fee),
                None => lang
                    .tr(
                        "inconnu (fixé par Intech à l'envoi)",
                        "unknown (set by Intech when sent)",
                    )
                    .to_owned(),
            };
            (
                lang.tr(
                    "Envoyer le reçu par WhatsApp ?",
                    "Send the receipt by WhatsApp?",
                )
                .to_owned(),
                vec![
                    format!("{} {phone}", lang.tr("Au :", "To:")),
                    format!(
                        "{} {cost}",
                        lang.tr("Coût pour la boutique :", "Cost to the shop:")
                    ),
                    lang.tr(
                        "Le client ne paie rien ; le message reprend le reçu, numéro masqué.",
                        "The customer pays nothing; the message is the receipt, number masked.",
                    )
                    .to_owned(),
                ],
            )
        }
        Question::CloseDrawer { cash } => (
            lang.tr("Fermer le tiroir ?", "Close the drawer?")
                .to_owned(),
            vec![
                format!(
                    "{} {}",
                    lang.tr("Espèces comptées :", "Cash counted:"),
                    fcfa(*cash)
                ),
                lang.tr(
                    "Le solde de la passerelle est lu maintenant ; les écarts sont enregistrés \
                     et le tiroir ne se rouvre pas.",
                    "The gateway balance is read now; the differences are recorded and the \
                     drawer does not reopen.",
                )
                .to_owned(),
            ],
        ),
        Question::SealZ {
            number,
            operations,
            net,
            to_follow,
            open_drawers,
        } => seal_z_lines(
            (*number, *operations, *net, *to_follow, *open_drawers),
            lang,
        ),
        Question::Duplicate { status, age_secs } => (
            lang.tr("Envoyer une deuxième fois ?", "Send it a second time?")
                .to_owned(),
            vec![
                duplicate::text(*status, *age_secs, lang),
                lang.tr(
                    "d : c'est bien une deuxième vente ; n : revenir au formulaire.",
                    "d: this really is a second sale; n: back to the form.",
                )
                .to_owned(),
            ],
        ),
    }
}

/// The question, over the middle of `area`.
pub fn draw(buf: &mut Buffer, area: Rect, question: &Question, theme: Theme) {
    let (title, body) = lines(question, theme.lang);
    let width = area.width.saturating_sub(4).clamp(20, 64);
    let mut text: Vec<Line> = body.into_iter().map(Line::from).collect();
    text.push(Line::default());
    let keys = keys_of(question)
        .iter()
        .filter_map(|b| b.label)
        .map(|l| if theme.lang == Lang::Fr { l.fr } else { l.en });
    let mut spans = Vec::new();
    for (k, label) in keys {
        spans.push(Span::styled(format!(" {k} "), theme.key()));
        spans.push(Span::raw(format!(" {label}   ")));
    }
    text.push(Line::from(spans));
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.title()));
    let paragraph = Paragraph::new(text).wrap(Wrap { trim: true }).block(block);
    // As high as the wrapped text, borders included.
    let height = (paragraph.line_count(width) as u16).min(area.height);
    let rect = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width: width.min(area.width),
        height,
    };
    Clear.render(rect, buf);
    paragraph.render(rect, buf);
}

/// The question before sealing, in `lang`: what the Z holds, what is not final, the
/// drawers still open, and that a sealed Z is for good.
fn seal_z_lines(
    (number, operations, net, to_follow, open_drawers): (i64, u64, i64, usize, usize),
    lang: Lang,
) -> (String, Vec<String>) {
    let fr = lang == Lang::Fr;
    let mut lines = vec![if fr {
        format!(
            "Rapport Z n° {number} : {operations} opération(s), net {}.",
            fcfa(net)
        )
    } else {
        format!(
            "Z report number {number}: {operations} operation(s), net {}.",
            fcfa(net)
        )
    }];
    if to_follow > 0 {
        lines.push(if fr {
            format!("{to_follow} opération(s) pas finale(s) : listées À SUIVRE.")
        } else {
            format!("{to_follow} operation(s) not final: listed TO FOLLOW.")
        });
    }
    if open_drawers > 0 {
        lines.push(if fr {
            format!("ATTENTION : {open_drawers} tiroir(s) encore ouvert(s), espèces non comptées.")
        } else {
            format!("WARNING: {open_drawers} drawer(s) still open, cash not counted.")
        });
    }
    lines.push(
        lang.tr(
            "Un rapport Z scellé ne se modifie plus (chaîne d'empreintes).",
            "A sealed Z report cannot be changed (hash chain).",
        )
        .into(),
    );
    (
        lang.tr("Sceller le rapport Z ?", "Seal the Z report?")
            .into(),
        lines,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_reads_in_both_languages() {
        for q in [
            Question::Quit {
                pending: 2,
                demo_link: true,
            },
            Question::Refund {
                external_id: "x".into(),
                service: "CashOut Wave Money".into(),
                phone: Some("772450000".into()),
                amount: Some(1_000),
            },
            Question::Duplicate {
                status: TxStatus::Pending,
                age_secs: 12,
            },
            Question::WhatsApp {
                sale: "x".into(),
                phone: "+221772457100".into(),
                cost: Some(25),
            },
            Question::CloseDrawer { cash: 18_000 },
            Question::SealZ {
                number: 3,
                operations: 12,
                net: 35_000,
                to_follow: 1,
                open_drawers: 1,
            },
        ] {
            let (fr, en) = (lines(&q, Lang::Fr), lines(&q, Lang::En));
            assert_ne!(fr, en, "{q:?}");
        }
    }
}
