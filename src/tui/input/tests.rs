use super::*;
use crossterm::event::{KeyCode as K, KeyModifiers as M};

fn ev(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, m))
}

fn plain(code: KeyCode) -> Event {
    ev(code, M::NONE)
}

fn ch(c: char) -> Event {
    Event::Key(char_key(c))
}

/// The events of `bytes`, which must be complete (nothing left held).
fn parse(bytes: &[u8]) -> Vec<Event> {
    let mut p = Parser::new();
    let events = p.feed(bytes);
    assert!(!p.is_pending(), "{bytes:?} left something held");
    events
}

#[test]
fn text_utf8_and_capitals() {
    assert_eq!(parse(b"a1 /"), [ch('a'), ch('1'), ch(' '), ch('/')]);
    assert_eq!(parse(b"O"), [ev(K::Char('O'), M::SHIFT)]);
    assert_eq!(
        parse("éÉ€🙂".as_bytes()),
        [ch('é'), ev(K::Char('É'), M::SHIFT), ch('€'), ch('🙂')]
    );
    // A character split between two reads.
    let mut p = Parser::new();
    assert_eq!(p.feed(&[0xe2, 0x82]), []);
    assert!(p.is_pending());
    assert_eq!(p.feed(&[0xac]), [ch('€')]);
}

#[test]
fn control_bytes() {
    assert_eq!(parse(b"\r\n"), [plain(K::Enter), plain(K::Enter)]);
    assert_eq!(parse(b"\t"), [plain(K::Tab)]);
    assert_eq!(
        parse(b"\x7f\x08"),
        [plain(K::Backspace), plain(K::Backspace)]
    );
    // The kiosk's business: Ctrl-C, Ctrl-Z, Ctrl-\ and Ctrl-D come as keys.
    assert_eq!(
        parse(b"\x03\x1a\x1c\x04\x01\x00"),
        [
            ev(K::Char('c'), M::CONTROL),
            ev(K::Char('z'), M::CONTROL),
            ev(K::Char('4'), M::CONTROL),
            ev(K::Char('d'), M::CONTROL),
            ev(K::Char('a'), M::CONTROL),
            ev(K::Char(' '), M::CONTROL),
        ]
    );
}

#[test]
fn arrows_home_end_and_editing_keys() {
    for (bytes, code) in [
        (&b"\x1b[A"[..], K::Up),
        (b"\x1b[B", K::Down),
        (b"\x1b[C", K::Right),
        (b"\x1b[D", K::Left),
        (b"\x1b[H", K::Home),
        (b"\x1b[F", K::End),
        (b"\x1bOA", K::Up),
        (b"\x1bOB", K::Down),
        (b"\x1bOC", K::Right),
        (b"\x1bOD", K::Left),
        (b"\x1bOH", K::Home),
        (b"\x1bOF", K::End),
        (b"\x1b[1~", K::Home),
        (b"\x1b[7~", K::Home),
        (b"\x1b[4~", K::End),
        (b"\x1b[8~", K::End),
        (b"\x1b[2~", K::Insert),
        (b"\x1b[3~", K::Delete),
        (b"\x1b[5~", K::PageUp),
        (b"\x1b[6~", K::PageDown),
    ] {
        assert_eq!(parse(bytes), [plain(code)], "{bytes:?}");
    }
}

#[test]
fn modifiers_on_keys() {
    for (bytes, code, m) in [
        (&b"\x1b[1;5A"[..], K::Up, M::CONTROL),
        (b"\x1b[1;2B", K::Down, M::SHIFT),
        (b"\x1b[1;3C", K::Right, M::ALT),
        (b"\x1b[1;6H", K::Home, M::CONTROL | M::SHIFT),
        (b"\x1b[3;5~", K::Delete, M::CONTROL),
        (b"\x1b[6;2~", K::PageDown, M::SHIFT),
        (b"\x1b[1;2P", K::F(1), M::SHIFT),
        (b"\x1b[15;5~", K::F(5), M::CONTROL),
        (b"\x1bO5P", K::F(1), M::CONTROL),
        // A kitty-style `modifier:event` parameter keeps its modifier.
        (b"\x1b[1;5:1A", K::Up, M::CONTROL),
    ] {
        assert_eq!(parse(bytes), [ev(code, m)], "{bytes:?}");
    }
}

#[test]
fn function_keys_xterm_vt220_and_linux_console() {
    let xterm: [&[u8]; 12] = [
        b"\x1bOP",
        b"\x1bOQ",
        b"\x1bOR",
        b"\x1bOS",
        b"\x1b[15~",
        b"\x1b[17~",
        b"\x1b[18~",
        b"\x1b[19~",
        b"\x1b[20~",
        b"\x1b[21~",
        b"\x1b[23~",
        b"\x1b[24~",
    ];
    for (n, bytes) in xterm.iter().enumerate() {
        assert_eq!(parse(bytes), [plain(K::F(n as u8 + 1))], "{bytes:?}");
    }
    let vt220: [&[u8]; 4] = [b"\x1b[11~", b"\x1b[12~", b"\x1b[13~", b"\x1b[14~"];
    for (n, bytes) in vt220.iter().enumerate() {
        assert_eq!(parse(bytes), [plain(K::F(n as u8 + 1))], "{bytes:?}");
    }
    let linux: [&[u8]; 5] = [b"\x1b[[A", b"\x1b[[B", b"\x1b[[C", b"\x1b[[D", b"\x1b[[E"];
    for (n, bytes) in linux.iter().enumerate() {
        assert_eq!(parse(bytes), [plain(K::F(n as u8 + 1))], "{bytes:?}");
    }
}

#[test]
fn back_tab() {
    assert_eq!(parse(b"\x1b[Z"), [ev(K::BackTab, M::SHIFT)]);
}

#[test]
fn escape_then_a_key_is_alt() {
    assert_eq!(parse(b"\x1ba"), [ev(K::Char('a'), M::ALT)]);
    assert_eq!(parse(b"\x1bA"), [ev(K::Char('A'), M::ALT | M::SHIFT)]);
    assert_eq!(parse("\x1bé".as_bytes()), [ev(K::Char('é'), M::ALT)]);
    assert_eq!(parse(b"\x1b\r"), [ev(K::Enter, M::ALT)]);
}

#[test]
fn a_lone_escape_is_the_esc_key_after_the_timeout() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b"), []);
    assert!(
        p.is_pending(),
        "held until the timeout: it may start a sequence"
    );
    assert_eq!(p.flush(), [plain(K::Esc)]);
    assert!(!p.is_pending());
    assert_eq!(p.feed(b"a"), [ch('a')]);
    // Esc twice: the first is a key at once, the second waits.
    assert_eq!(p.feed(b"\x1b\x1b"), [plain(K::Esc)]);
    assert_eq!(p.flush(), [plain(K::Esc)]);
}

/// Issue 9, C7: `ESC [ ? 1049 l` froze crossterm's reader until a `u` or a `c`.
#[test]
fn a_complete_unknown_sequence_is_dropped_at_its_final_byte() {
    assert_eq!(parse(b"\x1b[?1049la"), [ch('a')]);
    for unknown in [
        &b"\x1b[?1049h"[..],
        b"\x1b[?2004l",
        b"\x1b[<0;12;5M",
        b"\x1b[<0;12;5m",
        b"\x1b[I",
        b"\x1b[O",
        b"\x1b[99~",
        b"\x1b[201~",
        b"\x1b[1 q",
        b"\x1b[?1u",
        b"\x1b[>0;95;0c",
        b"\x1b[12345~",
        b"\x1b[1[",
        b"\x1bOx",
        b"\x1b[[Z",
    ] {
        let mut bytes = unknown.to_vec();
        bytes.extend_from_slice(b"wave");
        assert_eq!(
            parse(&bytes),
            [ch('w'), ch('a'), ch('v'), ch('e')],
            "{unknown:?}"
        );
    }
}

#[test]
fn an_unfinished_sequence_is_dropped_after_the_timeout() {
    for unfinished in [
        &b"\x1b[?1049"[..],
        b"\x1b[<",
        b"\x1b[1;",
        b"\x1bO",
        b"\x1b[",
        b"\x1b[[",
        b"\x1bO5",
    ] {
        let mut p = Parser::new();
        assert_eq!(p.feed(unfinished), [], "{unfinished:?}");
        assert!(p.is_pending(), "{unfinished:?}");
        assert_eq!(p.flush(), [], "{unfinished:?}");
        assert!(!p.is_pending());
        assert_eq!(p.feed(b"a"), [ch('a')], "{unfinished:?}");
    }
}

#[test]
fn a_byte_that_cannot_continue_a_sequence_ends_it_and_counts() {
    // Enter, Ctrl-C, Backspace, a new ESC, a non-ASCII letter: never swallowed.
    assert_eq!(parse(b"\x1b[1;\r"), [plain(K::Enter)]);
    assert_eq!(parse(b"\x1b[?\x03"), [ev(K::Char('c'), M::CONTROL)]);
    assert_eq!(parse(b"\x1bO\x7f"), [plain(K::Backspace)]);
    assert_eq!(parse(b"\x1b[?10\x1b[A"), [plain(K::Up)]);
    assert_eq!(parse("\x1b[2é".as_bytes()), [ch('é')]);
    assert_eq!(parse(b"\x1b[[\r"), [plain(K::Enter)]);
}

#[test]
fn sequences_split_between_reads() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b"), []);
    assert_eq!(p.feed(b"[1;"), []);
    assert_eq!(p.feed(b"5A"), [ev(K::Up, M::CONTROL)]);
    assert!(!p.is_pending());
}

#[test]
fn an_overlong_sequence_is_dropped_without_being_held() {
    let mut bytes = b"\x1b[".to_vec();
    bytes.extend(std::iter::repeat_n(b'9', 1000));
    let mut p = Parser::new();
    for b in &bytes {
        assert_eq!(p.feed(&[*b]), []);
        assert!(p.seq.len() <= MAX_SEQUENCE);
    }
    assert_eq!(p.feed(b"~x"), [ch('x')]);
}

#[test]
fn invalid_utf8_is_dropped() {
    assert_eq!(parse(b"\xffa"), [ch('a')]);
    assert_eq!(parse(b"\x80a"), [ch('a')]);
    // A lead byte whose continuation never comes, then a letter.
    assert_eq!(parse(b"\xc3a"), [ch('a')]);
    // Overlong and surrogate forms.
    assert_eq!(parse(b"\xc0\x80a"), [ch('a')]);
    assert_eq!(parse(b"\xe0\x80\x80a"), [ch('a')]);
    assert_eq!(parse(b"\xed\xa0\x80a"), [ch('a')]);
}

#[test]
fn bracketed_paste() {
    assert_eq!(
        parse(b"\x1b[200~77 245 71 00\r\n\x1b[A\x1b[20x\x1b[201~a"),
        [
            Event::Paste("77 245 71 00\r\n\x1b[A\x1b[20x".into()),
            ch('a')
        ]
    );
    assert_eq!(parse(b"\x1b[200~\x1b[201~"), [Event::Paste(String::new())]);
    // Split anywhere, even in its end.
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b[20"), []);
    assert_eq!(p.feed(b"0~wa"), []);
    assert_eq!(p.feed(b"ve\x1b[2"), []);
    assert_eq!(p.feed(b"01~"), [Event::Paste("wave".into())]);
    assert!(!p.is_pending());
}

#[test]
fn an_unfinished_paste_is_delivered_after_the_timeout_and_its_tail_is_still_paste() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b[200~7724\x1b[20"), []);
    assert_eq!(p.timeout(), PASTE_TIMEOUT);
    assert_eq!(p.flush(), [Event::Paste("7724\x1b[20".into())]);
    // The tail, late: text again (its newlines are not Enter), up to the end marker.
    assert_eq!(
        p.feed(b"1000\r\n\r\x1b[201~"),
        [Event::Paste("1000\r\n\r".into())]
    );
    assert_eq!(p.feed(b"a"), [ch('a')]);
}

#[test]
fn a_paste_never_ended_gives_the_keyboard_back_after_a_second_timeout() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b[200~77"), []);
    assert_eq!(p.flush(), [Event::Paste("77".into())]);
    assert_eq!(p.feed(b"45"), []);
    assert_eq!(p.flush(), [Event::Paste("45".into())]);
    assert!(!p.is_pending());
    assert_eq!(p.feed(b"\r"), [Event::Key(key(KeyCode::Enter))]);
}

#[test]
fn a_paste_marker_cut_in_two_is_waited_for_as_long_as_a_paste() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b[20"), []);
    assert_eq!(p.timeout(), PASTE_TIMEOUT);
    assert_eq!(p.feed(b"0~1\r\x1b[201~"), [Event::Paste("1\r".into())]);
    // Any other unfinished sequence is given up quickly (a lone ESC is the Esc key).
    assert_eq!(p.feed(b"\x1b"), []);
    assert_eq!(p.timeout(), SEQUENCE_TIMEOUT);
    assert_eq!(p.feed(b"[1"), []);
    assert_eq!(p.timeout(), SEQUENCE_TIMEOUT);
}

#[test]
fn a_paste_too_large_is_dropped_whole() {
    let mut p = Parser::new();
    assert_eq!(p.feed(b"\x1b[200~"), []);
    let chunk = vec![b'x'; 4096];
    for _ in 0..(MAX_PASTE / chunk.len() + 2) {
        assert_eq!(p.feed(&chunk), []);
        assert!(p.paste.len() <= MAX_PASTE);
    }
    assert_eq!(p.feed(b"\x1b[201~a"), [ch('a')]);
    // The next paste is whole again.
    assert_eq!(p.feed(b"\x1b[200~ok\x1b[201~"), [Event::Paste("ok".into())]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Bytes with escape-sequence pieces made likely (plain random bytes seldom form one).
    fn byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            3 => any::<u8>(),
            2 => Just(ESC),
            2 => prop::sample::select(b"[O?<;:0123456789~".to_vec()),
            1 => prop::sample::select(b"ABCDHFPQRSZlhumM\r\x03\x7f".to_vec()),
        ]
    }

    fn input() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(byte(), 0..200),
            // Long runs of parameter bytes reach the cap.
            (prop::collection::vec(byte(), 0..10), 60..200usize).prop_map(|(mut v, n)| {
                v.extend_from_slice(b"\x1b[");
                v.extend(std::iter::repeat_n(b'1', n));
                v
            }),
            // Inside a paste.
            prop::collection::vec(byte(), 0..200).prop_map(|v| [b"\x1b[200~".to_vec(), v].concat()),
        ]
    }

    proptest! {
        /// Whatever comes in: no panic, nothing held past the caps, the same events however
        /// the bytes are split, and once the timeout has passed (twice for a paste, which
        /// is resumed once) a plain key is a key again.
        #[test]
        fn input_never_freezes(bytes in input(), split in 0usize..200) {
            let mut p = Parser::new();
            let mut one_by_one = Vec::new();
            for b in &bytes {
                one_by_one.extend(p.feed(&[*b]));
                prop_assert!(p.seq.len() <= MAX_SEQUENCE);
                prop_assert!(p.paste.len() <= MAX_PASTE);
            }
            let mut q = Parser::new();
            let (a, b) = bytes.split_at(split.min(bytes.len()));
            let mut in_two = q.feed(a);
            in_two.extend(q.feed(b));
            prop_assert_eq!(&one_by_one, &in_two);

            let _ = p.flush();
            let _ = p.flush();
            prop_assert!(!p.is_pending());
            prop_assert_eq!(p.feed(b"x"), vec![ch('x')]);
        }

        /// Any complete CSI (ECMA-48: parameter bytes, intermediate bytes, a final byte)
        /// ends at its final byte, known or not: the key typed right after it is read,
        /// with no timeout needed.
        #[test]
        fn any_complete_csi_ends_at_its_final_byte(
            params in prop::collection::vec(0x30u8..=0x3f, 0..(MAX_SEQUENCE + 20)),
            intermediates in prop::collection::vec(0x20u8..=0x2f, 0..3),
            last in 0x40u8..=0x7e,
        ) {
            // `ESC [ [` is the Linux console's prefix; `ESC [ 200 ~` opens a paste.
            prop_assume!(!(params.is_empty() && intermediates.is_empty() && last == b'['));
            prop_assume!(!(params == b"200" && intermediates.is_empty() && last == b'~'));
            let csi = [&b"\x1b["[..], &params, &intermediates, &[last], b"x"].concat();
            let mut p = Parser::new();
            let events = p.feed(&csi);
            prop_assert!(!p.is_pending());
            prop_assert!(events.len() <= 2, "{:?}", events);
            prop_assert_eq!(events.last(), Some(&ch('x')));
        }
    }
}
