#!/usr/bin/env python3
"""caisse at the physical limits of a terminal, beside two ncurses peers, in one run.

Each program runs in its own pseudo-terminal at 80x24 (TERM=xterm-256color), as an SSH
session would give it: caisse in demo mode (the sandbox in-process), `dialog --inputbox`
and `whiptail --inputbox` from Debian. For each: time to the first frame, bytes written per
keystroke while a 9-digit phone number is typed, context switches per second while idle
(every thread of the process, from /proc), resident memory, and the time from SIGHUP (the
SSH link drops) to the process gone. caisse alone also: the first paint of the payment
screen (QR, link, status) and that sale pending: 15 s with nothing but the countdown
(6 to 21 s after the send), then 15 s holding one status poll (21 to 36 s; the poll at 25 s),
then a minute at the steady pace (50 to 110 s: polls at 75 s and 105 s), where wakeups
(voluntary switches: a thread slept and was woken) are counted apart from all switches.

Prints one table, medians over --runs runs (the machine is shared), with caisse's figure
divided by each peer's. No figure is asserted: this is a measurement, not a test.

Run: cargo build --release && python3 benches/terminal_limits.py [--runs 3] [--idle 20]
Python 3.11, standard library only; dialog and whiptail from Debian (apt install dialog
whiptail); a peer that is missing is left out of the table.
"""

import argparse
import fcntl
import glob
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import tempfile
import termios
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("CAISSE_BIN", os.path.join(REPO, "target", "release", "caisse"))
COLS, ROWS = 80, 24
PHONE = "772457100"


def spawn(argv, home):
    """argv in a new pty at 80x24; returns (pid, fd)."""
    pid, fd = pty.fork()
    if pid == 0:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "CAISSE_DB": os.path.join(home, "journal.db"),
        }
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def read_until(fd, needle, timeout=30.0):
    """Reads until `needle` (bytes, or a tuple of them: any one) was seen; returns the bytes
    read."""
    needles = needle if isinstance(needle, tuple) else (needle,)
    data = b""
    end = time.monotonic() + timeout
    while not any(n in data for n in needles):
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit(f"never saw {needle!r}; last bytes: {data[-300:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data += os.read(fd, 65536)
            except OSError:
                raise SystemExit(f"the program ended before {needle!r}")
    return data


def drain(fd, quiet=0.2):
    """Reads until the terminal has been quiet for `quiet` seconds; returns the bytes."""
    data = b""
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return data
        try:
            data += os.read(fd, 65536)
        except OSError:
            return data


def read_for(fd, seconds):
    """Everything written during `seconds`."""
    data = b""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data += os.read(fd, 65536)
            except OSError:
                break
    return data


def switches(pid, kinds=("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
    """Context switches so far, per thread of the process: {tid: count}. Both kinds by
    default; `kinds=("voluntary_ctxt_switches",)` counts wakeups only (the thread slept and
    was woken), not the preemptions a busy neighbour causes."""
    counts = {}
    for status in glob.glob(f"/proc/{pid}/task/*/status"):
        tid = status.split("/")[4]
        try:
            with open(status) as f:
                counts[tid] = sum(
                    int(line.split()[1]) for line in f if line.split(":")[0] in kinds
                )
        except OSError:
            pass
    return counts


def switched(before, after):
    """Switches between two readings: threads born in between count from zero; a thread
    that ended in between takes its last switches with it (an undercount of a few)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def idle_figures(pid, fd, seconds):
    """(switches/s, CPU %, bytes/s) over `seconds` of nobody typing."""
    s0, c0 = switches(pid), cpu_seconds(pid)
    written = len(read_for(fd, seconds))
    return (
        switched(s0, switches(pid)) / seconds,
        100 * (cpu_seconds(pid) - c0) / seconds,
        written / seconds,
    )


def hangup(pid, fd):
    """ms from SIGHUP to the process reaped; and whether the terminal was restored (the
    alternate screen left), for the programs that use it."""
    os.kill(pid, signal.SIGHUP)
    t0 = time.monotonic()
    tail = b""
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        r, _, _ = select.select([fd], [], [], 0.001)
        if r:
            try:
                tail += os.read(fd, 65536)
            except OSError:
                pass
    ms = (time.monotonic() - t0) * 1000
    tail += drain(fd, 0.05)
    os.close(fd)
    return ms, b"\x1b[?1049l" in tail


def type_phone(fd):
    """Bytes written back per digit of the phone number."""
    sizes = []
    for c in PHONE:
        os.write(fd, c.encode())
        sizes.append(len(drain(fd, 0.15)))
    return sizes


def run_peer(argv, prompt, idle):
    home = tempfile.mkdtemp()
    t0 = time.monotonic()
    pid, fd = spawn(argv, home)
    read_until(fd, prompt)
    first = (time.monotonic() - t0) * 1000
    drain(fd)
    sizes = type_phone(fd)
    idle_sw, idle_cpu, _ = idle_figures(pid, fd, idle)
    rss = rss_mib(pid)
    exit_ms, _ = hangup(pid, fd)
    shutil.rmtree(home, ignore_errors=True)
    return {
        "first frame (ms)": first,
        "bytes per keystroke, median": statistics.median(sizes),
        "bytes per keystroke, max": max(sizes),
        "idle: switches/s": idle_sw,
        "idle: CPU %": idle_cpu,
        "resident memory (MiB)": rss,
        "exit after SIGHUP (ms)": exit_ms,
    }


def run_caisse(idle):
    home = tempfile.mkdtemp()
    t0 = time.monotonic()
    pid, fd = spawn([BIN], home)
    read_until(fd, b"Que veut le client")
    first = (time.monotonic() - t0) * 1000
    drain(fd, 1.0)  # the balance and the pending count arrive
    idle_sw, idle_cpu, idle_bps = idle_figures(pid, fd, idle)
    rss = rss_mib(pid)
    # The entry form of a Wave cash-out: the phone field has the focus.
    os.write(fd, b"wave")
    drain(fd)
    os.write(fd, b"\r")
    read_until(fd, b"Montant")
    drain(fd)
    sizes = type_phone(fd)
    os.write(fd, b"\r")
    drain(fd)
    os.write(fd, b"1500\r")
    read_until(fd, b"rifiez avec le client")
    drain(fd)
    os.write(fd, b"\r")
    sent = time.monotonic()
    paint = read_until(fd, b"deep/") + drain(fd, 0.5)
    # Status polls come 5 s, 25 s and 45 s after the send (domain::schedule). From 6 s to
    # 21 s nothing but the countdown runs; from 21 s to 36 s, the countdown and one poll.
    read_for(fd, max(0.0, sent + 6 - time.monotonic()))
    pend_sw, pend_cpu, pend_bps = idle_figures(pid, fd, 15)
    poll_sw, _, poll_bps = idle_figures(pid, fd, 15)
    # The steady pace: a poll every 30 s from 45 s on (75 s and 105 s fall in 50 to 110 s).
    read_for(fd, max(0.0, sent + 50 - time.monotonic()))
    woken0 = switches(pid, ("voluntary_ctxt_switches",))
    minute_sw, _, minute_bps = idle_figures(pid, fd, 60)
    minute_woken = switched(woken0, switches(pid, ("voluntary_ctxt_switches",))) / 60
    rss = max(rss, rss_mib(pid))
    # Back to the home screen (the sale goes on being followed), then the link drops.
    os.write(fd, b"n")
    drain(fd, 0.5)
    exit_ms, restored = hangup(pid, fd)
    # Started again on the same journal, as every start after a shop's first one (five
    # times: one start is a few milliseconds, easily doubled by a neighbour's burst).
    # The sale left pending is the cashier's unfinished one: the app may open straight on
    # its payment screen (« Vente reprise ») when the journal answers before the home
    # screen's first frame. Either is the app ready.
    starts = []
    for _ in range(5):
        t0 = time.monotonic()
        pid, fd = spawn([BIN], home)
        read_until(fd, (b"Que veut le client", b"Vente reprise"))
        starts.append((time.monotonic() - t0) * 1000)
        drain(fd, 0.3)
        hangup(pid, fd)
    warm = statistics.median(starts)
    shutil.rmtree(home, ignore_errors=True)
    return {
        "first frame (ms)": warm,
        "first frame, first start of a shop (ms)": first,
        "bytes per keystroke, median": statistics.median(sizes),
        "bytes per keystroke, max": max(sizes),
        "idle: switches/s": idle_sw,
        "idle: CPU %": idle_cpu,
        "idle: bytes/s": idle_bps,
        "payment screen, first paint (B)": len(paint),
        "sale pending: switches/s": pend_sw,
        "sale pending, a status poll: switches/s": poll_sw,
        "sale pending, a minute (2 polls): switches/s": minute_sw,
        "sale pending, a minute (2 polls): wakeups/s": minute_woken,
        "sale pending, a minute (2 polls): bytes/s": minute_bps,
        "sale pending, a status poll: bytes/s": poll_bps,
        "sale pending: CPU %": pend_cpu,
        "sale pending: bytes/s": pend_bps,
        "resident memory (MiB)": rss,
        "exit after SIGHUP (ms)": exit_ms,
        "terminal restored after SIGHUP (1 = yes)": 1.0 if restored else 0.0,
    }


def medians(runs):
    keys = runs[0].keys()
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def fmt(v):
    if v is None:
        return "–"
    return f"{v:.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=20.0, help="seconds of each idle window")
    args = ap.parse_args()
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"{BIN} is missing: cargo build --release first")

    peers = {}
    dialog = shutil.which("dialog")
    whiptail = shutil.which("whiptail")
    if dialog:
        peers["dialog"] = ([dialog, "--inputbox", "Telephone du client", "8", "40"], b"Telephone")
    if whiptail:
        peers["whiptail"] = ([whiptail, "--inputbox", "Telephone du client", "8", "40"], b"Telephone")

    results = {"caisse": []}
    results.update({name: [] for name in peers})
    # Interleaved, so that a noisy minute of the machine falls on every program alike.
    for i in range(args.runs):
        results["caisse"].append(run_caisse(args.idle))
        for name, (argv, prompt) in peers.items():
            results[name].append(run_peer(argv, prompt, args.idle))
        print(f"run {i + 1}/{args.runs} done", flush=True)

    table = {name: medians(runs) for name, runs in results.items()}
    names = list(table)
    print(f"\nmedians of {args.runs} runs, {COLS}x{ROWS}, idle windows of {args.idle:.0f} s\n")
    head = f"{'figure':42}" + "".join(f"{n:>10}" for n in names)
    head += "".join(f"{'÷ ' + n:>12}" for n in names[1:])
    print(head)
    print("-" * len(head))
    for key in table["caisse"]:
        ours = table["caisse"][key]
        row = f"{key:42}" + "".join(f"{fmt(table[n].get(key)):>10}" for n in names)
        for n in names[1:]:
            theirs = table[n].get(key)
            ratio = "–" if theirs in (None, 0) else f"{ours / theirs:.1f}×"
            row += f"{ratio:>12}"
        print(row)


if __name__ == "__main__":
    main()
