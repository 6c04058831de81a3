//! A ratatui backend that writes as few bytes as a frame needs: a cashier on a weak 3G link
//! feels every one. ratatui's own crossterm backend forgets the terminal's state at each
//! frame: it moves the cursor before every run of cells, sets colours from scratch, resets
//! them at the end, hides or shows the cursor and wraps the frame in a synchronized update
//! even when one digit changed (77 B for a keystroke). This one remembers what the terminal
//! has, between frames too:
//! * the pen (colours and attributes): set only when a cell needs another, never reset at
//!   the end of a frame (reset once, on the way out: [`LeanBackend::leave`]);
//! * where the cursor is: no move when the next cell is where the last one left it, and the
//!   shortest move otherwise (forward on the same row, or an absolute position);
//! * whether the cursor is shown, and where: nothing written when that did not change;
//! * a frame is written in one `write`, wrapped in a synchronized update only when it is
//!   large enough for a terminal to show it half-drawn.
//!
//! The escape sequences themselves are crossterm's commands.

use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveRight, MoveTo, Show};
use crossterm::queue;
use crossterm::style::{
    Attribute as CtAttribute, Colors, Print, SetAttribute, SetBackgroundColor, SetColors,
    SetForegroundColor,
};
use crossterm::terminal::{BeginSynchronizedUpdate, Clear, EndSynchronizedUpdate};
use ratatui::backend::{Backend, ClearType, IntoCrossterm, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// A frame larger than this is wrapped in a synchronized update (16 bytes of markers), so
/// that the terminal paints it at once; a keystroke's echo is not.
pub const SYNC_ABOVE: usize = 256;

/// The colours and attributes the terminal currently draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    modifier: Modifier::empty(),
};

/// How big the terminal is: crossterm's ioctl on a real one, fixed in the tests.
pub trait Window {
    fn size(&self) -> io::Result<Size>;
}

/// The real terminal's size.
pub struct Tty;

impl Window for Tty {
    fn size(&self) -> io::Result<Size> {
        // One ioctl on the terminal the frames are written to. ratatui asks before every
        // frame, and crossterm's `size` opens /dev/tty each time (three system calls).
        let mut ws = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given.
        let asked = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
        if asked == 0 && ws.ws_col > 0 && ws.ws_row > 0 {
            return Ok(Size {
                width: ws.ws_col,
                height: ws.ws_row,
            });
        }
        // Stdout is not the terminal: crossterm finds it.
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }
}

impl Window for Size {
    fn size(&self) -> io::Result<Size> {
        Ok(*self)
    }
}

pub struct LeanBackend<W: Write, S: Window = Tty> {
    writer: W,
    window: S,
    /// What the frame being made will write, sent in one piece by `flush`.
    frame: Vec<u8>,
    /// The terminal's pen; `None` when unknown (at the start, after something else wrote).
    pen: Option<Pen>,
    /// Where the terminal's cursor is; `None` when unknown (after the last column, where
    /// terminals differ).
    cursor: Option<Position>,
    /// Whether the cursor is shown; `None` when unknown.
    shown: Option<bool>,
}

impl<W: Write, S: Window> LeanBackend<W, S> {
    pub fn new(writer: W, window: S) -> Self {
        LeanBackend {
            writer,
            window,
            frame: Vec::with_capacity(4096),
            pen: None,
            cursor: None,
            shown: None,
        }
    }

    /// The writer (the tests read what was written).
    pub fn writer(&self) -> &W {
        &self.writer
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// Something else is about to write to the terminal (leaving, a resize's clear): the
    /// pen goes back to the terminal's default and nothing is assumed any more.
    pub fn leave(&mut self) -> io::Result<()> {
        queue!(self.frame, SetAttribute(CtAttribute::Reset))?;
        self.forget();
        self.flush_frame()
    }

    fn forget(&mut self) {
        self.pen = None;
        self.cursor = None;
        self.shown = None;
    }

    fn move_to(&mut self, to: Position) -> io::Result<()> {
        match self.cursor {
            Some(at) if at == to => {}
            // `ESC [ n C` is shorter than an absolute position on the same row.
            Some(at) if at.y == to.y && to.x > at.x => queue!(self.frame, MoveRight(to.x - at.x))?,
            _ => queue!(self.frame, MoveTo(to.x, to.y))?,
        }
        self.cursor = Some(to);
        Ok(())
    }

    fn set_pen(&mut self, want: Pen) -> io::Result<()> {
        let have = self.pen.unwrap_or_else(|| {
            // Unknown: start from the default, said once.
            let _ = queue!(self.frame, SetAttribute(CtAttribute::Reset));
            PLAIN
        });
        if have == want {
            self.pen = Some(want);
            return Ok(());
        }
        let mut from = have;
        // Attributes are taken off by a reset (one short sequence), which also resets the
        // colours; then the wanted ones are put on.
        if !(from.modifier - want.modifier).is_empty() {
            queue!(self.frame, SetAttribute(CtAttribute::Reset))?;
            from = PLAIN;
        }
        for (flag, attribute) in ATTRIBUTES {
            if want.modifier.contains(flag) && !from.modifier.contains(flag) {
                queue!(self.frame, SetAttribute(attribute))?;
            }
        }
        match (from.fg != want.fg, from.bg != want.bg) {
            (true, true) => queue!(
                self.frame,
                SetColors(Colors::new(
                    want.fg.into_crossterm(),
                    want.bg.into_crossterm()
                ))
            )?,
            (true, false) => queue!(self.frame, SetForegroundColor(want.fg.into_crossterm()))?,
            (false, true) => queue!(self.frame, SetBackgroundColor(want.bg.into_crossterm()))?,
            (false, false) => {}
        }
        self.pen = Some(want);
        Ok(())
    }

    fn flush_frame(&mut self) -> io::Result<()> {
        if self.frame.is_empty() {
            return Ok(());
        }
        if self.frame.len() > SYNC_ABOVE {
            let mut wrapped = Vec::with_capacity(self.frame.len() + 16);
            queue!(wrapped, BeginSynchronizedUpdate)?;
            wrapped.extend_from_slice(&self.frame);
            queue!(wrapped, EndSynchronizedUpdate)?;
            self.writer.write_all(&wrapped)?;
        } else {
            self.writer.write_all(&self.frame)?;
        }
        self.frame.clear();
        self.writer.flush()
    }
}

/// ratatui's modifiers and the attributes that turn them on.
const ATTRIBUTES: [(Modifier, CtAttribute); 8] = [
    (Modifier::BOLD, CtAttribute::Bold),
    (Modifier::DIM, CtAttribute::Dim),
    (Modifier::ITALIC, CtAttribute::Italic),
    (Modifier::UNDERLINED, CtAttribute::Underlined),
    (Modifier::SLOW_BLINK, CtAttribute::SlowBlink),
    (Modifier::RAPID_BLINK, CtAttribute::RapidBlink),
    (Modifier::REVERSED, CtAttribute::Reverse),
    (Modifier::CROSSED_OUT, CtAttribute::CrossedOut),
];

impl<W: Write, S: Window> Backend for LeanBackend<W, S> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let width = self.window.size()?.width;
        for (x, y, cell) in content {
            self.move_to(Position { x, y })?;
            self.set_pen(Pen {
                fg: cell.fg,
                bg: cell.bg,
                modifier: cell.modifier,
            })?;
            let symbol = cell.symbol();
            queue!(self.frame, Print(symbol))?;
            let after = x.saturating_add(symbol.width().max(1) as u16);
            // At the last column the cursor waits to wrap, differently per terminal: its
            // place is then unknown, and the next cell is placed absolutely.
            self.cursor = (after < width).then_some(Position { x: after, y });
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.shown != Some(false) {
            queue!(self.frame, Hide)?;
            self.shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.shown != Some(true) {
            queue!(self.frame, Show)?;
            self.shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        // Asked only by inline viewports, which the app does not use.
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.move_to(position.into())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // A clear paints with the current background: the default one first.
        if self.pen != Some(PLAIN) {
            queue!(self.frame, SetAttribute(CtAttribute::Reset))?;
            self.pen = Some(PLAIN);
        }
        let kind = match clear_type {
            ClearType::All => crossterm::terminal::ClearType::All,
            ClearType::AfterCursor => crossterm::terminal::ClearType::FromCursorDown,
            ClearType::BeforeCursor => crossterm::terminal::ClearType::FromCursorUp,
            ClearType::CurrentLine => crossterm::terminal::ClearType::CurrentLine,
            ClearType::UntilNewLine => crossterm::terminal::ClearType::UntilNewLine,
        };
        queue!(self.frame, Clear(kind))?;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        self.window.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let columns_rows = self.window.size()?;
        Ok(WindowSize {
            columns_rows,
            // Not known without asking the terminal; the app does not use pixels.
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_frame()
    }
}

impl<W: Write, S: Window> Drop for LeanBackend<W, S> {
    fn drop(&mut self) {
        let _ = self.flush_frame();
    }
}

#[cfg(test)]
mod tests;
