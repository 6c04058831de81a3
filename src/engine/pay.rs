//! A sale: validated against the service's rules, its intent journaled, sent once (when the
//! machine says so), its reply turned into the machine's event.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Actor, Engine, EngineError, PayOrder, PayOutcome, failpoint};
use super::{NO_CALLBACK_URL, journal_fields};
use crate::catalog::customer;
use crate::domain::answers::{Facts, Reply};
use crate::domain::fields::{self, INTRAM};
use crate::domain::lifecycle::Event;
use crate::domain::{GatewayKind, Refusal};
use crate::gateway::{CustomerAction, GatewayError, PaymentRequest, PaymentStarted};
use crate::journal::{JournalError, NewTransaction};

/// Whether a sale identical to one still unsettled or just successful may go
/// (`domain::duplicate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Refused with [`Refusal::Duplicate`]: the cashier has not confirmed it.
    Refuse,
    /// The cashier confirmed a second sale (or the caller is not a cashier: tests, tools).
    Allow,
}

/// A sale the domain's rules accepted, with the fields as they go on the wire (nested
/// objects allowed: MoneyGram's details), ready to journal and send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Validated {
    pub gateway: GatewayKind,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    pub fields: BTreeMap<String, Value>,
    pub description: Option<String>,
    /// Kept in the journal's fields beside the wire fields, never sent: what links this
    /// operation to another (a receipt message's sale, `domain::receipt::RECEIPT_OF`).
    pub links: BTreeMap<String, Value>,
}

/// Intram's callback address: the shop's, with `/intram` at the end of its path (before any
/// query, so that the listener still knows it when Intram appends a `?…` of its own).
pub(crate) fn intram_callback_url(base: &str) -> String {
    let (path, query) = match base.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (base, None),
    };
    let mut url = format!("{}/intram", path.trim_end_matches('/'));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The machine's event for the answer to a send.
pub(super) fn reply_event(
    result: &Result<PaymentStarted, GatewayError>,
    service: &str,
    amount: Option<i64>,
) -> Reply {
    match result {
        Ok(started) => Reply::Accepted {
            status: started.status.clone(),
            facts: Facts {
                gateway_tx_id: started.gateway_transaction_id.clone(),
                customer_url: match &started.customer_action {
                    CustomerAction::OpenUrl { url } => Some(url.clone()),
                    _ => None,
                },
                notification: started.notification_message.clone(),
                amount: started.amount,
                details: started.details.clone(),
            },
        },
        Err(e) => Reply::failed(e.failure(), operators_words(e, service, amount)),
    }
}

/// A refusal's French in the words of the sale's own operator: the vendor's table has an
/// "Orange Money" sentence that a Wave refusal may carry; the journal keeps the code's
/// sentence that fits instead.
fn operators_words(e: &GatewayError, service: &str, amount: Option<i64>) -> String {
    use crate::catalog::errors;
    let message = e.french_message(amount);
    match e.error_code() {
        Some(code) if errors::names_another_operator(&message, service) => {
            errors::message_for(code, service, amount)
        }
        _ => message,
    }
}

impl Engine {
    /// Validates, records the intent, sends once, records the answer. A send that may have
    /// gone through without a readable answer leaves the row UNKNOWN, to be settled by
    /// status queries; it is never resent.
    pub async fn pay(&self, order: PayOrder) -> Result<PayOutcome, EngineError> {
        let actor = self.default_actor();
        self.pay_as(order, &actor).await
    }

    /// The actor of sales made without a session: the configured user and terminal.
    pub fn default_actor(&self) -> Actor {
        Actor {
            cashier: self.config.cashier.clone(),
            terminal: self.config.terminal.clone(),
        }
    }

    /// [`Engine::pay`] on behalf of a logged-in cashier at their terminal.
    pub async fn pay_as(&self, order: PayOrder, actor: &Actor) -> Result<PayOutcome, EngineError> {
        self.pay_with_id(order, actor, None).await
    }

    /// [`Engine::pay_as`] under an id the front-end chose (a UUID), so that a front-end
    /// that lost the answer can find the sale again, and a repeated request is answered
    /// with the recorded sale instead of a second send.
    pub async fn pay_with_id(
        &self,
        order: PayOrder,
        actor: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        self.pay_checked(order, actor, chosen_id, Repeat::Allow)
            .await
    }

    /// [`Engine::pay_with_id`], refusing with [`Refusal::Duplicate`] a sale of the same
    /// service, phone and amount as one still unsettled or just successful, unless the
    /// person asking confirmed it (`Repeat::Allow`). Front-ends acting for a cashier (the
    /// session, the command line) come here; a repeated id is still answered first.
    pub async fn pay_checked(
        &self,
        order: PayOrder,
        actor: &Actor,
        chosen_id: Option<String>,
        repeat: Repeat,
    ) -> Result<PayOutcome, EngineError> {
        if let Some(done) = self.recorded_under(chosen_id.as_deref()).await? {
            return Ok(done);
        }
        if self.gateways.get(order.gateway).is_none() {
            return Err(EngineError::NoGateway(order.gateway));
        }
        if (order.gateway == GatewayKind::Intram) != (order.service == INTRAM) {
            return Err(EngineError::Invalid(vec![fields::FieldError {
                field: "service",
                message: format!(
                    "le service {} ne passe pas par la passerelle {}",
                    order.service, order.gateway
                ),
            }]));
        }
        // The balance this engine read itself, never a figure a front-end sent.
        let balance = self.balance_for(&order.service).await;
        let valid = fields::validate(
            &order.service,
            order.phone.as_deref(),
            order.amount,
            &order.fields,
            balance,
        )
        .map_err(EngineError::Invalid)?;
        let mut fields = valid.fields;
        fields::shop_fields(
            &order.service,
            &self.config.shop_name,
            &self.config.redirect_url,
            &mut fields,
        );
        let mut fields: BTreeMap<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();
        // The flag without which the operator gives no link to scan (Orange Money's QR).
        if let Some(flag) = customer::find(&order.service).and_then(|s| s.flag) {
            fields.insert(flag.to_owned(), Value::Bool(true));
        }
        let sale = Validated {
            gateway: order.gateway,
            service: order.service,
            phone: valid.phone,
            amount: valid.amount,
            fields,
            description: order.description,
            links: BTreeMap::new(),
        };
        // Only a sale that names its customer can be told apart (`is_checked`).
        let repeat = match repeat {
            Repeat::Refuse if crate::domain::duplicate::is_checked(sale.phone.as_deref()) => {
                Repeat::Refuse
            }
            _ => Repeat::Allow,
        };
        self.send_validated(sale, actor, chosen_id, repeat).await
    }

    /// Journals the intent of a sale the domain's rules accepted, sends it once if the
    /// machine says so, and records the answer (callers answer a repeated chosen id first,
    /// with [`Engine::recorded_under`]). Every kind of sale ends here (a plain sale,
    /// a MoneyGram payout or send), so that all follow one path.
    pub(crate) async fn send_validated(
        &self,
        sale: Validated,
        actor: &Actor,
        chosen_id: Option<String>,
        repeat: Repeat,
    ) -> Result<PayOutcome, EngineError> {
        let gateway = self
            .gateways
            .get(sale.gateway)
            .ok_or(EngineError::NoGateway(sale.gateway))?;
        let Validated {
            gateway: gateway_name,
            service,
            phone,
            amount,
            fields: wire_fields,
            description,
            links,
        } = sale;
        let external_id = chosen_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let now = self.now();
        // The lease outlasts the request's own timeout (longer for MoneyGram's).
        let timeout = crate::domain::moneygram::request_timeout(&service, self.config.send_timeout);
        let lease_until = now + (timeout + Duration::from_secs(30)).as_millis() as i64;
        let intent = NewTransaction {
            external_id: external_id.clone(),
            gateway: gateway_name,
            service: service.clone(),
            phone: phone.clone(),
            amount,
            fields: journal_fields(&wire_fields.clone().into_iter().chain(links).collect()),
            cashier: actor.cashier.clone(),
            terminal: actor.terminal.clone(),
        };
        let owner = self.owner.clone();
        let check = repeat == Repeat::Refuse;
        match self
            .journal(move |j| {
                j.insert_intent_unless_repeat(&intent, &owner, lease_until, now, check)
            })
            .await
        {
            Ok(None) => {}
            // The same request under its own id, sent twice at once: the recorded sale.
            Ok(Some(earlier)) if earlier.external_id == external_id => {
                return Ok(PayOutcome::of(earlier));
            }
            Ok(Some(earlier)) => {
                return Err(EngineError::Refused(Refusal::Duplicate {
                    previous: earlier.external_id,
                    status: earlier.status,
                    age_secs: (now - earlier.created_at) / 1000,
                }));
            }
            // The same request twice at once: the first one sends, this one reports.
            Err(JournalError::Duplicate(id)) => {
                if let Some(row) = self.get(&id).await? {
                    return Ok(PayOutcome::of(row));
                }
                return Err(EngineError::Journal(JournalError::Duplicate(id)));
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(done) = self.unless_sendable(&external_id, None).await? {
            return Ok(done);
        }

        // Intech requires a callback URL. Without one configured, polling alone settles the
        // sale, and the gateway gets an address that can never resolve (`.invalid`).
        let base = self
            .config
            .callback_url
            .clone()
            .unwrap_or_else(|| NO_CALLBACK_URL.to_owned());
        let callback_url = Some(match gateway_name {
            GatewayKind::Intram => intram_callback_url(&base),
            GatewayKind::Intech => base,
        });
        // A cash-out's use is the shop's own (the drawer counts it): journaled above, never
        // sent to the gateway, which defines no such field.
        let mut wire_fields = wire_fields;
        wire_fields.remove(crate::domain::drawer::CashOutUse::FIELD);
        let request = PaymentRequest {
            external_id: external_id.clone(),
            service,
            phone,
            amount,
            fields: wire_fields,
            callback_url,
            description,
        };
        let result = gateway.initiate(&request).await;
        let service = request.service.clone();
        drop(request); // the CVC leaves memory with the request
        failpoint::hit!("after_send");

        let detail = match &result {
            Ok(started) => {
                json!({"outcome": "accepted", "gatewayStatus": format!("{:?}", started.status)})
            }
            Err(e) => json!({"outcome": e.failure_name(), "error": e.to_string()}),
        };
        let reply = reply_event(&result, &service, amount);
        self.step(&external_id, Event::Reply(reply), detail, None)
            .await
            .map_err(EngineError::AfterSend)?;
        failpoint::hit!("after_reply");
        // A MoneyGram send's reference, in the row's fields for the screen and the receipt
        // (the notification written with the reply already holds it).
        if let Some(reference) = result.ok().and_then(|s| s.reference_number) {
            let id = external_id.clone();
            let now = self.now();
            let extra = serde_json::Map::from_iter([(
                crate::domain::moneygram::REFERENCE_NUMBER.to_owned(),
                Value::from(reference),
            )]);
            self.journal(move |j| j.add_fields(&id, &extra, now))
                .await
                .map_err(EngineError::AfterSend)?;
        }
        // Sent: a journal that cannot be read now leaves the outcome unknown, never "not
        // sent" (the row is followed on from the journal).
        let row = self
            .get(&external_id)
            .await
            .and_then(|row| row.ok_or_else(|| JournalError::NotFound(external_id.clone())))
            .map_err(EngineError::AfterSend)?;
        Ok(PayOutcome::of(row))
    }
}

#[cfg(test)]
mod tests {
    use super::intram_callback_url;

    #[test]
    fn intram_is_told_a_path_of_its_own_before_any_query() {
        assert_eq!(
            intram_callback_url("https://shop.sn/cb/"),
            "https://shop.sn/cb/intram"
        );
        assert_eq!(
            intram_callback_url("https://shop.sn/cb?token=a1"),
            "https://shop.sn/cb/intram?token=a1"
        );
    }
}
