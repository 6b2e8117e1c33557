"""`kiosk simulate`: a lived-in history through the real store, the way a person would look at it
with `kiosk history` and `kiosk plan`."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.core.data.records import PainEntry, SessionRecord
from kiosk.store.months import WholeHistory

END = date(2026, 11, 20)


def simulate(data: Path, *extra: str) -> int:
    return main(["--data-dir", str(data), "simulate", "--years", "0.7", "--seed", "7",
                 "--end", END.isoformat(), *extra])


def test_a_simulated_history_looks_lived_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    assert simulate(tmp_path / "d") == 0
    said = capsys.readouterr().out
    with WholeHistory.open(tmp_path / "d") as history:
        assert history.recovery is None
        sessions = history.sessions()
        records = list(history.every_record())
    entries = [r for r in records if isinstance(r, PainEntry)]
    assert f"simulated {len(sessions)} sessions and {len(entries)} pain-log entries" in said
    # Pain-log ratings now and then, on days the person was there, in save order by time.
    assert 0 < len(entries) < len(sessions) // 4
    assert {e.at.date() for e in entries} <= {s.plan_date for s in sessions}
    times = [r.at if isinstance(r, PainEntry) else r.started_at for r in records
             if isinstance(r, PainEntry | SessionRecord)]
    assert times == sorted(times)
    days = [s.plan_date for s in sessions]
    assert days == sorted(days) and days[-1] == END
    first = END - timedelta(days=round(0.7 * 365.25) - 1)
    assert days[0] >= first
    span = (END - first).days + 1
    away = span - len(set(days))
    assert 0 < away <= span // 4, (away, span)  # breaks, but never more than a quarter
    per_day = Counter(days)
    assert max(per_day.values()) == 2 and min(per_day.values()) >= 1
    changes = Counter(e.change for s in sessions for e in s.exercises)
    assert changes["advance"] and changes["new"] and changes["reenter"], changes
    assert any(s.pain_events for s in sessions)
    ends = Counter(s.ended_by for s in sessions)
    assert ends["complete"] > len(sessions) // 2


def test_the_same_seed_gives_the_same_history(tmp_path: Path) -> None:
    assert simulate(tmp_path / "a") == 0 and simulate(tmp_path / "b") == 0
    assert simulate(tmp_path / "c", "--per-day", "1") == 0
    with WholeHistory.open(tmp_path / "a") as a, WholeHistory.open(tmp_path / "b") as b:
        assert a.sessions() == b.sessions()
    with WholeHistory.open(tmp_path / "c") as c:
        assert max(Counter(s.plan_date for s in c.sessions()).values()) == 1


def test_it_refuses_a_data_dir_that_holds_a_history_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    assert simulate(data) == 0
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert simulate(data) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds a history" in err and str(data) in err
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def test_a_kiosk_started_on_a_lived_in_device_plans_as_a_full_replay(tmp_path: Path) -> None:
    """Start-up reads the newest month and a snapshot; what the person gets is what a replay
    of every session would give: the plan, the last pain, the usual pain the safety steps use."""
    from datetime import datetime

    from kiosk.config import load_config
    from kiosk.core.coach.progression import plan_for_day
    from kiosk.core.data.records import last_pain
    from tests.shell import Shell

    data = tmp_path / "d"
    assert main(["--data-dir", str(data), "simulate", "--years", "0.4", "--seed", "4",
                 "--end", "2026-11-24"]) == 0
    with WholeHistory.open(data) as history:
        every = history.sessions()
    shell = Shell(data, wall=datetime(2026, 11, 25, 9, 0))
    kiosk = shell.app.kiosk
    cfg = load_config().config
    assert len(kiosk.sessions) < len(every) // 2  # only the open month was read
    assert kiosk.plan == plan_for_day(cfg.library, every, date(2026, 11, 25), cfg.progression,
                                      cfg.session, rhythm=cfg.rhythm)
    assert kiosk.last_pain() == last_pain(every)
    window = [s.pain_before for s in kiosk.sessions if s.pain_before is not None]
    full = [s.pain_before for s in every if s.pain_before is not None]
    assert [*kiosk.earlier_checkins, *window][-7:] == full[-7:]
    shell.app.close()


def test_a_week_over_a_month_turn_counts_the_closed_months_days(
    tmp_path: Path,
) -> None:
    """Wednesday 2 December: the kiosk reads December and November's snapshot, and its week
    (Monday 30 November on) still counts the days of practice in November, as the whole
    history would."""
    from datetime import datetime

    from kiosk.core.coach.rhythm import active_days, week_of
    from kiosk.store.atomic import AtomicJSONStorage, read_regular
    from tests.shell import Shell

    data = tmp_path / "d"
    assert main(["--data-dir", str(data), "simulate", "--years", "0.6", "--seed", "11",
                 "--end", "2026-12-01"]) == 0
    with WholeHistory.open(data) as history:
        every = list(history.every_record())
    assert date(2026, 11, 30) in active_days(every)
    reads: list[str] = []  # which thread reads a closed month's file (nothing a user sees)

    class Noting(AtomicJSONStorage):
        @staticmethod
        def read_file(path: Path) -> bytes:
            if path.parent.name != "2026-12":  # December, the open month, is read at start
                reads.append(threading.current_thread().name)
            return read_regular(path)

    shell = Shell(data, wall=datetime(2026, 12, 2, 9, 0), storage=Noting)
    kiosk = shell.app.kiosk
    assert all(s.plan_date.month == 12 for s in kiosk.sessions)  # only December was read
    week = kiosk.week()
    assert week == week_of(date(2026, 12, 2), active_days(every), week.target)
    assert week.count >= 2
    # The history screens and the summaries read the last weeks, over the month's turn too,
    # as they would from the whole history (docs/progress.md).
    from kiosk.core.flows.history_screens import history_views
    from kiosk.core.reports.weekly import weekly_summary

    p, today = kiosk.progress, date(2026, 12, 2)
    # Read by the writer's thread once the kiosk was up (App.start), not at start-up.
    shell.app.dev.writer.close()  # it does what it was asked first
    assert reads and set(reads) == {"history-writer"}
    read_then = len(reads)
    recent = kiosk.recent()
    assert kiosk.recent() == recent and len(reads) == read_then  # kept, not read again
    assert len(recent) < len(every) * 2 // 3  # the last months only, not the whole history
    assert history_views(recent, today, p.ladders, p.target) == history_views(
        every, today, p.ladders, p.target)
    for day in (today, today - timedelta(weeks=1)):
        assert weekly_summary(recent, day, p.ladders) == weekly_summary(every, day, p.ladders)
    assert "session" in weekly_summary(recent, today - timedelta(weeks=1), p.ladders)
    shell.app.close()
