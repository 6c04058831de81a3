#!/usr/bin/env python3
"""The app through a real pseudo-terminal: what a cashier's SSH session carries.

Prints: time to first frame, bytes written per keystroke on the entry form, bytes of the
first paint of the payment screen, resident memory, and CPU over an idle minute on the
catalogue and on the payment screen. Medians where there are several samples.

Run: cargo build --release && python3 benches/tui_pty.py [SECONDS_IDLE]
"""

import os
import pty
import select
import signal
import statistics
import sys
import tempfile
import time

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "caisse")
IDLE = int(sys.argv[1]) if len(sys.argv) > 1 else 60
TICK = os.sysconf("SC_CLK_TCK")


def spawn(home):
    pid, fd = pty.fork()
    if pid == 0:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "CAISSE_DB": os.path.join(home, "journal.db"),
        }
        os.execve(BIN, [BIN], env)
    # 80x24, as a cheap terminal.
    import fcntl, struct, termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, fd


def read_until(fd, needle, timeout=20.0):
    """Reads until `needle` was seen; returns (bytes read, seconds)."""
    data = b""
    start = time.monotonic()
    while needle.encode() not in data:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            raise SystemExit(f"never saw {needle!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            data += os.read(fd, 65536)
    return data, time.monotonic() - start


def drain(fd, quiet=0.25):
    """Reads until the terminal has been quiet for `quiet` seconds; returns the bytes."""
    data = b""
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return data
        data += os.read(fd, 65536)


def read_for(fd, seconds):
    """Reads everything written during `seconds`; returns the bytes."""
    data = b""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        r, _, _ = select.select([fd], [], [], left)
        if r:
            data += os.read(fd, 65536)
    return data


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    home = tempfile.mkdtemp()
    t0 = time.monotonic()
    pid, fd = spawn(home)
    _, _ = read_until(fd, "Que veut le client")
    first_frame = time.monotonic() - t0
    drain(fd, 1.0)  # balance and pending count arrive
    print(f"time to first frame          {first_frame * 1000:.0f} ms (demo mode: includes starting the sandbox)")
    print(f"resident memory (catalogue)  {rss_kib(pid) / 1024:.1f} MiB")

    c0 = cpu_seconds(pid)
    idle_bytes = len(read_for(fd, IDLE))
    idle_catalogue = cpu_seconds(pid) - c0
    print(f"CPU idle {IDLE} s on catalogue   {idle_catalogue:.2f} s ({100 * idle_catalogue / IDLE:.2f} % of a core), {idle_bytes} B written")

    # The entry form: bytes per keystroke while typing the phone number.
    os.write(fd, b"wave")
    drain(fd)
    os.write(fd, b"\r")
    read_until(fd, "Montant")
    drain(fd)
    sizes = []
    for c in "772457100":
        os.write(fd, c.encode())
        sizes.append(len(drain(fd, 0.15)))
    print(f"bytes per keystroke (entry)  median {statistics.median(sizes):.0f} B, max {max(sizes)} B over {len(sizes)} keys")
    os.write(fd, b"\r")
    drain(fd)
    os.write(fd, b"1500\r")
    read_until(fd, "rifiez avec le client")
    drain(fd)
    os.write(fd, b"\r")
    paint, _ = read_until(fd, "deep/")
    paint += drain(fd, 0.5)
    print(f"first paint, payment screen  {len(paint)} B (QR, link, message, status)")
    print(f"resident memory (payment)    {rss_kib(pid) / 1024:.1f} MiB")

    c0 = cpu_seconds(pid)
    sent = len(read_for(fd, IDLE))
    idle_payment = cpu_seconds(pid) - c0
    print(f"CPU {IDLE} s on payment screen  {idle_payment:.2f} s ({100 * idle_payment / IDLE:.2f} % of a core), {sent / IDLE:.0f} B/s for the countdown")

    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
