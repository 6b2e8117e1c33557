"""A Pi has no real-time clock: sessions saved while the wall clock jumped keep their order."""

from __future__ import annotations

from pathlib import Path

from store_samples import WallClock, real_record

from kiosk.core.data.records import last_pain
from kiosk.store.months import WholeHistory
from kiosk.store.records import parse_history
from kiosk.store.writer import HistoryWriter

# Saved in this order; the clock went back to a default date after a power cut, then was fixed.
SAVES = [
    ("z-before", "2026-11-25T09:00:00", 4),
    ("m-after-reset", "2026-01-01T00:05:00", 3),
    ("a-same-minute", "2026-01-01T00:05:00", 2),
    ("k-fixed", "2026-11-26T09:00:00", 1),
]


def _save_all(history: WholeHistory, clock: WallClock) -> None:
    for sid, when, pain in SAVES:
        clock.set(when)
        history.add(real_record(sid, when, pain_before=pain + 1, pain_after=pain))


def test_sessions_keep_save_order_across_a_backwards_jump(tmp_path: Path) -> None:
    clock = WallClock()
    with WholeHistory.open(tmp_path, now=clock) as history:
        _save_all(history, clock)
        assert last_pain(history.records()) == 1  # the last saved, not the latest timestamp
    with WholeHistory.open(tmp_path, now=clock) as history:
        assert [s.id for s in history.sessions()] == [sid for sid, _, _ in SAVES]


def test_the_writer_view_keeps_save_order_too(tmp_path: Path) -> None:
    clock = WallClock()
    with HistoryWriter.open(tmp_path, now=clock) as writer:
        for sid, when, pain in SAVES:
            clock.set(when)
            writer.save(real_record(sid, when, pain_after=pain))
        assert [s.id for s in writer.records()] == [sid for sid, _, _ in SAVES]
    with HistoryWriter.open(tmp_path, now=clock) as writer:
        assert [s.id for s in writer.records()] == [sid for sid, _, _ in SAVES]
        assert last_pain(writer.records()) == 1


def test_backups_made_on_a_wrong_date_are_good_copies(tmp_path: Path) -> None:
    clock = WallClock()
    with WholeHistory.open(tmp_path, now=clock) as history:
        _save_all(history, clock)
    # A clock gone back never reopens an old month: all four are in the open one.
    backups = {p.name: p for p in (tmp_path / "history" / "2026-11" / "backups").iterdir()}
    assert sorted(backups) == [
        "history-2026-01-01.json",
        "history-2026-11-25.json",
        "history-2026-11-26.json",
    ]
    wrong_day = parse_history(backups["history-2026-01-01.json"].read_bytes())
    assert [r.id for r in wrong_day.values()] == ["z-before", "m-after-reset"]
