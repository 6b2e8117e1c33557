"""Soak: a simulated week of use through the real shell, on an accelerated clock (issue #4, 8).

Days pass on a ``FakeClock``, with the wall time moving on from one day to the next. Each day one
to three sessions are done by simulated people (``steady``, ``slipping``, ``sore``). Stray presses
come at random moments: taps, holds, RED, contact bounce, GREEN and AMBER together, and a button
stuck down for longer than ``stuck_seconds``. There are idle spells of hours on the home screen,
and restarts (close the app, build a new one on the same data dir) at random points, some of
them in the middle of a session. Rituals are not in the kiosk yet. The simulated person answers
whatever screen waits for a press, so rituals will be walked through once they exist.

The targets: no crash, every finished session in the history (in order), memory growth under
10 MB and no frame stall over 100 ms. One frame is one ``App.step()``. Every kind of person and
stray press comes early, so even a two-day soak has them all.

``tests/test_soak.py`` asserts every target but the frame times, which depend on the machine: it
soaks two days in ``make test`` and the week in ``make soak``. ``benchmarks/bench_soak.py`` runs
as many days as you ask and prints the figures, frame times included. Both drive this module, so
the logic is in one place.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import random
import threading
import time
import tracemalloc
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO, cast

from kiosk.app import App
from kiosk.clock import FakeClock
from kiosk.config import Config, load_config
from kiosk.core.data.model import Button
from kiosk.runtime import Notices, Options, build
from kiosk.sim import PROFILES, Hands, SimUser
from kiosk.store.months import WholeHistory

SEED = 20261125
START = datetime(2026, 11, 23, 6, 0)  # a Monday morning
BUSY_DT = 0.05  # fake seconds per step in a session, or with a button down (app.BUSY_WAIT)
IDLE_DT = 1.0  # and on an idle home screen, where nothing happens for hours
STALL = 0.100  # a frame longer than this is a stall the person would notice
MEMORY_BUDGET = 10 * 2**20
MISCHIEF = ("tap", "red", "hold", "bounce", "together", "stuck")
MISCHIEF_EVERY = 120.0  # mean fake seconds between stray presses during a session
LONGEST_SESSION = 3 * 3600.0  # no session should run longer, whatever is pressed
HUNG = 300.0  # real seconds: only a hung writer takes this long to finish its last save


# --- measuring ----------------------------------------------------------------------------------
class RunQueue:
    """How long this thread waited for a CPU that another process had: the kernel's schedstat.

    On a shared test machine another process can hold the CPU for longer than a frame while the
    loop is ready to run. That wait is the machine's doing, not the kiosk's, so a step's own time
    is its wall time less this wait. Waits for a disk or a lock still count. Where there is no
    schedstat, nothing is subtracted.
    """

    def __init__(self) -> None:
        path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
        try:
            self._fd: int | None = os.open(path, os.O_RDONLY)
        except OSError:
            self._fd = None

    def read(self) -> bytes:
        return os.pread(self._fd, 80, 0) if self._fd is not None else b""

    @staticmethod
    def waited(before: bytes, after: bytes) -> float:
        """Seconds spent runnable but not running between two ``read()``s."""
        if not before or not after:
            return 0.0
        return (int(after.split()[1]) - int(before.split()[1])) / 1e9

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class Step:
    """One step worth reporting: it took longer than the frame budget, by the wall clock."""

    wall_ms: float
    waited_ms: float  # of which it waited for a CPU held by another process
    screen: str

    @property
    def own_ms(self) -> float:
        return self.wall_ms - self.waited_ms


class StepTimes:
    """Times of every ``App.step()``: count, max, p99 and the steps over the budget.

    A histogram of fixed size, allocated before the memory baseline, so measuring a million
    steps adds nothing to the memory growth being measured.
    """

    BUCKET = 10e-6  # 10 microseconds
    BUCKETS = 20_000  # up to 200 ms; the last bucket holds everything longer
    KEEP = 20  # steps over the budget kept for the report

    def __init__(self) -> None:
        self.hist = array("Q", bytes(8 * self.BUCKETS))
        self.count = 0
        self.max_s = 0.0
        self.max_own_s = 0.0
        self.over: list[Step] = []  # the first few steps over the budget by the wall clock
        self.stalls: list[Step] = []  # the first few over it by their own time
        self.n_over = self.n_stalls = 0

    def add(self, wall: float, before: bytes, after: bytes, screen: str) -> None:
        self.count += 1
        self.hist[min(int(wall / self.BUCKET), self.BUCKETS - 1)] += 1
        if wall > self.max_s:
            self.max_s = wall
        own = wall
        if wall > 0.001:  # only a slow step is worth reading the schedstat figures of
            own -= RunQueue.waited(before, after)
        if own > self.max_own_s:
            self.max_own_s = own
        if wall > STALL:
            step = Step(wall * 1000, (wall - own) * 1000, screen)
            self.n_over += 1
            if len(self.over) < self.KEEP:
                self.over.append(step)
            if own > STALL:
                self.n_stalls += 1
                if len(self.stalls) < self.KEEP:
                    self.stalls.append(step)

    def percentile_ms(self, p: float) -> float:
        want, seen = self.count * p / 100, 0
        for i, n in enumerate(self.hist):
            seen += n
            if seen >= want and n:
                return (i + 1) * self.BUCKET * 1000
        return 0.0


def rss_bytes() -> int:
    """Resident set size, from /proc/self/statm (0 where there is no /proc)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


class _Problems(logging.Handler):
    """Counts what the kiosk logs at WARNING and above; keeps the first few ERROR messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.levels: Counter[str] = Counter()
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[record.levelname] += 1
        if record.levelno >= logging.ERROR and len(self.errors) < 10:
            self.errors.append(f"{record.name}: {record.getMessage()}")


class _Speech(io.TextIOBase):
    """Where the demo voice prints: counts the lines and keeps none of them."""

    def __init__(self) -> None:
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.lines += s.count("\n")
        return len(s)


# --- the result ---------------------------------------------------------------------------------
@dataclass
class Figures:
    days: int
    seed: int
    saved: list[str] = field(default_factory=list)  # app.saved of every app, in order
    history: list[str] = field(default_factory=list)  # ids in WholeHistory.records() at the end
    unsaved: list[str] = field(default_factory=list)  # still pending when an app closed
    started: int = 0  # times the screen left home
    lost: int = 0  # sessions cut off by a restart
    unattended: int = 0  # sessions started by a stray press and left alone
    restarts: int = 0
    restart_max_ms: float = 0.0
    steps: int = 0
    step_max_ms: float = 0.0
    step_p99_ms: float = 0.0
    step_max_own_ms: float = 0.0  # less the time the step waited for a CPU
    n_over: int = 0  # steps over the budget by the wall clock
    n_stalls: int = 0  # and by their own time: stalls
    over: list[Step] = field(default_factory=list)  # the first few of each
    stalls: list[Step] = field(default_factory=list)
    traced_base: int = 0
    traced_end: int = 0
    traced_peak: int = 0
    rss_base: int = 0
    rss_end: int = 0
    profiles: Counter[str] = field(default_factory=Counter)
    mischief: Counter[str] = field(default_factory=Counter)
    said: int = 0
    logged: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    thread_errors: list[str] = field(default_factory=list)
    writers_left: int = 0  # history-writer threads still alive after the last close
    wall_end: datetime | None = None  # the fake wall clock when the soak ended
    seconds: float = 0.0

    @property
    def traced_growth(self) -> int:
        return self.traced_end - self.traced_base

    @property
    def traced_peak_growth(self) -> int:
        return self.traced_peak - self.traced_base

    @property
    def rss_growth(self) -> int:
        return self.rss_end - self.rss_base

    def summary(self) -> str:
        mb = 2**20
        traced = (f"+{self.traced_growth / mb:.2f} MB traced "
                  f"(peak +{self.traced_peak_growth / mb:.2f} MB), ") if self.traced_end else ""
        return (
            f"soak: {self.days} days, {len(self.saved)} sessions saved "
            f"({self.lost} lost to restarts, {self.unattended} left unattended), "
            f"{self.restarts} restarts, {self.steps} steps, "
            f"max step {self.step_max_ms:.1f} ms (p99 {self.step_p99_ms:.2f} ms, "
            f"own max {self.step_max_own_ms:.1f} ms, {self.n_over} over {STALL * 1000:.0f} ms, "
            f"{self.n_stalls} stalls), "
            f"memory {traced}+{self.rss_growth / mb:.2f} MB RSS, {self.seconds:.1f} s"
        )


def _writers() -> set[threading.Thread]:
    """The history writers' threads alive now."""
    return {t for t in threading.enumerate() if t.name == "history-writer" and t.is_alive()}


# --- the driver ---------------------------------------------------------------------------------
class Soak:
    """Days of simulated use of the real shell, on mock pins and a fake clock.

    Everything random comes from one ``random.Random(seed)`` and the kiosk runs on the fake
    clock, so a seed replays the same days, presses and restarts. Only the time measurements and
    the session ids (a random nonce per start-up) differ from run to run.
    """

    def __init__(
        self, data_dir: Path, *, seed: int = SEED, start: datetime = START,
        cfg: Config | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.cfg = cfg or load_config().config
        self.rng = random.Random(seed)
        self.start = start
        self.clock = FakeClock(start)
        self.speech = _Speech()
        self.times = StepTimes()
        self.fig = Figures(days=0, seed=seed)
        self.app: App  # set by _open(), in run()
        self._running = False
        self.user: SimUser | None = None
        self.hands = Hands(self._press, {})  # the real hold times once an app is open
        self._in_session_since: float | None = None
        self._mischief_at: float | None = None
        self._restart_at: float | None = None
        self._others: set[threading.Thread] = set()
        self._profiles_left = self.rng.sample(PROFILES, len(PROFILES))
        self._mischief_left = self.rng.sample(MISCHIEF, len(MISCHIEF))

    # --- the week ---------------------------------------------------------------------------
    def run(self, days: int, *, trace_memory: bool = True) -> Figures:
        """Soak for ``days`` days (at least 2: the first is the warm-up for memory).

        ``trace_memory=False`` leaves tracemalloc off: the soak runs about four times faster and
        its step times are truer, but only RSS measures the memory then.
        """
        if days < 2:
            raise ValueError("soak at least 2 days: the first one is the memory warm-up")
        fig = self.fig
        fig.days = days
        started = time.perf_counter()
        self._others = set(_writers())  # left by whoever ran before: not this soak's to count
        tracing = tracemalloc.is_tracing()
        if trace_memory and not tracing:
            tracemalloc.start()
        problems = _Problems()
        self.run_queue = RunQueue()  # of this thread, the one that steps the app
        kiosk_log = logging.getLogger("kiosk")
        kiosk_log.addHandler(problems)
        old_hook = threading.excepthook
        threading.excepthook = self._thread_error
        try:
            self._open()
            for day in range(days):
                self._day(self.start.date() + timedelta(days=day))
                if day == 0:
                    fig.traced_base, fig.rss_base = self._memory()
                    tracemalloc.reset_peak()
            fig.traced_end, fig.rss_end = self._memory()
            fig.traced_peak = tracemalloc.get_traced_memory()[1]
            fig.wall_end = self.clock.wall()
        finally:
            if self._running:
                self._close()
            threading.excepthook = old_hook
            kiosk_log.removeHandler(problems)
            self.run_queue.close()
            if trace_memory and not tracing:
                tracemalloc.stop()
        self._collect(problems)
        fig.seconds = time.perf_counter() - started
        return fig

    def _day(self, day: date) -> None:
        """One day: a plan of what happens when, then idle until the next morning."""
        midnight = datetime.combine(day, datetime.min.time())
        for at, what in self._plan_day(midnight):
            self._run_until(self._t_at(at))
            if what == "restart":
                self._restart(held=self.rng.choice(list(Button)) if self.rng.random() < 0.25
                              else None)
                continue
            self._run_until_home()
            if what == "session":
                self._new_user(self._pick(self._profiles_left, PROFILES))
            else:
                self._stray_press(home=True)
        self._run_until(self._t_at(midnight + timedelta(days=1, hours=6)))

    def _plan_day(self, midnight: datetime) -> list[tuple[datetime, str]]:
        r = self.rng
        plan: list[tuple[datetime, str]] = []
        n = r.randint(1, 3)
        waking = (7 * 3600, 21 * 3600)  # sessions between 07:00 and 21:00, an hour apart at least
        span = (waking[1] - waking[0]) / n
        for i in range(n):
            at = waking[0] + i * span + r.uniform(0, span - 3600)
            plan.append((midnight + timedelta(seconds=round(at)), "session"))
        for _ in range(r.randint(1, 4)):
            plan.append((midnight + timedelta(seconds=r.randint(6 * 3600, 23 * 3600)), "press"))
        for _ in range(r.choice((0, 1, 1, 2))):  # at any hour, before the next day begins
            at = r.randint(6 * 3600, 30 * 3600 - 60)
            plan.append((midnight + timedelta(seconds=at), "restart"))
        return sorted(plan)

    # --- the loop ---------------------------------------------------------------------------
    def _run_until(self, t_end: float) -> None:
        while self.clock.now() < t_end:
            busy = self.hands.busy or self._in_session_since is not None
            t = min(self.clock.now() + (BUSY_DT if busy else IDLE_DT), t_end)
            if (due := self.hands.next_at) is not None:
                t = min(t, due)
            self.clock.advance(t - self.clock.now())
            self._tick()

    def _run_until_home(self) -> None:
        while self._in_session_since is not None or self.hands.busy:
            self._run_until(round(self.clock.now() + BUSY_DT, 3))

    def _tick(self) -> None:
        now = self.clock.now()
        self.hands.move_due(now)
        self._step()
        self._follow_screen(now)
        if self._restart_at is not None and now >= self._restart_at:
            self._restart()
            return
        if self.hands.busy:
            return
        if self._mischief_at is not None and now >= self._mischief_at:
            self._stray_press(home=False)
        elif self.user is not None:
            self.hands.follow(self.user, self.app.view, now)

    def _step(self) -> None:
        app = self.app
        before = self.run_queue.read()
        t0 = time.perf_counter()
        app.step()
        wall = time.perf_counter() - t0
        self.times.add(wall, before, self.run_queue.read(), app.view.screen)

    def _follow_screen(self, now: float) -> None:
        """Notice a session starting or ending, the way a person sees the screen change."""
        home = self.app.view.screen == "home"
        if not home and self._in_session_since is None:
            self._in_session_since = now
            self.fig.started += 1
            self._mischief_at = self._next_mischief(now)
            if self.user is None:  # a stray press started it: someone comes over, or nobody
                if self.rng.random() < 0.5:
                    self._new_user(self._pick(self._profiles_left, PROFILES))
                else:
                    self.fig.unattended += 1
            # The power goes in the first minutes of one session in five. If none has been lost
            # yet, every third one, so that some session is lost to a restart whatever the seed.
            if self.rng.random() < 0.2 or (self.fig.lost == 0 and self.fig.started % 3 == 0):
                self._restart_at = round(now + self.rng.uniform(5, 120), 3)
        elif home and self._in_session_since is not None:
            self._in_session_since = self._mischief_at = None
            self.user = None
        elif self._in_session_since is not None and now - self._in_session_since > LONGEST_SESSION:
            raise AssertionError(f"a session never ended; it is at {self.app.view}")

    def _next_mischief(self, now: float) -> float:
        return round(now + self.rng.expovariate(1 / MISCHIEF_EVERY), 3)

    # --- people and buttons -----------------------------------------------------------------
    def _pick(self, left: list[str], every: tuple[str, ...]) -> str:
        """Each of ``every`` once, in a random order, before any at random: so even a short soak
        has every kind of person and stray press in it, whatever the seed."""
        return left.pop() if left else self.rng.choice(every)

    def _new_user(self, profile: str) -> None:
        r = self.rng
        self.fig.profiles[profile] += 1
        self.user = SimUser(profile, checkin_pain=r.randint(0, 4), checkout_pain=r.randint(0, 4),
                            reaction=r.uniform(0.3, 1.5))

    def _stray_press(self, *, home: bool) -> None:
        kind = self._pick(self._mischief_left, MISCHIEF)
        self.fig.mischief[kind] += 1
        self.hands.schedule(self.clock.now(), self._mischief(kind))
        if not home:
            self._mischief_at = self._next_mischief(self.clock.now())

    def _mischief(self, kind: str) -> list[tuple[float, Button, bool]]:
        """Pin changes for one stray press, at offsets in seconds from now."""
        r, buttons = self.rng, list(Button)
        tracker = self.app.tracker
        b = r.choice(buttons)
        if kind == "tap":
            return [(0.0, b, True), (r.uniform(0.05, 0.4), b, False)]
        if kind == "red":
            return [(0.0, Button.RED, True), (r.uniform(0.05, 0.5), Button.RED, False)]
        if kind == "hold":
            return [(0.0, b, True), (tracker.hold[b] + r.uniform(0.1, 2.0), b, False)]
        if kind == "stuck":
            return [(0.0, b, True), (tracker.stuck + r.uniform(0.5, 4.0), b, False)]
        if kind == "bounce":  # a burst of edges inside the 30 ms bounce window
            offsets = sorted(r.sample(range(29), r.randint(3, 8)))
            edges = [(ms / 1000, b, i % 2 == 0) for i, ms in enumerate(offsets)]
            if len(offsets) % 2:  # it settled down: let go a little later
                edges.append((r.uniform(0.1, 0.6), b, False))
            return edges
        first, second = r.sample([Button.GREEN, Button.AMBER], 2)
        lag, held = r.randint(0, 20) / 1000, r.uniform(0.1, 2.5)
        up = [first, second] if r.random() < 0.5 else [second, first]
        return [(0.0, first, True), (lag, second, True), (held, up[0], False),
                (held + r.uniform(0, 0.3), up[1], False)]

    def _press(self, button: Button, down: bool) -> None:
        self.app.press_pin(button, down)  # whichever app is running now

    # --- restarts ---------------------------------------------------------------------------
    def _open(self, held: Button | None = None) -> None:
        notices = Notices()
        opts = Options(mock=True, display="headless", data_dir=self.data_dir, demo=True,
                       out=cast(TextIO, self.speech))
        self.app = build(self.cfg, opts, notices, self.clock)
        self.hands = Hands(self._press, self.app.tracker.hold)
        if held is not None:  # a button already down at start-up is taken as stuck
            self.hands.move(held, True)
            self.hands.schedule(self.clock.now(), [(self.rng.uniform(1.0, 4.0), held, False)])
        self.app.start(notices.spoken)
        self._running = True

    def _close(self) -> None:
        self._running = False
        self.app.close()
        # close() waits ten seconds for the last save, as a stopping service must; a starved
        # machine can take longer. The power comes back only once the disk is done, so a slow
        # machine soaks the same days as a fast one; only a hung writer outlives HUNG.
        for thread in _writers() - self._others:
            thread.join(HUNG)
        self.fig.saved.extend(self.app.saved)
        self.fig.unsaved.extend(self.app.dev.writer.pending_ids)

    def _restart(self, *, held: Button | None = None) -> None:
        """The kiosk is closed and started again: a session in progress is kept up to its last
        rated rep (the close path checkpoints it), saved ones are not touched."""
        t0 = time.perf_counter()
        mid_session = self._in_session_since is not None
        self._close()
        self._open(held)  # with new hands: whatever was held went with the power
        self.fig.restarts += 1
        self.fig.restart_max_ms = max(self.fig.restart_max_ms, (time.perf_counter() - t0) * 1000)
        self._in_session_since = self._mischief_at = self._restart_at = None
        if mid_session:
            self.fig.lost += 1
            if self.user is not None and self.rng.random() < 0.5:  # they start again
                self._new_user(self.user.profile)
            else:
                self.user = None
        else:
            self.user = None

    # --- bookkeeping ------------------------------------------------------------------------
    def _t_at(self, wall: datetime) -> float:
        """The kiosk time at which the fake wall clock reads ``wall``."""
        return round(self.clock.now() + (wall - self.clock.wall()).total_seconds(), 3)

    def _memory(self) -> tuple[int, int]:
        gc.collect()
        return tracemalloc.get_traced_memory()[0], rss_bytes()

    def _thread_error(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        self.fig.thread_errors.append(f"{name}: {args.exc_type.__name__}: {args.exc_value}")

    def _collect(self, problems: _Problems) -> None:
        fig, times = self.fig, self.times
        fig.steps = times.count
        fig.step_max_ms = times.max_s * 1000
        fig.step_p99_ms = times.percentile_ms(99)
        fig.step_max_own_ms = times.max_own_s * 1000
        fig.n_over, fig.n_stalls = times.n_over, times.n_stalls
        fig.over, fig.stalls = times.over, times.stalls
        fig.said = self.speech.lines
        fig.logged, fig.errors = problems.levels, problems.errors
        fig.writers_left = len(_writers() - self._others)
        with WholeHistory.open(self.data_dir) as h:
            # Every record the apps saved: sessions, safety answers and pain log entries.
            fig.history = [str(r.id) for r in h.records()]


