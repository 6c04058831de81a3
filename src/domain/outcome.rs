//! How a request that moves money ended, as the screens and the socket carry it: a type,
//! never a sentence whose first character tells "maybe done" from "not done".

/// The end of a send (a sale or a refund), from the cashier's side of the counter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// The gateway took it: the operation's status says where it stands.
    Accepted,
    /// Certainly not done: the gateway said no (its catalogue code when it gave one), or
    /// the input was refused before anything was sent.
    Failed {
        code: Option<String>,
        message: String,
    },
    /// Maybe done: it must not be redone; status queries settle it.
    Unknown { message: String },
    /// Certainly never reached the gateway: nothing moved, it may be done again.
    NotSent { message: String },
}

impl Outcome {
    /// How a send ended, as far as the operation's status tells.
    pub fn of_status(
        status: super::TxStatus,
        error_code: Option<&str>,
        error_message: Option<&str>,
    ) -> Outcome {
        use super::TxStatus;
        let message = error_message.unwrap_or_default().to_owned();
        match status {
            TxStatus::Failed | TxStatus::Canceled | TxStatus::Expired => Outcome::Failed {
                code: error_code.map(str::to_owned),
                message,
            },
            TxStatus::NotSent => Outcome::NotSent { message },
            TxStatus::Unknown | TxStatus::Review => Outcome::Unknown { message },
            _ => Outcome::Accepted,
        }
    }

    /// The French sentence, if there is one to show.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::Accepted => None,
            Outcome::Failed { message, .. }
            | Outcome::Unknown { message }
            | Outcome::NotSent { message } => Some(message),
        }
    }

    /// Whether money may have moved although no success was read: never show it failed.
    pub fn may_have_moved(&self) -> bool {
        matches!(self, Outcome::Accepted | Outcome::Unknown { .. })
    }
}
