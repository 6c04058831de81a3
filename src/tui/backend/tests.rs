//! What the lean backend writes is read back by a real terminal emulator (the `vt100`
//! crate's parser): the screen it shows must be ratatui's buffer, cell by cell, colours and
//! attributes included, after any sequence of frames; and small changes must cost few bytes.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier, Style};

use super::{LeanBackend, SYNC_ABOVE};

const W: u16 = 40;
const H: u16 = 12;

type Lean = LeanBackend<Vec<u8>, Size>;

fn terminal() -> Terminal<Lean> {
    Terminal::new(LeanBackend::new(
        Vec::new(),
        Size {
            width: W,
            height: H,
        },
    ))
    .unwrap()
}

/// A terminal emulator of the same size.
fn emulator() -> vt100::Parser {
    let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    vt100::Parser::new(size(H), size(W), 0)
}

/// The bytes written since the last call.
fn take(t: &mut Terminal<Lean>) -> Vec<u8> {
    std::mem::take(t.backend_mut().writer_mut())
}

fn vt_color(c: Color) -> vt100::Color {
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Black => vt100::Color::Idx(0),
        Color::Red => vt100::Color::Idx(1),
        Color::Green => vt100::Color::Idx(2),
        Color::Yellow => vt100::Color::Idx(3),
        Color::Blue => vt100::Color::Idx(4),
        Color::Magenta => vt100::Color::Idx(5),
        Color::Cyan => vt100::Color::Idx(6),
        Color::Gray => vt100::Color::Idx(7),
        Color::DarkGray => vt100::Color::Idx(8),
        Color::LightRed => vt100::Color::Idx(9),
        Color::LightGreen => vt100::Color::Idx(10),
        Color::LightYellow => vt100::Color::Idx(11),
        Color::LightBlue => vt100::Color::Idx(12),
        Color::LightMagenta => vt100::Color::Idx(13),
        Color::LightCyan => vt100::Color::Idx(14),
        Color::White => vt100::Color::Idx(15),
        Color::Indexed(i) => vt100::Color::Idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
    }
}

/// The emulator's screen equals `buffer`, every cell.
fn assert_shows(screen: &vt100::Screen, buffer: &Buffer) {
    for y in 0..H {
        for x in 0..W {
            let want = &buffer[(x, y)];
            let got = screen.cell(y, x).unwrap();
            let shown = if got.contents().is_empty() {
                " ".to_string()
            } else {
                got.contents().to_string()
            };
            assert_eq!(shown, want.symbol(), "symbol at ({x},{y})");
            assert_eq!(got.fgcolor(), vt_color(want.fg), "fg at ({x},{y})");
            assert_eq!(got.bgcolor(), vt_color(want.bg), "bg at ({x},{y})");
            assert_eq!(
                got.bold(),
                want.modifier.contains(Modifier::BOLD),
                "bold at ({x},{y})"
            );
            assert_eq!(
                got.inverse(),
                want.modifier.contains(Modifier::REVERSED),
                "reverse at ({x},{y})"
            );
            assert_eq!(
                got.underline(),
                want.modifier.contains(Modifier::UNDERLINED),
                "underline at ({x},{y})"
            );
        }
    }
}

/// One piece of a frame: text at a place, in a style.
#[derive(Debug, Clone)]
struct Piece {
    x: u16,
    y: u16,
    text: String,
    style: Style,
}

fn color() -> impl Strategy<Value = Color> {
    prop_oneof![
        Just(Color::Reset),
        Just(Color::Black),
        Just(Color::White),
        Just(Color::LightYellow),
        Just(Color::Red),
        (0u8..=255).prop_map(Color::Indexed),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
    ]
}

fn modifier() -> impl Strategy<Value = Modifier> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(b, r, u)| {
        let mut m = Modifier::empty();
        m.set(Modifier::BOLD, b);
        m.set(Modifier::REVERSED, r);
        m.set(Modifier::UNDERLINED, u);
        m
    })
}

fn piece() -> impl Strategy<Value = Piece> {
    (
        0..W,
        0..H,
        // Letters, digits, accents, the QR's half blocks. (No wide character: ratatui's
        // buffer itself is inconsistent when one is half overwritten.)
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('7'),
                Just(' '),
                Just('é'),
                Just('▀'),
                Just('▄'),
                Just('█'),
                Just('✓'),
            ],
            1..12,
        ),
        color(),
        color(),
        modifier(),
    )
        .prop_map(|(x, y, chars, fg, bg, m)| Piece {
            x,
            y,
            text: chars.into_iter().collect(),
            style: Style::default().fg(fg).bg(bg).add_modifier(m),
        })
}

/// A frame: some pieces, and where the cursor is shown (or hidden).
fn frame() -> impl Strategy<Value = (Vec<Piece>, Option<(u16, u16)>)> {
    (
        proptest::collection::vec(piece(), 0..8),
        proptest::option::of((0..W, 0..H)),
    )
}

fn draw(t: &mut Terminal<Lean>, pieces: &[Piece], cursor: Option<(u16, u16)>) -> Buffer {
    let done = t
        .draw(|f| {
            let area = Rect::new(0, 0, W, H);
            for p in pieces {
                f.buffer_mut().set_stringn(
                    p.x,
                    p.y,
                    &p.text,
                    (area.right() - p.x) as usize,
                    p.style,
                );
            }
            if let Some((x, y)) = cursor {
                f.set_cursor_position(Position { x, y });
            }
        })
        .unwrap();
    done.buffer.clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any sequence of frames: the terminal shows the last one exactly, and the cursor is
    /// where it was asked to be, shown or hidden as asked.
    #[test]
    fn the_terminal_shows_every_frame_exactly(frames in proptest::collection::vec(frame(), 1..6)) {
        let mut t = terminal();
        let mut vt = emulator();
        for (pieces, cursor) in &frames {
            let buffer = draw(&mut t, pieces, *cursor);
            vt.process(&take(&mut t));
            assert_shows(vt.screen(), &buffer);
            match cursor {
                Some((x, y)) => {
                    prop_assert!(!vt.screen().hide_cursor());
                    prop_assert_eq!(vt.screen().cursor_position(), (*y, *x));
                }
                None => prop_assert!(vt.screen().hide_cursor()),
            }
        }
    }
}

/// Issue 14's goal: a digit typed in a field (the cursor after it) costs the digit and
/// little else; the crossterm backend wrote 77 B for it.
#[test]
fn a_digit_typed_in_a_field_costs_a_few_bytes() {
    let mut t = terminal();
    let field = Style::default().fg(Color::White).bg(Color::Indexed(236));
    let mut text = String::from("77245");
    let mut pieces = vec![Piece {
        x: 10,
        y: 5,
        text: format!("{text:<9}"),
        style: field,
    }];
    draw(&mut t, &pieces, Some((15, 5)));
    take(&mut t);
    text.push('7');
    pieces[0].text = format!("{text:<9}");
    draw(&mut t, &pieces, Some((16, 5)));
    let bytes = take(&mut t);
    // The cursor was at (15,5), where the digit goes: the digit, nothing else.
    assert_eq!(bytes, b"7", "{:?}", String::from_utf8_lossy(&bytes));
}

/// A frame that draws nothing new writes nothing at all (no cursor, no colour, no marker).
#[test]
fn a_frame_with_nothing_new_writes_nothing() {
    let mut t = terminal();
    let pieces = vec![Piece {
        x: 0,
        y: 0,
        text: "Solde : 250 000 FCFA".into(),
        style: Style::default().fg(Color::Black).bg(Color::White),
    }];
    draw(&mut t, &pieces, None);
    take(&mut t);
    draw(&mut t, &pieces, None);
    assert_eq!(take(&mut t), b"");
}

/// A large frame is wrapped in a synchronized update; a small one is not.
#[test]
fn only_large_frames_are_wrapped_in_a_synchronized_update() {
    let mut t = terminal();
    let full: Vec<Piece> = (0..H)
        .map(|y| Piece {
            x: 0,
            y,
            text: "█".repeat(W as usize),
            style: Style::default().fg(Color::Black).bg(Color::White),
        })
        .collect();
    draw(&mut t, &full, None);
    let big = take(&mut t);
    assert!(big.len() > SYNC_ABOVE);
    assert!(big.starts_with(b"\x1b[?2026h") && big.ends_with(b"\x1b[?2026l"));
    let mut one = full.clone();
    one[3].text.replace_range(0..3, "a");
    draw(&mut t, &one, None);
    let small = take(&mut t);
    assert!(!small.windows(8).any(|w| w == b"\x1b[?2026h"), "{small:?}");
}

/// Leaving resets the pen: the shell after the app does not inherit its colours.
#[test]
fn leaving_resets_the_colours() {
    let mut t = terminal();
    let pieces = vec![Piece {
        x: 0,
        y: 0,
        text: "x".into(),
        style: Style::default().fg(Color::Red).bg(Color::Blue),
    }];
    draw(&mut t, &pieces, None);
    t.backend_mut().leave().unwrap();
    let mut vt = emulator();
    vt.process(&take(&mut t));
    vt.process(b"y");
    let cell = vt.screen().cell(0, 1).unwrap();
    assert_eq!(
        (cell.contents(), cell.fgcolor(), cell.bgcolor()),
        ("y", vt100::Color::Default, vt100::Color::Default)
    );
}
