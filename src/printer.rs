//! Printing a receipt on an ESC/POS thermal printer, through the `escpos` crate: its
//! network driver (TCP, port 9100) or its file driver (`/dev/usb/lp0`).
//!
//! A printer must never hold the cashier nor touch the sale: everything runs on a thread of
//! its own with a deadline, every step of the network path has the configured timeout, and
//! the caller only gets a French sentence when it fails. Before sending, a network printer
//! is asked its real-time status (`DLE EOT 1` and `DLE EOT 4`): a printer that accepts the
//! connection but answers nothing (jammed, asleep), is offline (cover open) or out of paper
//! is reported instead of swallowing the receipt. A device file is checked first in ways
//! that cannot block (`device`): missing, read-only, unplugged (it does not open without
//! waiting), or a readable device that answers "offline" or "no paper", each said in
//! French before anything is written.

mod device;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use escpos::driver::{Driver, FileDriver, NetworkDriver};
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
    RealTimeStatusRequest, RealTimeStatusResponse,
};

use crate::config::{PrinterSettings, PrinterTarget};
use crate::domain::receipt::{Line, Receipt};

/// Why a receipt did not print, in French for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error(
        "imprimante injoignable ({0}) : {1}. Vérifiez qu'elle est allumée et branchée ; la vente \
         n'est pas touchée, réimprimez avec « caisse receipt ID --print »"
    )]
    Unreachable(String, String),
    #[error(
        "l'imprimante ({0}) ne répond pas : vérifiez qu'elle est allumée, le capot fermé et le \
         papier en place ; la vente n'est pas touchée"
    )]
    NoAnswer(String),
    #[error("l'imprimante ({0}) n'a plus de papier : remettez un rouleau puis réimprimez")]
    PaperOut(String),
    #[error(
        "l'imprimante ({0}) est hors ligne (capot ouvert ou erreur) : la vente n'est pas touchée"
    )]
    Offline(String),
    #[error("impression interrompue ({0}) : {1} ; la vente n'est pas touchée")]
    Failed(String, String),
    #[error(
        "imprimante absente : {0} n'existe pas. Branchez l'imprimante et allumez-la, puis \
         réimprimez avec « caisse receipt ID --print » ; la vente n'est pas touchée"
    )]
    Missing(String),
    #[error(
        "imprimante débranchée ou éteinte ({0} ne répond pas) : vérifiez le câble et \
         l'alimentation ; la vente n'est pas touchée"
    )]
    Unplugged(String),
    #[error(
        "pas le droit d'écrire sur {0} (lecture seule) : donnez l'accès à l'utilisateur de \
         caisse (groupe lp) ; la vente n'est pas touchée"
    )]
    ReadOnly(String),
    #[error(
        "{0} n'est pas une imprimante (ni un périphérique ni un fichier) : vérifiez \
         [printer] device ; la vente n'est pas touchée"
    )]
    NotAPrinter(String),
}

/// The bytes for `lines` (a receipt or a Z report laid out at `width` characters): page code PC858 (every French accent and
/// `°`), titles centered in bold, the QR as the printer's own `GS ( k` symbol, then a cut.
fn compose<D: Driver>(
    printer: &mut Printer<D>,
    lines: &[Line],
    width: usize,
) -> escpos::errors::Result<()> {
    printer.init()?;
    for line in lines.iter().cloned() {
        match line {
            Line::Title(text) => {
                printer.justify(JustifyMode::CENTER)?.bold(true)?;
                writeln(printer, &text)?;
                printer.bold(false)?.justify(JustifyMode::LEFT)?;
            }
            Line::Center(text) => {
                printer.justify(JustifyMode::CENTER)?;
                writeln(printer, &text)?;
                printer.justify(JustifyMode::LEFT)?;
            }
            Line::Text(text) => {
                writeln(printer, &text)?;
            }
            Line::Rule => {
                writeln(printer, &"-".repeat(width))?;
            }
            Line::Qr(data) => {
                let option = QRCodeOption::new(QRCodeModel::Model2, 5, QRCodeCorrectionLevel::M);
                printer
                    .justify(JustifyMode::CENTER)?
                    .qrcode_option(&data, option)?
                    .justify(JustifyMode::LEFT)?;
            }
        }
    }
    printer.feeds(3)?.print_cut()?;
    Ok(())
}

/// Writes `text` and a line feed. ASCII goes as is: the crate's code-page tables (0.20)
/// list `-` where the soft hyphen (0xF0) belongs, so through them every `-` (the rules, the
/// ids) would print as 0xF0. Only the other characters (é, ç, °…) take the PC858 table.
fn writeln<D: Driver>(printer: &mut Printer<D>, text: &str) -> escpos::errors::Result<()> {
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        if ascii > 0 {
            printer.custom(&rest.as_bytes()[..ascii])?;
            rest = &rest[ascii..];
        }
        let other = rest.find(|c: char| c.is_ascii()).unwrap_or(rest.len());
        if other > 0 {
            printer.write(&rest[..other])?;
            rest = &rest[other..];
        }
    }
    printer.feed()?;
    Ok(())
}

fn options(width: usize) -> PrinterOptions {
    PrinterOptions::new(Some(PageCode::PC858), None, width.min(255) as u8)
}

/// Asks one real-time status and reads its one byte.
fn status(
    driver: &NetworkDriver,
    request: RealTimeStatusRequest,
    name: &str,
) -> Result<std::collections::HashMap<RealTimeStatusResponse, bool>, PrintError> {
    let mut asking = Printer::new(driver.clone(), Protocol::default(), None);
    asking
        .real_time_status(request)
        .and_then(|p| p.send_status())
        .map_err(|e| PrintError::Failed(name.to_owned(), e.to_string()))?;
    let mut byte = [0u8; 1];
    match driver.read(&mut byte) {
        Ok(1) => RealTimeStatusResponse::parse(request, byte[0])
            .map_err(|_| PrintError::NoAnswer(name.to_owned())),
        _ => Err(PrintError::NoAnswer(name.to_owned())),
    }
}

fn print_tcp(
    address: &str,
    lines: &[Line],
    width: usize,
    timeout: Duration,
    check_status: bool,
) -> Result<(), PrintError> {
    let unreachable = |why: String| PrintError::Unreachable(address.to_owned(), why);
    let addr: SocketAddr = address
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("adresse inconnue".into()))?;
    let driver = NetworkDriver::open(&addr.ip().to_string(), addr.port(), Some(timeout))
        .map_err(|e| unreachable(connect_reason(&e.to_string())))?;
    if check_status {
        let printer = status(&driver, RealTimeStatusRequest::Printer, address)?;
        if printer.get(&RealTimeStatusResponse::Online) == Some(&false) {
            return Err(PrintError::Offline(address.to_owned()));
        }
        let paper = status(&driver, RealTimeStatusRequest::RollPaperSensor, address)?;
        if paper.get(&RealTimeStatusResponse::RollPaperEndSensorPaperPresent) == Some(&false) {
            return Err(PrintError::PaperOut(address.to_owned()));
        }
    }
    let mut printer = Printer::new(driver, Protocol::default(), Some(options(width)));
    compose(&mut printer, lines, width)
        .map_err(|e| PrintError::Failed(address.to_owned(), e.to_string()))
}

/// `Connection refused` → French.
fn connect_reason(error: &str) -> String {
    let lower = error.to_ascii_lowercase();
    if lower.contains("refused") {
        "connexion refusée".into()
    } else if lower.contains("timed out") || lower.contains("would block") {
        "pas de réponse".into()
    } else if lower.contains("unreachable") {
        "réseau injoignable".into()
    } else {
        error.to_owned()
    }
}

fn print_device(
    path: &Path,
    lines: &[Line],
    width: usize,
    check_status: bool,
) -> Result<(), PrintError> {
    let name = path.display().to_string();
    device::check(path, check_status)?;
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    let driver = FileDriver::open_with_options(path, &open)
        .map_err(|e| PrintError::Unreachable(name.clone(), e.to_string()))?;
    let mut printer = Printer::new(driver, Protocol::default(), Some(options(width)));
    compose(&mut printer, lines, width).map_err(|e| PrintError::Failed(name, e.to_string()))
}

/// How the printer is named to the cashier and in the journal: its address or device.
pub fn name(settings: &PrinterSettings) -> String {
    match &settings.target {
        PrinterTarget::Tcp(address) => address.clone(),
        PrinterTarget::Device(path) => path.display().to_string(),
    }
}

/// Whether a device-file printer can take a receipt now, checked without ever blocking
/// (`caisse doctor` asks it before any sale does).
pub fn check_device(path: &Path, ask_status: bool) -> Result<(), PrintError> {
    device::check(path, ask_status)
}

/// Prints `receipt` on the configured printer, at its width. Returns within about three
/// times the timeout whatever the printer does (a thread stuck writing to a device file is
/// left behind, never waited for).
pub fn print(settings: &PrinterSettings, receipt: &Receipt) -> Result<(), PrintError> {
    print_lines(settings, receipt.layout(settings.width))
}

/// Prints lines already laid out at the printer's width (a Z report's), as [`print`].
pub fn print_lines(settings: &PrinterSettings, lines: Vec<Line>) -> Result<(), PrintError> {
    let (done, outcome) = mpsc::channel();
    let settings = settings.clone();
    let name = name(&settings);
    let deadline = settings.timeout * 3;
    std::thread::spawn(move || {
        let result = match &settings.target {
            PrinterTarget::Tcp(address) => print_tcp(
                address,
                &lines,
                settings.width,
                settings.timeout,
                settings.check_status,
            ),
            PrinterTarget::Device(path) => {
                print_device(path, &lines, settings.width, settings.check_status)
            }
        };
        let _ = done.send(result);
    });
    outcome
        .recv_timeout(deadline)
        .unwrap_or(Err(PrintError::NoAnswer(name)))
}
