//! How a command or the app ends when it fails: the French sentence for stderr and the
//! documented exit code (README, "Exit codes"). Shared by the command line, the app and the
//! wiring that starts them, so that none of them depends on another for it.

use crate::config::ConfigError;
use crate::gateway::GatewayError;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// The gateway answered and refused.
    Refused = 1,
    /// Bad input on the command line (clap uses 2 as well).
    BadInput = 2,
    /// Configuration missing, unreadable or unsafe.
    Config = 3,
    /// The gateway could not be reached or did not answer in time.
    Network = 4,
    /// The gateway answered something caisse cannot read.
    BadReply = 5,
    /// The customer did not validate in time.
    Expired = 6,
    /// The outcome is not final yet (pending, or unknown after a network fault): the
    /// operation is still followed; `caisse reconcile` settles it.
    Unsettled = 7,
    /// `caisse close --verify`: a stored Z report was altered, removed or re-hashed.
    Tampered = 8,
    /// `caisse doctor`: at least one check is « à corriger ».
    Doctor = 9,
}

/// An error on its way to stderr: the French sentence and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: ExitCode,
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure {
            message: format!("configuration : {e}"),
            code: ExitCode::Config,
        }
    }
}

impl From<GatewayError> for Failure {
    fn from(e: GatewayError) -> Self {
        let code = match &e {
            GatewayError::Refused { .. } => ExitCode::Refused,
            GatewayError::Timeout { .. } | GatewayError::Transport { .. } => ExitCode::Network,
            GatewayError::Http { .. } | GatewayError::Decode { .. } => ExitCode::BadReply,
            GatewayError::Exception { .. } => ExitCode::BadReply,
        };
        Failure {
            message: e.french_message(None),
            code,
        }
    }
}

impl Failure {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: ExitCode::BadInput,
        }
    }
}
