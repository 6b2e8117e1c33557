"""The history in monthly parts, as a kiosk owner would notice it: every session there, once, in
order; start-up reads only the newest month; a damaged old month never blocks today; an old
single-file history is split by itself on the first start."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_recovery import CORPUS

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.core.coach.progression import Progress, Replays, plan_for_day
from kiosk.core.data.records import Record, SessionRecord, last_pain, sessions_of
from kiosk.simulate import lived_days
from kiosk.store.history import MonthFile
from kiosk.store.months import (
    FOLDER,
    MIGRATED,
    SNAPSHOT,
    WholeHistory,
    month_of,
    months_in,
    stream,
)

CFG = load_config().config
REPLAYS = Replays(CFG.library, CFG.progression)
END = date(2026, 10, 20)
TODAY = date(2026, 10, 21)
HISTORIES = Path(__file__).with_name("histories")  # written by the single-file kiosk


def lived(months: float, seed: int = 3) -> list[Record]:
    """Sessions, and pain-log entries between them, as ``kiosk simulate`` writes them."""
    return list(lived_days(CFG, years=months / 12, per_day=2, seed=seed, end=END))


LIVED = lived(4.5)
SESSIONS = sessions_of(LIVED)


def save_one_by_one(data: Path, records: list[Record]) -> None:
    """As the kiosk saves them: one at a time, the store opened again now and then."""
    for start in range(0, len(records), 40):
        with WholeHistory.open(data, replays=REPLAYS) as history:
            for r in records[start:start + 40]:
                history.add(r)


def full_plan(records: list[Record], pain: int | None = None) -> object:
    return plan_for_day(CFG.library, sessions_of(records), TODAY, CFG.progression, CFG.session,
                        pain)


def progress_of(history: WholeHistory) -> Progress | None:
    """The store's base, which it knows only as a ``Replay``: the kiosk's replays make Progress."""
    assert history.base is None or isinstance(history.base, Progress)
    return history.base


def plan_from(history: WholeHistory, pain: int | None = None) -> object:
    return plan_for_day(CFG.library, sessions_of(history.records()), TODAY, CFG.progression,
                        CFG.session, pain, base=progress_of(history))


def on_disk(data: Path) -> list[Record]:
    return list(stream(data))


def test_a_save_rewrites_only_the_open_month_and_closed_months_get_a_snapshot(
    tmp_path: Path,
) -> None:
    save_one_by_one(tmp_path, LIVED)
    months = months_in(tmp_path / FOLDER)
    assert months == sorted({month_of(r, "") for r in LIVED})
    for month in months[:-1]:
        assert (tmp_path / FOLDER / month / SNAPSHOT).exists(), month
    assert not (tmp_path / FOLDER / months[-1] / SNAPSHOT).exists()  # still open
    before = {m: (tmp_path / FOLDER / m / "history.json").read_bytes() for m in months}
    extra = sessions_of(lived(0.2, seed=9))[-1]
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        history.add(extra)
    changed = [m for m in months if (tmp_path / FOLDER / m / "history.json").read_bytes()
               != before[m]]
    assert changed == [months[-1]]
    assert [r.id for r in on_disk(tmp_path)] == [r.id for r in LIVED] + [extra.id]


def test_start_up_reads_the_open_month_and_plans_as_a_full_replay(tmp_path: Path) -> None:
    save_one_by_one(tmp_path, LIVED)
    months = months_in(tmp_path / FOLDER)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert {month_of(r, "") for r in history.records()
                if isinstance(r, SessionRecord)} == {months[-1]}
        assert history.base is not None
        for pain in (None, 2, 9):
            assert plan_from(history, pain) == full_plan(LIVED, pain)
        assert history.last_pain() == last_pain(LIVED)


def test_old_months_are_not_even_read_at_start_up(tmp_path: Path) -> None:
    save_one_by_one(tmp_path, LIVED)
    oldest = tmp_path / FOLDER / months_in(tmp_path / FOLDER)[0] / "history.json"
    oldest.write_bytes(b"\0" * 100)  # damaged, but a snapshot covers it
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is None
        assert plan_from(history) == full_plan(LIVED)
    assert oldest.read_bytes() == b"\0" * 100  # untouched: nobody looked


def test_the_history_screens_months_are_read_when_first_asked_for_then_kept(
    tmp_path: Path
) -> None:
    from kiosk.core.reports.weekly import READ_BACK_DAYS
    from kiosk.store.atomic import AtomicJSONStorage, read_regular

    save_one_by_one(tmp_path, LIVED)
    names = months_in(tmp_path / FOLDER)
    read: list[str] = []  # the closed months whose file was read: invisible to the user

    class Noting(AtomicJSONStorage):
        @staticmethod
        def read_file(path: Path) -> bytes:
            if path.parent.name != names[-1]:  # the open month is always read
                read.append(path.parent.name)
            return read_regular(path)

    with WholeHistory.open(tmp_path, replays=REPLAYS, storage=Noting) as history:
        assert read == []  # start-up does not need them
        records, since = history.recent()
        assert history.recent() == (records, since)
    assert since is not None and since.day == 1
    assert read == [n for n in names[:-1] if n >= since.isoformat()[:7]]  # each once
    assert len(read) < len(names) - 1  # not the whole history
    open_from = date.fromisoformat(f"{names[-1]}-01")
    assert since <= open_from - timedelta(days=READ_BACK_DAYS)
    assert [r.id for r in records] == [r.id for r in LIVED
                                       if since.isoformat()[:7] <= month_of(r, "") < names[-1]]


@pytest.mark.parametrize("damage", ["missing", "garbage", "other thresholds"])
def test_a_lost_or_stale_snapshot_is_rebuilt_from_the_records(tmp_path: Path, damage: str
                                                               ) -> None:
    save_one_by_one(tmp_path, LIVED)
    months = months_in(tmp_path / FOLDER)
    for month in months[1:-1]:
        snap = tmp_path / FOLDER / month / SNAPSHOT
        if damage == "missing":
            snap.unlink()
        elif damage == "garbage":
            snap.write_bytes(b'{"format": 1, "month": "x"')
        else:
            data = json.loads(snap.read_bytes())
            data["progress"]["key"] = "made-with-other-thresholds"
            snap.write_text(json.dumps(data))
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert plan_from(history) == full_plan(LIVED)
    for month in months[:-1]:  # and written again, for the next start
        assert json.loads((tmp_path / FOLDER / month / SNAPSHOT).read_bytes())["month"] == month


def test_new_signature_rules_rebuild_the_snapshots_they_would_change(tmp_path: Path) -> None:
    """The rungs the signature may start a family on are part of the replay: after a change of
    config/signature.toml no snapshot made under the old rules is used, and each is rebuilt."""
    save_one_by_one(tmp_path, LIVED)
    family = CFG.library.families[0]
    starts = {family.id: frozenset({family.ladder[1].id})}
    tuned = Replays(CFG.library, CFG.progression, starts)
    months = months_in(tmp_path / FOLDER)

    def keys() -> set[str]:
        return {json.loads((tmp_path / FOLDER / m / SNAPSHOT).read_bytes())["progress"]["key"]
                for m in months[:-1]}

    before = keys()
    with WholeHistory.open(tmp_path, replays=tuned) as history:
        base = progress_of(history)
        assert base is not None and base.starts == starts
        assert base.snapshot() == tuned.start().feed(
            sessions_of(r for r in LIVED if month_of(r, "") < months[-1])).snapshot()
    after = keys()
    assert len(before) == len(after) == 1 and before != after


def test_a_damaged_old_month_is_set_aside_and_told_and_today_goes_on(tmp_path: Path) -> None:
    save_one_by_one(tmp_path, LIVED)
    months = months_in(tmp_path / FOLDER)
    old = tmp_path / FOLDER / months[1]
    (old / "history.json").write_bytes(b'{"sessions": {"1": ')
    for month in months[1:-1]:
        (tmp_path / FOLDER / month / SNAPSHOT).unlink()  # so start-up must read it
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is not None and "damaged" in history.recovery.message
        history.add(sessions_of(lived(0.2, seed=9))[-1])  # today's session is saved as ever
    assert list(old.glob("history.json.corrupt-*")), "the damaged month is kept aside"
    assert (old / "history.json").exists()  # restored from that month's own backup


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corrupt_file_corpus_in_the_open_month(tmp_path: Path, name: str) -> None:
    save_one_by_one(tmp_path, LIVED[-30:])
    month = tmp_path / FOLDER / months_in(tmp_path / FOLDER)[-1]
    shutil.rmtree(month / "backups")
    (month / "history.json").write_bytes(CORPUS[name])
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is not None
        closed = [r.id for r in on_disk(tmp_path) if month_of(r, "") < month.name]
        assert [r.id for r in history.every_record()][:len(closed)] == closed
        history.add(LIVED[-1])
    assert list(month.glob("history.json.corrupt-*"))
    assert LIVED[-1].id in [r.id for r in on_disk(tmp_path)]


def test_history_and_export_stream_every_month_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_one_by_one(tmp_path / "months", LIVED)
    with MonthFile.open(tmp_path / "single") as single:
        single.add_many(LIVED)
    outputs = {}
    for layout in ("months", "single"):
        for command in (["history"], ["export", "--format", "csv"], ["export"]):
            assert main(["--data-dir", str(tmp_path / layout), *command]) == 0
            outputs[layout, command[-1]] = capsys.readouterr().out
        assert main(["--data-dir", str(tmp_path / layout), "plan", "--date",
                     TODAY.isoformat()]) == 0
        outputs[layout, "plan"] = capsys.readouterr().out
    for what in ("history", "csv", "export", "plan"):
        assert outputs["months", what] == outputs["single", what], what
    assert outputs["months", "history"].count("clean reps") == len(SESSIONS)
    assert outputs["months", "history"].count("pain log") == len(LIVED) - len(SESSIONS) > 0


# --- migration from the single-file layout -----------------------------------------------------
def single_file_histories() -> list[Path]:
    return sorted(p.parent for p in HISTORIES.glob("*/history.json"))


@pytest.mark.parametrize("kept", single_file_histories(), ids=lambda p: p.name)
def test_a_kept_single_file_history_is_split_by_itself_with_nothing_lost(
    tmp_path: Path, kept: Path
) -> None:
    shutil.copy(kept / "history.json", tmp_path / "history.json")
    original = MonthFile.open(tmp_path).records()
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is None
        assert list(history.every_record()) == original
    assert not (tmp_path / "history.json").exists()
    assert (tmp_path / FOLDER / MIGRATED).read_bytes() == (kept / "history.json").read_bytes()
    assert not (tmp_path / "backups").exists()  # kept in history/, never restored again
    with WholeHistory.open(tmp_path, replays=REPLAYS) as again:
        assert list(again.every_record()) == original


def test_a_long_single_file_history_migrates_and_plans_the_same(tmp_path: Path) -> None:
    with MonthFile.open(tmp_path) as single:
        single.add_many(LIVED)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert [r.id for r in history.every_record()] == [r.id for r in LIVED]
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert plan_from(history) == full_plan(LIVED)


def test_safety_answers_from_any_month_are_always_seen(tmp_path: Path) -> None:
    """A yes years ago still waits for a clinician: the kiosk must see every round of safety
    answers (and every pain entry), not only the open month's."""
    from datetime import datetime

    from kiosk.core.coach.safety import Answer, Group, How, Reason, SafetyCheck

    first = SESSIONS[0].plan_date
    check = SafetyCheck(
        id="s-first", day=first, at=datetime.combine(first, datetime.min.time()),
        reason=list(Reason)[0], groups=(list(Group)[0],),
        answers=(Answer("q1", list(Group)[0], list(How)[0]),))
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        history.add(check)
    save_one_by_one(tmp_path, LIVED)
    for _ in range(2):  # from the snapshots written at each close, then as rebuilt
        with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
            assert [r for r in history.records() if isinstance(r, SafetyCheck)] == [check]
            assert plan_from(history) == full_plan(LIVED)
        for snap in (tmp_path / FOLDER).glob(f"*/{SNAPSHOT}"):
            snap.unlink()


def test_a_single_file_beside_the_months_adds_only_what_they_lack(tmp_path: Path) -> None:
    """An older kiosk that wrote history.json again, or a start killed between the two steps
    that commit a split: the months are never overwritten, and nothing is doubled."""
    save_one_by_one(tmp_path, LIVED[:-10])
    with MonthFile.open(tmp_path / "old") as single:  # some already in the months, ten not
        single.add_many(LIVED[-30:])
    shutil.copy(tmp_path / "old" / "history.json", tmp_path / "history.json")
    for _ in range(2):
        with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
            assert [r.id for r in history.every_record()] == [r.id for r in LIVED]
    assert not (tmp_path / "history.json").exists()
    assert (tmp_path / FOLDER / MIGRATED).exists()
