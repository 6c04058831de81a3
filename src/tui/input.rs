//! The terminal's input bytes → crossterm's own [`Event`]s (keys and pastes), so that the
//! rest of the app does not change.
//!
//! Why not crossterm's reader (issue 9, C7): crossterm 0.29 never gives up an escape
//! sequence. After `ESC [ ?` it waits for a `u` or a `c` and eats every key meanwhile, so
//! `ESC [ ? 1 0 4 9 l` pasted into a kiosk froze its keyboard; `ESC [ <`, `ESC [ 1 ;` or
//! `ESC O` left alone are never ended either. Its parser is private, so it cannot be fixed
//! from outside: the app reads the bytes itself (`reader.rs`) and parses them here.
//!
//! Why by hand: `termwiz`'s `InputParser` does this job, but brings some thirty crates
//! (pest and its derive macro, fancy-regex, terminfo, phf, a second sha2 and thiserror…) to
//! a machine that builds on two cores, and its events would still have to be mapped to
//! crossterm's; `vte` is small but parses the other direction (what programs write to a
//! terminal): SS3 keys, the Alt prefix, bracketed paste and the time-out would all still
//! be ours to write. What is needed fits in this file, tested to the byte.
//!
//! The rules, so that input never freezes:
//! * a CSI (`ESC [`) follows the ECMA-48 grammar: parameter bytes 0x30–0x3F, intermediate
//!   bytes 0x20–0x2F, a final byte 0x40–0x7E. Every complete CSI ends at its final byte;
//!   one that is not a key we know is dropped there, and the next byte is a key again;
//! * a byte that cannot continue a sequence (a control byte, DEL, a non-ASCII byte, a new
//!   ESC) drops what was held and is read afresh: Enter, Ctrl-C… are never swallowed;
//! * a sequence longer than [`MAX_SEQUENCE`] is dropped up to its final byte (nothing held);
//! * an unfinished sequence is the caller's to give up with [`Parser::flush`] once
//!   [`SEQUENCE_TIMEOUT`] has passed without a byte: a lone ESC then becomes the Esc key,
//!   anything else is dropped (an unfinished paste is delivered as it is).
//!
//! Not parsed, because the app never asks for them (so no terminal sends them): mouse
//! reports (the X10 form `ESC [ M` + 3 raw bytes would end at `M`, its 3 bytes typed),
//! kitty's `CSI … u` keys (dropped), and DCS/OSC strings (`ESC ]` is Alt+]).

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// How long an unfinished sequence is held after its last byte. A terminal writes a key's
/// sequence in one go, so its bytes come together; 50 ms is well above what splits them
/// (even over SSH, where one key is one packet) and well below a cashier's Esc-then-key.
pub const SEQUENCE_TIMEOUT: Duration = Duration::from_millis(50);

/// How long a paste (or what may be the start of its marker, `ESC [ 2 0 0`) is held
/// without a byte. A paste's bytes may come apart on a slow SSH link; had its tail been
/// read as keys after [`SEQUENCE_TIMEOUT`], its newlines would have been Enter (a deposit
/// sent by a paste). Given up once, a paste is resumed: what comes next is paste text too,
/// until its end marker or one more timeout (so a terminal that never ends a paste cannot
/// freeze the keyboard).
pub const PASTE_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest escape sequence held (keys with modifiers are under 12 bytes). Longer ones
/// are dropped to their final byte without being stored.
pub const MAX_SEQUENCE: usize = 64;

/// The largest bracketed paste delivered; a larger one is dropped whole (no field of the
/// app takes more than a few dozen characters).
pub const MAX_PASTE: usize = 64 * 1024;

const ESC: u8 = 0x1b;
const PASTE_END: &[u8] = b"\x1b[201~";
const PASTE_START: &[u8] = b"\x1b[200~";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Ground,
    /// `ESC` read.
    Escape,
    /// `ESC [` and its parameter and intermediate bytes.
    Csi,
    /// A CSI (or SS3) longer than [`MAX_SEQUENCE`]: skipped to its final byte.
    CsiSkip,
    /// `ESC [ [`: the Linux console's F1–F5 (`ESC [ [ A`…).
    Linux,
    /// `ESC O` (SS3) and its parameter bytes.
    Ss3,
    /// The lead byte of a UTF-8 character read, `need` continuation bytes to come; `alt`
    /// when an ESC came before it.
    Utf8 { need: u8, alt: bool },
    /// Inside `ESC [ 200 ~ … ESC [ 201 ~`.
    Paste,
}

/// The parser: bytes in, events out; time is the caller's (see [`Parser::flush`]).
#[derive(Debug, Default)]
pub struct Parser {
    state: State,
    /// The bytes of the sequence being read (never more than [`MAX_SEQUENCE`]).
    seq: Vec<u8>,
    /// A bracketed paste's text so far (never more than [`MAX_PASTE`]).
    paste: Vec<u8>,
    /// The paste outgrew [`MAX_PASTE`]: it is read to its end and dropped.
    paste_dropped: bool,
    /// How many bytes of [`PASTE_END`] were just read (held back from the paste's text).
    paste_end: usize,
    /// The paste being read was given up once already (its next give-up ends it).
    paste_resumed: bool,
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Reads `bytes`; returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        for &b in bytes {
            self.byte(b, &mut out);
        }
        out
    }

    /// True while an unfinished sequence is held: the caller then calls [`Parser::flush`]
    /// once [`SEQUENCE_TIMEOUT`] has passed with no new byte.
    pub fn is_pending(&self) -> bool {
        self.state != State::Ground
    }

    /// How long the sequence held may wait for its next byte before [`Parser::flush`].
    pub fn timeout(&self) -> Duration {
        match self.state {
            State::Paste => PASTE_TIMEOUT,
            // `ESC [`, `ESC [ 2`… : perhaps a paste's start marker cut in two.
            State::Csi if PASTE_START.starts_with(&self.seq) => PASTE_TIMEOUT,
            _ => SEQUENCE_TIMEOUT,
        }
    }

    /// Gives up the unfinished sequence: a lone ESC is the Esc key, an unfinished paste is
    /// delivered as read so far (and resumed once: see [`PASTE_TIMEOUT`]), anything else
    /// is dropped.
    pub fn flush(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        match self.state {
            State::Escape => out.push(Event::Key(key(KeyCode::Esc))),
            State::Paste => {
                let held = self.paste_end;
                self.paste_push(&PASTE_END[..held]);
                self.end_paste(&mut out);
                if !std::mem::replace(&mut self.paste_resumed, true) {
                    // The rest of this paste is still paste text, not keys.
                    self.seq.clear();
                    return out;
                }
            }
            _ => {}
        }
        self.reset();
        out
    }

    fn reset(&mut self) {
        self.state = State::Ground;
        self.seq.clear();
    }

    fn byte(&mut self, b: u8, out: &mut Vec<Event>) {
        match self.state {
            State::Ground => self.ground(b, out),
            State::Escape => match b {
                b'[' => self.enter(State::Csi, b),
                b'O' => self.enter(State::Ss3, b),
                // Esc pressed twice: the first is a key, the second may start a sequence.
                ESC => out.push(Event::Key(key(KeyCode::Esc))),
                0xc2..=0xf4 => {
                    self.seq.clear();
                    self.utf8_lead(b, true);
                }
                _ => {
                    self.reset();
                    // ESC then a key: that key with Alt (how terminals send Alt+key).
                    if let Some(mut k) = single_byte(b) {
                        k.modifiers |= KeyModifiers::ALT;
                        out.push(Event::Key(k));
                    }
                }
            },
            State::Csi => match b {
                // `ESC [ [` is the Linux console's function keys, not an (empty) CSI.
                b'[' if self.seq.len() == 2 => self.enter(State::Linux, b),
                0x20..=0x3f => {
                    if self.seq.len() < MAX_SEQUENCE {
                        self.seq.push(b);
                    } else {
                        self.seq.clear();
                        self.state = State::CsiSkip;
                    }
                }
                0x40..=0x7e => {
                    self.seq.push(b);
                    self.csi(out);
                }
                _ => self.abandon(b, out),
            },
            State::CsiSkip => match b {
                0x20..=0x3f => {}
                0x40..=0x7e => self.reset(),
                _ => self.abandon(b, out),
            },
            State::Linux => match b {
                b'A'..=b'E' => {
                    self.reset();
                    out.push(Event::Key(key(KeyCode::F(1 + b - b'A'))));
                }
                0x20..=0x7e => self.reset(),
                _ => self.abandon(b, out),
            },
            State::Ss3 => match b {
                // Some terminals put a modifier there (`ESC O 5 P`).
                0x30..=0x3f if self.seq.len() < MAX_SEQUENCE => self.seq.push(b),
                0x30..=0x3f => {
                    self.seq.clear();
                    self.state = State::CsiSkip;
                }
                0x20..=0x7e => {
                    self.seq.push(b);
                    self.ss3(out);
                }
                _ => self.abandon(b, out),
            },
            State::Utf8 { need, alt } => {
                if b & 0xc0 != 0x80 {
                    return self.abandon(b, out);
                }
                self.seq.push(b);
                if need > 1 {
                    self.state = State::Utf8 {
                        need: need - 1,
                        alt,
                    };
                    return;
                }
                // Overlong forms and surrogates are refused here.
                if let Some(c) = std::str::from_utf8(&self.seq)
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    let mut k = char_key(c);
                    if alt {
                        k.modifiers |= KeyModifiers::ALT;
                    }
                    out.push(Event::Key(k));
                }
                self.reset();
            }
            State::Paste => self.paste_byte(b, out),
        }
    }

    fn ground(&mut self, b: u8, out: &mut Vec<Event>) {
        match b {
            ESC => self.enter(State::Escape, b),
            0xc2..=0xf4 => self.utf8_lead(b, false),
            // A stray continuation byte or one no UTF-8 character starts with: dropped.
            0x80..=0xff => {}
            _ => out.extend(single_byte(b).map(Event::Key)),
        }
    }

    fn enter(&mut self, state: State, b: u8) {
        self.seq.push(b);
        self.state = state;
    }

    fn utf8_lead(&mut self, b: u8, alt: bool) {
        let need = match b {
            0xc2..=0xdf => 1,
            0xe0..=0xef => 2,
            _ => 3,
        };
        self.seq.push(b);
        self.state = State::Utf8 { need, alt };
    }

    /// `b` cannot continue the sequence: the sequence is dropped and `b` read afresh.
    fn abandon(&mut self, b: u8, out: &mut Vec<Event>) {
        self.reset();
        self.ground(b, out);
    }

    /// A complete CSI in `seq`: the key it stands for, if any.
    fn csi(&mut self, out: &mut Vec<Event>) {
        let (body, last) = (
            &self.seq[2..self.seq.len() - 1],
            self.seq[self.seq.len() - 1],
        );
        let params = params(body);
        self.reset();
        // Private parameters (`ESC [ ?`, `<`…) and intermediates are never keys.
        let Some(params) = params else { return };
        let param = |i: usize| params.get(i).copied().flatten();
        let code = match last {
            b'~' => match param(0) {
                Some(200) => {
                    self.state = State::Paste;
                    self.paste.clear();
                    self.paste_dropped = false;
                    self.paste_end = 0;
                    self.paste_resumed = false;
                    return;
                }
                Some(n) => match tilde_key(n) {
                    Some(code) => code,
                    None => return,
                },
                None => return,
            },
            b'Z' => {
                out.push(Event::Key(KeyEvent::new(
                    KeyCode::BackTab,
                    KeyModifiers::SHIFT,
                )));
                return;
            }
            other => match letter_key(other) {
                Some(code) => code,
                None => return,
            },
        };
        out.push(Event::Key(KeyEvent::new(code, modifiers(param(1)))));
    }

    /// A complete SS3 in `seq` (`ESC O` [modifier] final).
    fn ss3(&mut self, out: &mut Vec<Event>) {
        let (body, last) = (
            &self.seq[2..self.seq.len() - 1],
            self.seq[self.seq.len() - 1],
        );
        let modifier = params(body).and_then(|p| p.last().copied().flatten());
        let code = letter_key(last);
        self.reset();
        if let Some(code) = code {
            out.push(Event::Key(KeyEvent::new(code, modifiers(modifier))));
        }
    }

    fn paste_byte(&mut self, b: u8, out: &mut Vec<Event>) {
        if b == PASTE_END[self.paste_end] {
            self.paste_end += 1;
            if self.paste_end == PASTE_END.len() {
                self.end_paste(out);
                self.reset();
            }
            return;
        }
        // Not the end after all: what was held back is text.
        let held = std::mem::take(&mut self.paste_end);
        self.paste_push(&PASTE_END[..held]);
        if b == ESC {
            self.paste_end = 1;
        } else {
            self.paste_push(&[b]);
        }
    }

    fn paste_push(&mut self, bytes: &[u8]) {
        if self.paste_dropped {
            return;
        }
        if self.paste.len() + bytes.len() > MAX_PASTE {
            self.paste_dropped = true;
            self.paste = Vec::new();
        } else {
            self.paste.extend_from_slice(bytes);
        }
    }

    fn end_paste(&mut self, out: &mut Vec<Event>) {
        let text = std::mem::take(&mut self.paste);
        self.paste_end = 0;
        if !std::mem::take(&mut self.paste_dropped) {
            out.push(Event::Paste(String::from_utf8_lossy(&text).into_owned()));
        }
    }
}

/// A key with no modifier.
fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A typed character; Shift for a capital, as crossterm does.
fn char_key(c: char) -> KeyEvent {
    let modifiers = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), modifiers)
}

/// The key one ASCII byte stands for (not ESC, which starts sequences).
fn single_byte(b: u8) -> Option<KeyEvent> {
    let ctrl = |c: u8| KeyEvent::new(KeyCode::Char(c as char), KeyModifiers::CONTROL);
    Some(match b {
        // Raw mode turns off CR→LF, but a paste or a serial terminal may still send LF.
        b'\r' | b'\n' => key(KeyCode::Enter),
        b'\t' => key(KeyCode::Tab),
        // DEL from most terminals, BS (^H) from some.
        0x7f | 0x08 => key(KeyCode::Backspace),
        0x00 => ctrl(b' '),
        // Ctrl-A … Ctrl-Z: the kiosk needs Ctrl-C, Ctrl-Z as keys (to ignore them).
        0x01..=0x1a => ctrl(b - 1 + b'a'),
        // Ctrl-\ Ctrl-] Ctrl-^ Ctrl-_ (as crossterm names them: Ctrl-4 … Ctrl-7).
        0x1c..=0x1f => ctrl(b - 0x1c + b'4'),
        0x20..=0x7e => char_key(b as char),
        _ => return None,
    })
}

/// The parameters of a CSI or SS3: numbers separated by `;` (a `:` sub-parameter keeps
/// its first number); `None` for an empty one. `None` for private or intermediate bytes,
/// or a number too large to be a key's.
fn params(body: &[u8]) -> Option<Vec<Option<u16>>> {
    if body.is_empty() {
        return Some(Vec::new());
    }
    body.split(|&b| b == b';')
        .map(|field| {
            let first = field.split(|&b| b == b':').next().unwrap_or_default();
            if first.is_empty() {
                return Some(None);
            }
            if !first.iter().all(u8::is_ascii_digit) || first.len() > 4 {
                return None;
            }
            std::str::from_utf8(first).ok()?.parse().ok().map(Some)
        })
        .collect()
}

/// xterm's modifier parameter: 1 + Shift 1, Alt 2, Ctrl 4, Super 8, Hyper 16, Meta 32.
fn modifiers(param: Option<u16>) -> KeyModifiers {
    let mask = param.unwrap_or(1).saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    for (bit, modifier) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if mask & bit != 0 {
            m |= modifier;
        }
    }
    m
}

/// The keys a CSI or SS3 names by its final letter (`ESC [ A`, `ESC [ 1 ; 5 A`, `ESC O P`).
fn letter_key(last: u8) -> Option<KeyCode> {
    Some(match last {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// The keys `ESC [ n ~` names (VT220 and xterm numbering, the Linux console's too).
fn tilde_key(n: u16) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F((n - 10) as u8),
        17..=21 => KeyCode::F((n - 11) as u8),
        23..=26 => KeyCode::F((n - 12) as u8),
        28 | 29 => KeyCode::F((n - 15) as u8),
        31..=34 => KeyCode::F((n - 17) as u8),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
