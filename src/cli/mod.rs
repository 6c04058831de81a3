//! The command line: `caisse <command>`. Every command prints French for the cashier or
//! the shop owner; errors go to stderr with a documented exit code (see [`ExitCode`]).

mod backup;
mod cashier;
pub mod close;
mod commands;
mod doctor;
mod drawer;
/// The bookkeeper's columns and writers (`report::export`), under their old name.
pub use crate::report::export;
pub mod fingerprint;
mod hq;
mod package_files;
mod pay;
pub mod receipt;
mod remote;
pub mod report;
mod serve;
pub mod table;
mod whatsapp;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit::{ExitCode, Failure};

#[derive(Debug, Parser)]
#[command(
    name = "caisse",
    version,
    about = "Caisse de transfert d'argent mobile (Intech API V2, Intram) pour le terminal",
    long_about = "Caisse de transfert d'argent mobile pour le terminal : encaissements Wave / \
                  Orange Money / Free…, dépôts, factures, recharges et crédit, via Intech API V2 \
                  et Intram.\n\nSans configuration, caisse fonctionne en mode démo sur la sandbox \
                  intégrée : aucun argent réel ne circule."
)]
pub struct Cli {
    /// Fichier de configuration TOML (sinon $CAISSE_CONFIG, sinon ~/.config/caisse/config.toml).
    #[arg(long, global = true, value_name = "FICHIER")]
    pub config: Option<PathBuf>,

    /// Mode kiosque : Ctrl-C, Ctrl-Z, Ctrl-\ sans effet ; quitter demande le code d'un superviseur.
    #[arg(long)]
    pub kiosk: bool,

    /// Socket du service « caisse serve » (sinon $CAISSE_SOCKET, sinon [serve] socket).
    #[arg(long, global = true, value_name = "CHEMIN")]
    pub socket: Option<PathBuf>,

    /// Caissier pour les commandes passées par le service (le code PIN est demandé).
    #[arg(long, global = true, value_name = "NOM")]
    pub cashier: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lance la sandbox hors ligne qui émule Intech API V2 et Intram.
    Sandbox(crate::sandbox::SandboxArgs),
    /// Liste les services de la passerelle Intech.
    Services,
    /// Affiche le solde du compte marchand Intech.
    Balance,
    /// Liste le catalogue des codes d'erreur Intech et leurs messages.
    Errors,
    /// Liste les factures impayées d'un compte (Sénélec, SenEau, UCAD…).
    Bills {
        /// Code du service de facturation, par exemple SENELEC_SN_BILL_PAY.
        #[arg(long, value_name = "CODE")]
        service: String,
        /// Numéro de contrat, référence client ou numéro de carte (5 à 20 lettres ou chiffres).
        #[arg(long, value_name = "NUMÉRO")]
        account: String,
    },
    /// Encaisse ou envoie de l'argent : valide, journalise, envoie une seule fois, affiche le QR et attend le statut final.
    Pay(pay::PayArgs),
    /// Affiche une opération du journal et son historique.
    Status {
        /// Identifiant de l'opération (externalTransactionId).
        #[arg(value_name = "ID")]
        external_id: String,
        /// Demande aussi le statut à la passerelle (dans la limite de 3 demandes par minute).
        #[arg(long)]
        refresh: bool,
    },
    /// Rembourse un encaissement réussi : journalise l'intention, envoie une seule fois ; une réponse perdue se règle par `caisse reconcile`.
    Refund {
        /// Identifiant de la vente à rembourser (externalTransactionId).
        #[arg(value_name = "ID")]
        external_id: String,
    },
    /// Liste les opérations du journal, les plus récentes d'abord.
    Journal {
        /// Seulement celles d'aujourd'hui (UTC).
        #[arg(long)]
        today: bool,
        /// Un tableau JSON des opérations (au lieu du tableau à lire).
        #[arg(long)]
        json: bool,
    },
    /// Rapport d'une période : nombre et montant des opérations par groupe et par issue (réussies, échouées, en suspens, remboursements), et les totaux.
    Report(report::ReportArgs),
    /// Exporte toutes les opérations d'une période pour la comptabilité (CSV pour tableur en français, ou JSON), au fil de la lecture.
    Export(report::ExportArgs),
    /// Lance le service de la boutique : clés, journal, suivi des paiements, socket des caisses.
    Serve,
    /// Gère les caissiers (ajout, liste, désactivation).
    #[command(subcommand)]
    Cashier(cashier::CashierCommand),
    /// Règle les opérations en suspens (reprise après arrêt) et affiche le bilan.
    Reconcile {
        /// Durée maximale de la tentative, en secondes.
        #[arg(long, value_name = "SECONDES", default_value_t = 30)]
        wait_secs: u64,
    },
    /// Affiche le reçu d'une opération finale (texte), et avec --print l'imprime (DUPLICATA s'il l'a déjà été) ; avec --whatsapp l'envoie par WhatsApp (coût affiché d'abord, envoi avec --yes).
    Receipt(receipt::ReceiptArgs),
    /// Tiroir-caisse du caissier : ouverture (fond de caisse), état, fermeture (espèces comptées, écarts).
    #[command(subcommand)]
    Drawer(drawer::DrawerCommand),
    /// Clôture de caisse : crée le rapport Z suivant (opérations depuis le dernier), l'enregistre dans une chaîne d'empreintes et l'affiche ; --verify vérifie la chaîne, --show N réaffiche un rapport.
    Close(close::CloseArgs),
    /// Calcule l'empreinte SHA-256 de la clé publique d'un certificat (épinglage SSL des callbacks Intech).
    Fingerprint(fingerprint::FingerprintArgs),
    /// Le siège (PostgreSQL) : état de l'envoi du journal (status), schéma (migrate), rôle d'une boutique (add-shop), rapport de toutes les boutiques (report), surveillance (watch).
    #[command(subcommand)]
    Hq(hq::HqCommand),
    /// Copie le journal (même pendant les ventes), vérifie la copie ; avec --keep N garde les N plus récentes d'un dossier.
    Backup(backup::BackupArgs),
    /// Remet une copie du journal en place, service arrêté ; le journal actuel est d'abord mis de côté.
    Restore(backup::RestoreArgs),
    /// Vérifie l'installation de la boutique (fichiers, configuration, passerelle, horloge, callbacks, disque, imprimante, siège) : OK ou à corriger, avec la commande qui corrige.
    Doctor(doctor::DoctorArgs),
    /// Écrit les pages de manuel et les complétions (bash, zsh, fish) dans DOSSIER (construction du paquet Debian).
    #[command(hide = true)]
    PackageFiles {
        /// Dossier où écrire man/ et completions/.
        #[arg(long, value_name = "DOSSIER")]
        out: PathBuf,
    },
}

/// Runs one command to completion. `None` (no subcommand) is handled by the caller.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let Some(command) = cli.command else {
        // No subcommand: the cashier's app.
        return crate::tui::run(crate::tui::Options {
            config: cli.config,
            kiosk: cli.kiosk,
            socket: cli.socket,
        })
        .await;
    };
    // Through the service when a socket is named: no key, no journal file read here.
    let via_service = !matches!(
        command,
        Command::Serve
            | Command::Sandbox(_)
            | Command::Fingerprint(_)
            | Command::Hq(_)
            | Command::Backup(_)
            | Command::Restore(_)
            | Command::Doctor(_)
            | Command::PackageFiles { .. }
    );
    let named = cli
        .socket
        .clone()
        .or_else(crate::config::environment::socket);
    if via_service && let Some(socket) = named {
        return remote::run(socket, cli.cashier, command).await;
    }
    // A configuration that names the service's socket sends the cashier's commands there
    // too (the commands that need the keys themselves stay on the service's side).
    let cashier_command = matches!(
        command,
        Command::Balance
            | Command::Bills { .. }
            | Command::Pay(_)
            | Command::Refund { .. }
            | Command::Status { .. }
            | Command::Journal { .. }
            | Command::Report(_)
            | Command::Export(_)
            | Command::Receipt(_)
            | Command::Close(_)
            | Command::Drawer(_)
    );
    if cashier_command
        && let Ok(config) =
            crate::config::load(&crate::config::Sources::from_process(cli.config.as_deref()))
        && let Some(socket) = config.socket
    {
        return remote::run(socket, cli.cashier, command).await;
    }
    match command {
        Command::Sandbox(args) => commands::sandbox(args).await,
        Command::Services => commands::services(cli.config.as_deref()).await,
        Command::Balance => commands::balance(cli.config.as_deref()).await,
        Command::Errors => commands::errors(cli.config.as_deref()).await,
        Command::Bills { service, account } => {
            commands::bills(cli.config.as_deref(), &service, &account).await
        }
        Command::Pay(args) => pay::pay(cli.config.as_deref(), args).await,
        Command::Status {
            external_id,
            refresh,
        } => pay::status(cli.config.as_deref(), &external_id, refresh).await,
        Command::Journal { today, json } => pay::journal(cli.config.as_deref(), today, json).await,
        Command::Refund { external_id } => pay::refund(cli.config.as_deref(), &external_id).await,
        Command::Reconcile { wait_secs } => pay::reconcile(cli.config.as_deref(), wait_secs).await,
        Command::Report(args) => report::report(cli.config.as_deref(), &args),
        Command::Export(args) => report::export(cli.config.as_deref(), &args),
        Command::Serve => serve::serve(cli.config.as_deref(), cli.socket).await,
        Command::Cashier(command) => cashier::run(cli.config.as_deref(), command),
        Command::Fingerprint(args) => fingerprint::run(&args),
        Command::Receipt(args) if args.whatsapp => {
            whatsapp::local(cli.config.as_deref(), &args).await
        }
        Command::Receipt(args) => receipt::run(cli.config.as_deref(), args),
        Command::Drawer(command) => drawer::run(cli.config.as_deref(), command).await,
        Command::Close(args) => close::run(cli.config.as_deref(), &args),
        Command::Hq(command) => hq::run(cli.config.as_deref(), command).await,
        Command::Backup(args) => backup::backup(cli.config.as_deref(), &args),
        Command::Restore(args) => backup::restore(cli.config.as_deref(), &args),
        Command::Doctor(args) => {
            doctor::run(cli.config.as_deref(), cli.socket.as_deref(), &args).await
        }
        Command::PackageFiles { out } => package_files::write(&out),
    }
}
