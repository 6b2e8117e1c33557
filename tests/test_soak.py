"""Soak (issue #4, 8): simulated days through the real shell must lose no finished session and
grow under 10 MB. ``make test`` soaks two days (memory by RSS), ``make soak`` the week (with
tracemalloc). Frame times depend on the machine, so they are printed here, never asserted:
``benchmarks/bench_soak.py`` judges the 100 ms stall target. The driver is ``kiosk.soak``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.sim import PROFILES  # noqa: E402
from kiosk.soak import MEMORY_BUDGET, MISCHIEF, STALL, START, Soak  # noqa: E402
from tests.lengths import FULL, count  # noqa: E402

DAYS = count(short=2, full=7)


# --- the test -----------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.soak
def test_a_week_of_use_saves_every_session_without_crash_or_growth(tmp_path: Path) -> None:
    # tracemalloc makes every allocation about four times slower: the full soak pays for the
    # exact figure, the short one in `make test` measures memory by RSS.
    fig = Soak(tmp_path).run(days=DAYS, trace_memory=FULL)
    mb = 2**20
    print()
    print(fig.summary())
    print(f"  steps {fig.steps}, max {fig.step_max_ms:.2f} ms, p99 {fig.step_p99_ms:.3f} ms, "
          f"own max {fig.step_max_own_ms:.2f} ms; over {STALL * 1000:.0f} ms: {fig.over} "
          "(printed, not asserted: benchmarks/bench_soak.py judges frame times)")
    print(f"  traced memory {fig.traced_base / mb:.2f} -> {fig.traced_end / mb:.2f} MB "
          f"(peak {fig.traced_peak / mb:.2f}); RSS {fig.rss_base / mb:.1f} -> "
          f"{fig.rss_end / mb:.1f} MB; restart max {fig.restart_max_ms:.0f} ms")
    print(f"  people {dict(fig.profiles)}; stray presses {dict(fig.mischief)}; "
          f"{fig.started} sessions started; {fig.said} lines said; logged {dict(fig.logged)}")

    # No crash: nothing raised (or the soak would not be here), nothing logged as an error on
    # the way (close() logs and carries on), no thread died, no writer left running.
    assert fig.errors == []
    assert fig.thread_errors == []
    assert fig.writers_left == 0
    # Every finished session is on disk, once, in the order it was finished.
    assert fig.unsaved == []
    assert len(fig.saved) == len(set(fig.saved))
    assert fig.history == fig.saved
    # Memory: tracemalloc sees Python's own allocations; RSS also SDL's and threads'.
    if FULL:
        assert fig.traced_growth < MEMORY_BUDGET, fig.summary()
        assert fig.traced_peak_growth < MEMORY_BUDGET, fig.summary()
    else:
        assert fig.rss_growth < MEMORY_BUDGET, fig.summary()
    # And the days really had in them what the soak claims to exercise.
    assert len(fig.saved) >= fig.days
    assert fig.lost >= 1 and fig.restarts > fig.lost
    assert set(fig.profiles) == set(PROFILES)
    assert set(fig.mischief) == set(MISCHIEF)
    assert fig.wall_end is not None and fig.wall_end >= START + timedelta(days=fig.days)
