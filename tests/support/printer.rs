//! A fake ESC/POS printer for the tests: a TCP listener that answers the real-time status
//! requests (`DLE EOT n`) as told and keeps the job, and a decoder of the job's bytes into
//! the printed text and the QR codes' data, which fails on any command it does not know.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;

/// How the fake printer behaves.
#[derive(Clone, Copy)]
pub enum Printer {
    /// Answers the status requests with these bytes (printer, paper), then takes the job.
    Answers(u8, u8),
    /// Accepts the connection, never reads nor answers.
    Silent,
}

/// Online, cover closed, no error: `0xx1xx10` with the flags at 0.
pub const ONLINE: u8 = 0x12;
/// Roll paper sensor: paper end (bits 5 and 6).
pub const PAPER_END: u8 = 0x12 | 0x60;

/// A fake printer on 127.0.0.1: its address, and the bytes of the one job it received.
pub fn fake_printer(mode: Printer) -> (String, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        match mode {
            Printer::Silent => {
                // Held open, never read nor answered, for as long as the test runs.
                let _held = stream;
                loop {
                    std::thread::park();
                }
            }
            Printer::Answers(printer, paper) => {
                let _ = tx.send(take_job(&mut stream, printer, paper));
            }
        }
    });
    (address, rx)
}

/// Reads until the client closes, answering each `DLE EOT n` as it comes.
pub fn take_job(stream: &mut TcpStream, printer: u8, paper: u8) -> Vec<u8> {
    let mut job = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return job,
            Ok(n) => n,
        };
        let start = job.len().saturating_sub(2);
        job.extend_from_slice(&chunk[..n]);
        for i in start..job.len().saturating_sub(2) {
            if job[i] == 0x10 && job[i + 1] == 0x04 {
                let answer = if job[i + 2] == 4 { paper } else { printer };
                stream.write_all(&[answer]).unwrap();
            }
        }
    }
}

/// What a receipt printer makes of the bytes: the text (PC858 decoded, line feeds from
/// `ESC d n`) and the data of each QR stored with `GS ( k … 1 P 0`. Any command this does
/// not know fails the test: the receipt must be made of known ones only.
pub struct Printed {
    pub text: String,
    pub qr: Vec<String>,
    pub cut: bool,
}

pub fn pc858(byte: u8) -> char {
    match byte {
        0x80 => 'Ç',
        0x82 => 'é',
        0x83 => 'â',
        0x85 => 'à',
        0x87 => 'ç',
        0x88 => 'ê',
        0x89 => 'ë',
        0x8A => 'è',
        0x8B => 'ï',
        0x8C => 'î',
        0x90 => 'É',
        0x93 => 'ô',
        0x96 => 'û',
        0x97 => 'ù',
        0xF8 => '°',
        b if b < 0x80 => b as char,
        other => panic!("byte {other:#04x} outside the French letters of PC858"),
    }
}

pub fn decode(bytes: &[u8]) -> Printed {
    let mut out = Printed {
        text: String::new(),
        qr: Vec::new(),
        cut: false,
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x10 if bytes.get(i + 1) == Some(&0x04) => {
                // DLE EOT n (the crate adds a NUL, which printers ignore).
                i += 3;
                if bytes.get(i) == Some(&0) {
                    i += 1;
                }
            }
            0x1B => {
                let (cmd, arg) = (bytes[i + 1], bytes.get(i + 2).copied());
                match cmd {
                    b'@' => i += 2,
                    b't' => {
                        assert_eq!(arg, Some(19), "page code PC858");
                        i += 3;
                    }
                    b'a' | b'E' => i += 3,
                    b'd' => {
                        for _ in 0..arg.unwrap() {
                            out.text.push('\n');
                        }
                        i += 3;
                    }
                    other => panic!("unknown ESC {:?}", other as char),
                }
            }
            0x1D => match bytes[i + 1] {
                b'(' if bytes[i + 2] == b'k' => {
                    let len = bytes[i + 3] as usize + 256 * bytes[i + 4] as usize;
                    let params = &bytes[i + 5..i + 5 + len];
                    if params[..3] == [49, 80, 48] {
                        out.qr
                            .push(String::from_utf8(params[3..].to_vec()).unwrap());
                    }
                    i += 5 + len;
                }
                b'V' => {
                    out.cut = true;
                    i += 4;
                }
                other => panic!("unknown GS {:?}", other as char),
            },
            b => {
                out.text.push(pc858(b));
                i += 1;
            }
        }
    }
    out
}
