#!/usr/bin/env python3
"""Kiosk over SSH: N cashier sessions on one host, sharing one `caisse serve`.

Each session is the real TUI (`caisse --kiosk --socket …`) in its own pseudo-terminal, as
sshd would give it (a new session, the pty as controlling terminal, 100×30). The script
logs every session in as `awa` (logins staggered: each PIN check is an argon2 hash on the
service), makes one Wave cash-out per session on a phone ending in 88 (the demo sandbox
approves those by itself after a few seconds), waits for « Paiement réussi », then leaves
all sessions idle and measures CPU (3 sub-windows, median), bytes written and memory.
Then one session goes back to the home screen and types into the catalogue's filter
(a letter, then backspace, --keys times) while all the others idle: the time from each
keystroke written to the first byte of the frame that answers it, p50 and p99.
Last, it reads the journal (read-only), hangs every session up (SIGHUP, like an SSH
drop) and stops the service (SIGTERM).

Run: cargo build --release && python3 benches/kiosk_load.py [--sessions 20] [--idle 30]
Issue 14's scale: python3 benches/kiosk_load.py --sessions 500 (goal: the service and all
sessions idle under 10 % of one core together, keystroke-to-frame p99 under 20 ms).
Exit status: 0 when every check passed, 1 otherwise (the failed checks are printed).
Python 3.11, standard library only.
"""

import argparse
import fcntl
import os
import re
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import deque

TICK = os.sysconf("SC_CLK_TCK")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLS, ROWS = 100, 30
PIN, SUPERVISOR_PIN = "1234", "9999"

# What the screens say (searched in the raw, ANSI-escaped output).
LOGIN_SCREEN = "Caissier"  # the login form's name field (« Connexion » is also the waiting screen's)
HOME = "Que veut le client"
PHONE_FIELD = "phone du client"  # « Téléphone du client »
CONFIRM = "rifiez avec le client"  # « Vérifiez avec le client avant d'envoyer : »
SETTLED = "Paiement r"  # « Paiement réussi »
SETTLED_FULL = "Paiement réussi"
SCREEN_ERRORS = (b"rreur du journal", b"database is locked")


def default_binary():
    here = os.path.join(REPO, "target", "release", "caisse")
    if os.path.exists(here):
        return here
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        return os.path.join(target, "release", "caisse")
    return here


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks; None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def status_field(pid, name):
    """A number from /proc/PID/status (VmRSS, VmHWM in KiB; Threads); None when gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def syscalls(pid):
    """Read and write system calls so far (/proc/PID/io syscr + syscw): a proxy for the
    requests the service answers."""
    try:
        with open(f"/proc/{pid}/io") as f:
            fields = dict(line.split(":") for line in f if ":" in line)
        return int(fields["syscr"]) + int(fields["syscw"])
    except (OSError, KeyError, ValueError):
        return 0


def pss_kib(pid):
    """Proportional set size (shared pages divided among their users), from smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kib(pid):
    return status_field(pid, "VmRSS")


class Session:
    """One cashier's terminal: the process, its pty master, what it printed, its script.

    The script is a queue of steps: ("key", text) sends one keystroke (one character, or
    "\\r"), at least `pace` seconds after the previous one; ("wait", needle, timeout, label)
    waits until `needle` shows in the output written since the last keystroke; ("at", t)
    waits until the monotonic time t; ("mark", label) notes the time.
    """

    def __init__(self, index, proc, fd, pace):
        self.index = index
        self.proc = proc
        self.fd = fd
        self.pace = pace
        self.out = bytearray()
        self.open = True  # the pty still reads (EIO once the process is gone)
        self.script = deque()
        self.step_since = None
        self.search_from = 0
        self.next_key = 0.0
        self.marks = {}
        self.failed = None  # label of the step that timed out
        self.spawned = time.monotonic()

    def read(self):
        try:
            while True:
                data = os.read(self.fd, 65536)
                if not data:
                    self.open = False
                    return
                self.out += data
                if len(data) < 65536:
                    return
        except BlockingIOError:
            return
        except OSError:  # EIO: the slave side is closed
            self.open = False

    def advance(self, now):
        """Runs what can run now; returns when it next needs the clock (or None)."""
        while self.script and self.failed is None:
            step = self.script[0]
            if self.step_since is None:
                self.step_since = now
            kind = step[0]
            if kind == "at":
                if now < step[1]:
                    return step[1]
            elif kind == "mark":
                self.marks[step[1]] = now
            elif kind == "key":
                if now < self.next_key:
                    return self.next_key
                try:
                    os.write(self.fd, step[1].encode())
                except OSError:
                    self.failed = "write"
                    return None
                self.search_from = len(self.out)
                self.next_key = now + self.pace
            elif kind == "wait":
                _, needle, timeout, label = step
                if self.out.find(needle.encode(), self.search_from) >= 0:
                    self.marks[label] = now
                else:
                    deadline = self.step_since + timeout
                    if now >= deadline:
                        self.failed = label
                        return None
                    return deadline
            self.script.popleft()
            self.step_since = None
        return None

    def idle(self):
        return not self.script or self.failed is not None

    def keys(self, text):
        for c in text:
            self.script.append(("key", c))


class Pump:
    """Drains every pty (a session that is not read blocks on its next frame)."""

    def __init__(self):
        self.sessions = {}
        self.poll = select.poll()

    def add(self, session):
        self.sessions[session.fd] = session
        self.poll.register(session.fd, select.POLLIN)

    def once(self, timeout_ms):
        """One poll: reads whatever the ptys have, without running the scripts."""
        for fd, _ in self.poll.poll(timeout_ms):
            s = self.sessions[fd]
            s.read()
            if not s.open:
                self.poll.unregister(fd)

    def run(self, until, done=None):
        """Reads and runs the scripts until the monotonic time `until`, or `done()`.

        A session's script runs again only when it printed something or its own time came
        (keeps this driver's CPU low: it shares the 2 cores with what it measures)."""
        due = set(self.sessions.values())  # scripts may have grown since the last run
        wakes = {}
        while True:
            now = time.monotonic()
            for s, w in list(wakes.items()):
                if w <= now:
                    due.add(s)
                    del wakes[s]
            for s in due:
                w = s.advance(now)
                if w is not None:
                    wakes[s] = w
                else:
                    wakes.pop(s, None)
            due = set()
            if done is not None and done():
                return True
            if now >= until:
                return False
            wake = min(wakes.values(), default=until)
            timeout_ms = max(1, int((min(wake, until) - now) * 1000) + 1)
            if done is not None:
                timeout_ms = min(timeout_ms, 50)
            for fd, _ in self.poll.poll(timeout_ms):
                s = self.sessions[fd]
                s.read()
                due.add(s)
                if not s.open:
                    self.poll.unregister(fd)


def keystroke_latency(pump, s, count):
    """`count` keystrokes into the home screen's catalogue filter (a letter, then backspace):
    for each, the seconds from the write to the first byte of the answering frame. The next
    key goes once the frame is over (20 ms without output). The other sessions are read
    too (any output of theirs would be counted as bytes written while idle)."""
    latencies = []
    for i in range(count):
        key = b"w" if i % 2 == 0 else b"\x7f"
        before = len(s.out)
        t0 = time.monotonic()
        try:
            os.write(s.fd, key)
        except OSError:
            break
        deadline = t0 + 5.0
        while len(s.out) == before and s.open and time.monotonic() < deadline:
            pump.once(max(1, int((deadline - time.monotonic()) * 1000)))
        if len(s.out) == before:
            break
        latencies.append(time.monotonic() - t0)
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 0.02:
            seen = len(s.out)
            pump.once(20)
            if len(s.out) != seen:
                quiet_since = time.monotonic()
    return latencies


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def spawn_session(index, binary, home, socket, pace):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }

    def controlling_tty():
        # After setsid (start_new_session): the pty becomes the controlling terminal, as
        # under sshd.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [binary, "--kiosk", "--socket", socket],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=home,
        start_new_session=True,
        preexec_fn=controlling_tty,
        close_fds=True,
    )
    os.close(slave)
    os.set_blocking(master, False)
    return Session(index, proc, master, pace)


def add_cashier(binary, env, name, role, pin):
    r = subprocess.run(
        [binary, "cashier", "add", name, "--role", role],
        input=f"{pin}\n{pin}\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if r.returncode != 0:
        sys.exit(f"caisse cashier add {name}: exit {r.returncode}: {r.stderr.strip()}")


def wait_for_file_text(path, text, timeout, proc):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8", errors="replace") as f:
            content = f.read()
        if text in content:
            return content
        if proc.poll() is not None:
            sys.exit(f"the service ended (exit {proc.returncode}):\n{content}")
        time.sleep(0.05)
    sys.exit(f"the service never printed « {text} »")


class Phase:
    """CPU of the sessions (together) and of the service over a stretch of the run, and the
    service's largest thread count seen at its end."""

    def __init__(self, sessions, service):
        self.sessions, self.service = sessions, service
        self.c0 = {s.index: cpu_ticks(s.proc.pid) or 0 for s in sessions}
        self.v0 = cpu_ticks(service.pid) or 0
        self.io0 = syscalls(service.pid)
        self.t0 = time.monotonic()

    def end(self):
        seconds = time.monotonic() - self.t0
        ticks = sum((cpu_ticks(s.proc.pid) or self.c0[s.index]) - self.c0[s.index] for s in self.sessions)
        service = (cpu_ticks(self.service.pid) or self.v0) - self.v0
        threads = status_field(self.service.pid, "Threads") or 0
        io = syscalls(self.service.pid) - self.io0
        return seconds, pct(ticks, seconds), pct(service, seconds), threads, io


def last_text(out, chars=160):
    """The end of a session's output without escape sequences: what its screen last said."""
    text = re.sub(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]", b" ", bytes(out[-8192:]))
    return " ".join(text.decode("utf-8", "replace").split())[-chars:]


def pct(ticks, seconds):
    return 100.0 * ticks / TICK / seconds


def fmt_pct(x):
    return f"{x:.2f}" if x < 1 else f"{x:.1f}"


def durations(sessions, start, end):
    return [s.marks[end] - s.marks[start] for s in sessions if start in s.marks and end in s.marks]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help="cashier sessions (default 20)")
    ap.add_argument("--idle", type=float, default=30.0, help="idle window in seconds (default 30)")
    ap.add_argument("--binary", default=None, help="the caisse binary (default target/release/caisse)")
    ap.add_argument("--stagger", type=float, default=0.1,
                    help="seconds between two sessions' logins, and between two sales (default 0.1)")
    ap.add_argument("--pace", type=float, default=0.05, help="seconds between keystrokes (default 0.05)")
    ap.add_argument("--service-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the service, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    ap.add_argument("--keys", type=int, default=200,
                    help="keystrokes of the latency probe (default 200)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    n = args.sessions
    if not 1 <= n <= 999:
        sys.exit("--sessions: 1 to 999 (the phone numbers are 7724NNN88)")
    binary = os.path.abspath(args.binary or default_binary())
    if not os.access(binary, os.X_OK):
        sys.exit(f"no caisse binary at {binary}: cargo build --release, or --binary PATH")

    tmp = tempfile.mkdtemp(prefix="caisse-kiosk-")
    journal = os.path.join(tmp, "journal.db")
    socket = os.path.join(tmp, "caisse.sock")
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8",
                "CAISSE_DB": journal}
    service = None
    sessions = []
    failed = []
    try:
        add_cashier(binary, base_env, "awa", "cashier", PIN)
        add_cashier(binary, base_env, "chef", "supervisor", SUPERVISOR_PIN)

        err_path = os.path.join(tmp, "serve.stderr")
        service_env = dict(base_env)
        for pair in args.service_env:
            name, _, value = pair.partition("=")
            service_env[name] = value
        with open(err_path, "wb") as err:
            service = subprocess.Popen([binary, "serve", "--socket", socket], env=service_env,
                                       stdin=subprocess.DEVNULL, stdout=err, stderr=err, cwd=tmp,
                                       start_new_session=True)
        wait_for_file_text(err_path, "à l'écoute sur", 30, service)

        # 1. Sessions: started a little apart, then each logs in `stagger` after the previous.
        pump = Pump()
        for i in range(n):
            s = spawn_session(i, binary, tmp, socket, args.pace)
            s.script.append(("wait", LOGIN_SCREEN, 30.0, "login screen"))
            sessions.append(s)
            pump.add(s)
            pump.run(time.monotonic() + 0.01)
        login_at = time.monotonic() + 0.5
        login_phase = Phase(sessions, service)
        for i, s in enumerate(sessions):
            s.script.append(("at", login_at + i * args.stagger))
            s.keys("awa\r")
            s.keys(PIN)
            s.script.append(("key", "\r"))
            s.script.append(("mark", "pin sent"))
            s.script.append(("wait", HOME, 60.0 + n * args.stagger, "home"))
        pump.run(time.monotonic() + 120 + n * args.stagger, lambda: all(s.idle() for s in sessions))
        login_cost = login_phase.end()
        logged_in = [s for s in sessions if "home" in s.marks]
        service_rss_login = rss_kib(service.pid) or 0
        login_first_frame = durations(sessions, "pin sent", "home")
        startup = [s.marks["login screen"] - s.spawned for s in sessions if "login screen" in s.marks]

        # 2. One sale each: Wave cash-out, phone 7724NNN88 (auto-approved), 1 000 FCFA.
        pump.run(time.monotonic() + 1.0)  # balance and pending count arrive
        sale_at = time.monotonic()
        sale_phase = Phase(sessions, service)
        for s in sessions:
            s.bytes_at_sale = len(s.out)
        for k, s in enumerate(logged_in):
            s.script.append(("at", sale_at + k * args.stagger))
            s.keys("wave")
            s.script.append(("key", "\r"))
            s.script.append(("wait", PHONE_FIELD, 15.0, "form"))
            s.keys(f"7724{s.index:03d}88\r")
            s.keys("1000\r")
            s.script.append(("wait", CONFIRM, 15.0, "confirm"))
            s.script.append(("key", "\r"))
            s.script.append(("mark", "sent"))
            # The sandbox approves a few seconds after the send; hundreds at once queue up
            # behind the poll budget (a few status calls per second for the whole shop).
            s.script.append(("wait", SETTLED, 60.0 + n * 0.3, "settled"))
        pump.run(time.monotonic() + 120 + n * (args.stagger + 0.3), lambda: all(s.idle() for s in sessions))
        sale_cost = sale_phase.end()
        sale_bytes = [len(s.out) - s.bytes_at_sale for s in sessions]
        sold = [s for s in logged_in if "sent" in s.marks]
        settled = [s for s in sold if "settled" in s.marks]
        settle_times = durations(sessions, "sent", "settled")
        # « Paiement r » was searched (robust to a split); check the whole phrase too.
        settled_full = sum(1 for s in settled if SETTLED_FULL.encode() in s.out)

        # 3. Idle: a short grace for the last frames, then 3 sub-windows.
        pump.run(time.monotonic() + 5.0)
        window = args.idle / 3
        bytes_before = sum(len(s.out) for s in sessions)
        totals, per, serv = [], [], []
        for _ in range(3):
            alive = [s for s in sessions if s.proc.poll() is None]
            c0 = {s.index: cpu_ticks(s.proc.pid) or 0 for s in alive}
            v0 = cpu_ticks(service.pid) or 0
            w0 = time.monotonic()
            pump.run(w0 + window)
            seconds = time.monotonic() - w0
            ticks = sum((cpu_ticks(s.proc.pid) or c0[s.index]) - c0[s.index] for s in alive)
            totals.append(pct(ticks, seconds))
            per.append(pct(ticks, seconds) / max(1, len(alive)))
            serv.append(pct((cpu_ticks(service.pid) or v0) - v0, seconds))
        idle_bytes = sum(len(s.out) for s in sessions) - bytes_before
        rss = [r for r in (rss_kib(s.proc.pid) for s in sessions) if r is not None]
        pss = [r for r in (pss_kib(s.proc.pid) for s in sessions) if r is not None]
        service_rss = rss_kib(service.pid) or 0
        service_hwm = status_field(service.pid, "VmHWM") or 0
        service_threads = status_field(service.pid, "Threads") or 0

        # 4. One session active, the others idle: keystroke to frame. Back to the home
        # screen first (Esc on the success screen: a new sale).
        active = settled[0] if settled else (logged_in[0] if logged_in else None)
        latencies = []
        probe_cpu = None
        if active is not None:
            active.script.append(("key", "\x1b"))
            # A catalogue tile: « Que veut le client » may not be written again (only the
            # changed cells are), the tiles are.
            active.script.append(("wait", "Aquatech", 15.0, "home again"))
            pump.run(time.monotonic() + 20, lambda: active.idle())
            pump.run(time.monotonic() + 0.5)
            probe = Phase(sessions, service)
            latencies = keystroke_latency(pump, active, args.keys)
            probe_cpu = probe.end()

        # 5. The journal, read-only, while the service still runs.
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=10)
        rows = db.execute("SELECT count(*) FROM transactions").fetchone()[0]
        success = db.execute("SELECT count(*) FROM transactions WHERE status = 'SUCCESS'").fetchone()[0]
        terminals = db.execute("SELECT count(DISTINCT terminal) FROM transactions").fetchone()[0]
        foreign = db.execute("SELECT count(*) FROM transactions WHERE cashier != 'awa'").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        statuses = db.execute("SELECT status, count(*) FROM transactions GROUP BY status").fetchall()
        db.close()

        # 6. SSH drop: SIGHUP every session; each should be gone within 2 s.
        died_early = [s.index for s in sessions if s.proc.poll() is not None]
        for s in sessions:
            if s.proc.poll() is None:
                os.kill(s.proc.pid, signal.SIGHUP)
        hup_deadline = time.monotonic() + 2.0
        pump.run(hup_deadline, lambda: all(s.proc.poll() is not None for s in sessions))
        hup_exited = sum(1 for s in sessions if s.proc.poll() is not None)
        for s in sessions:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()

        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
        with open(err_path, encoding="utf-8", errors="replace") as f:
            service_err = f.read()
        err_lines = [l for l in service_err.splitlines() if "erreur" in l.lower() or "error" in l.lower()]
        screen_errors = [s.index for s in sessions if any(e in s.out.lower() for e in SCREEN_ERRORS)]
        journal_errors = len(err_lines) + len(screen_errors)

        # Report.
        mib = lambda k: k / 1024
        print(f"binary: {binary}" + (f"; service env {' '.join(args.service_env)}" if args.service_env else ""))
        print(f"sessions: {n} started, {len(logged_in)} logged in, {len(sold)} sales, {len(settled)} settled")
        if login_first_frame:
            print(f"login: login screen drawn {statistics.median(startup) * 1000:.0f} ms after exec (max {max(startup) * 1000:.0f}); "
                  f"PIN Enter to home screen median {statistics.median(login_first_frame):.2f} s "
                  f"(max {max(login_first_frame):.2f}), logins {args.stagger * 1000:.0f} ms apart")
        if settle_times:
            print(f"sale: confirm to « Paiement réussi » median {statistics.median(settle_times):.1f} s "
                  f"(max {max(settle_times):.1f}); whole phrase seen on {settled_full}/{len(settled)} screens")
        print(f"  bytes written per session during the sales phase: median {statistics.median(sale_bytes):.0f}, "
              f"max {max(sale_bytes)}")
        for name, (secs, sess, serv_pct, threads, io) in (("logins", login_cost), ("sales", sale_cost)):
            print(f"  {name} phase {secs:.1f} s: sessions total CPU {fmt_pct(sess)} % of a core, "
                  f"service {fmt_pct(serv_pct)} %, {io / secs:.0f} read+write syscalls/s; "
                  f"service threads at its end {threads}")
        print(f"idle {args.idle:g} s: sessions total CPU {fmt_pct(statistics.median(totals))} % of a core "
              f"(median of 3), per session {fmt_pct(statistics.median(per))} %, "
              f"service {fmt_pct(statistics.median(serv))} %; bytes written while idle: {idle_bytes}")
        together = statistics.median(t + v for t, v in zip(totals, serv))
        print(f"  service and all {n} sessions together, idle: {fmt_pct(together)} % of one core (goal < 10 %)")
        print(f"  sub-windows of {window:.0f} s: sessions " + ", ".join(f"{x:.2f}" for x in totals)
              + " %; service " + ", ".join(f"{x:.2f}" for x in serv)
              + f" % (one clock tick = {pct(1, window):.2f} %)")
        if rss:
            print(f"memory: session RSS median {mib(statistics.median(rss)):.1f} MiB (max {mib(max(rss)):.1f}), "
                  f"service RSS {mib(service_rss):.1f} MiB")
        if pss:
            print(f"  sessions: PSS median {mib(statistics.median(pss)):.1f} MiB, all sessions together "
                  f"{mib(sum(pss)):.0f} MiB (RSS counts the shared binary in every session)")
        print(f"  service: RSS {mib(service_rss_login):.1f} MiB after the logins, peak (VmHWM) "
              f"{mib(service_hwm):.1f} MiB, {service_threads} threads at the end of the idle window")
        if latencies:
            secs, sess, serv_pct, _, _ = probe_cpu
            print(f"keystroke to frame, one session typing while {n - 1} idle: "
                  f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms over {len(latencies)} keys "
                  f"(sessions CPU {fmt_pct(sess)} %, service {fmt_pct(serv_pct)} % meanwhile)")
        print(f"journal: {rows} rows, {success} SUCCESS, {terminals} terminals, {foreign} foreign cashier, "
              f"integrity {integrity}, {journal_errors} journal errors")
        if len(statuses) > 1 or (statuses and statuses[0][0] != "SUCCESS"):
            print("  statuses: " + ", ".join(f"{st} {c}" for st, c in statuses))
        me = os.times()
        print(f"driver (this script) CPU: {me.user + me.system:.1f} s over the whole run")
        print(f"hangup: {hup_exited}/{n} sessions exited within 2 s of SIGHUP; service exit {service.returncode}")
        if died_early:
            print(f"  sessions already gone before the hangup: {died_early[:20]}")
        for line in err_lines[:10]:
            print(f"  service: {line}")
        if screen_errors:
            print(f"  journal error on the screen of sessions {screen_errors[:20]}")
        for s in sessions:
            if s.failed:
                print(f"  session {s.index} (pid {s.proc.pid}): timed out waiting for {s.failed}; "
                      f"its last text: {last_text(s.out)!r}")

        checks = [
            (len(logged_in) == n, f"logged in {len(logged_in)} != {n}"),
            (len(sold) == n, f"sales {len(sold)} != {n}"),
            (len(settled) == n, f"settled {len(settled)} != {n}"),
            (rows == n, f"journal rows {rows} != {n}"),
            (success == n, f"SUCCESS rows {success} != {n}"),
            (terminals == n, f"distinct terminals {terminals} != {n}"),
            (foreign == 0, f"{foreign} rows by another cashier"),
            (integrity == "ok", f"integrity_check: {integrity}"),
            (journal_errors == 0, f"{journal_errors} journal errors"),
            (hup_exited == n, f"only {hup_exited}/{n} sessions left on SIGHUP"),
            (not died_early, f"{len(died_early)} sessions ended by themselves"),
            (len(latencies) == args.keys, f"{len(latencies)}/{args.keys} keystrokes answered"),
        ]
        failed = [why for ok, why in checks if not ok]
        print("checks: " + ("all passed" if not failed else "FAILED: " + "; ".join(failed)))
    finally:
        for s in sessions:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
            try:
                os.close(s.fd)
            except OSError:
                pass
        if service is not None and service.poll() is None:
            service.kill()
            service.wait()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
