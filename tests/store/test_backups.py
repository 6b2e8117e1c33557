"""Daily backups: one good copy per calendar day, the newest few kept."""

from __future__ import annotations

from pathlib import Path

from store_samples import WallClock, real_record

from kiosk.store.history import MonthFile
from kiosk.store.records import parse_history


def _ids(path: Path) -> list[str]:
    return [r.id for r in parse_history(path.read_bytes()).values()]


def test_first_save_of_a_day_makes_that_days_backup(tmp_path: Path) -> None:
    clock = WallClock("2026-11-25T09:00:00")
    backups = tmp_path / "backups"
    with MonthFile.open(tmp_path, now=clock) as history:
        assert not backups.exists()  # nothing to back up before the first session
        history.add(real_record("a"))
        history.add(real_record("b"))  # same day: the day's backup stays as it was
        clock.set("2026-11-26T08:00:00")
        history.add(real_record("c", "2026-11-26T08:00:00"))
    assert _ids(backups / "history-2026-11-25.json") == ["a"]
    assert _ids(backups / "history-2026-11-26.json") == ["a", "b", "c"]


def test_opening_on_a_new_day_backs_up_the_file_it_read(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path, now=WallClock("2026-11-25T09:00:00")) as history:
        history.add(real_record("a"))
    MonthFile.open(tmp_path, now=WallClock("2026-11-27T07:00:00")).close()
    backup = tmp_path / "backups" / "history-2026-11-27.json"
    assert backup.read_bytes() == (tmp_path / "history.json").read_bytes()


def test_only_the_newest_backups_are_kept(tmp_path: Path) -> None:
    clock = WallClock()
    with MonthFile.open(tmp_path, keep_backups=3, now=clock) as history:
        for day in range(20, 26):
            clock.set(f"2026-11-{day}T09:00:00")
            history.add(real_record(f"s{day}", f"2026-11-{day}T09:00:00"))
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert names == [f"history-2026-11-{day}.json" for day in (23, 24, 25)]


def test_a_failed_backup_does_not_lose_the_session(tmp_path: Path) -> None:
    (tmp_path / "backups").write_text("a file where the folder should be")
    with MonthFile.open(tmp_path) as history:
        history.add(real_record("a"))
    assert [s.id for s in MonthFile.open(tmp_path).sessions()] == ["a"]
