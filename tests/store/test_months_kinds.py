"""Every kind of record the codec knows (kiosk/store/records.py KINDS) through the monthly store:
split from a single-file history, read back whole by the readers, and seen by a kiosk that
reads only the newest month and a snapshot. A new kind fails here until it has a sample."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from store_samples import real_record

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.core.coach.progression import Replays
from kiosk.core.coach.rhythm import active_days, week_of
from kiosk.core.coach.safety import Answer, Group, How, Outcome, Reason, SafetyCheck
from kiosk.core.data.records import (
    PainEntry,
    ProbeResult,
    ProgramRecord,
    PsfsRecord,
    PsfsScore,
    Record,
    RitualRecord,
    ScreeningRecord,
    SessionRecord,
    checksum,
)
from kiosk.store.history import MonthFile
from kiosk.store.months import FOLDER, WholeHistory, months_in, stream
from kiosk.store.readonly import read_history
from kiosk.store.records import KINDS

CFG = load_config().config
REPLAYS = Replays(CFG.library, CFG.progression)


def _session(rid: str, at: datetime) -> Record:
    return real_record(rid, at.isoformat(timespec="seconds"))


def _pain(rid: str, at: datetime) -> Record:
    return PainEntry(rid, at, 6, "after gardening")


def _ritual(rid: str, at: datetime) -> Record:
    return RitualRecord(rid, "morning", "Morning ritual", "bridge", "bridge-1",
                        f"morning@{at:%Y-%m-%dT%H:%M}", at, "done", "clean", 95.0, 4)


def _safety(rid: str, at: datetime) -> Record:
    # A background "yes": exercise waits for a clinician's clearance, however long ago it was.
    answers = (Answer("night-pain", Group.BACKGROUND, How.GREEN),)
    return SafetyCheck(rid, at.date(), at, Reason.FIRST_RUN, (Group.BACKGROUND,), answers, None,
                       Outcome.BACKGROUND)


def _psfs(rid: str, at: datetime) -> Record:
    return PsfsRecord(rid, at, (PsfsScore("carry the shopping", 6), PsfsScore("garden", 4)))


def _screening(rid: str, at: datetime) -> Record:
    results = (ProbeResult("toe-touch", None, "stiff"), ProbeResult("hip-hinge", "left", "easy"))
    return ScreeningRecord(rid, at.date(), at, "due", results)


def _program(rid: str, at: datetime) -> Record:
    body = '# the clinician\'s program\nfamilies = ["bridge", "walking"]\n'
    return ProgramRecord(rid, at, body, checksum(body), "usb")


SAMPLES: dict[str, Callable[[str, datetime], Record]] = {
    "session": _session, "pain": _pain, "ritual": _ritual, "safety": _safety, "psfs": _psfs,
    "screening": _screening, "program": _program,
}


def test_every_kind_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(KINDS)
    for tag, make in SAMPLES.items():
        assert isinstance(make("x", datetime(2026, 1, 1, 9)), KINDS[tag].type)


def history() -> list[Record]:
    """Five months, January to May 2026, one of every kind in each; April ends with a session
    and a ritual done on its last day, so the week of 1 May runs over the month's turn."""
    records: list[Record] = []
    for month in range(1, 6):
        for day in (3, 12, 30 if month == 4 else 20):
            at = datetime(2026, month, day, 8)
            for n, (tag, make) in enumerate(SAMPLES.items()):
                records.append(make(f"{tag}-{month}-{day}", at + timedelta(hours=n)))
    return records


RECORDS = history()
OLD = [r for r in RECORDS if r.id.endswith("-1-3")]  # the very first day: one of each kind


def single_file(data: Path) -> None:
    with MonthFile.open(data) as single:  # the layout every kiosk before the months wrote
        single.add_many(RECORDS)


@pytest.mark.parametrize("tag", sorted(KINDS))
def test_every_kind_survives_the_split_and_reads_back_in_order(tmp_path: Path, tag: str) -> None:
    single_file(tmp_path)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is None
        assert list(history.every_record()) == RECORDS
    assert months_in(tmp_path / FOLDER) == [f"2026-0{m}" for m in range(1, 6)]
    mine = [r for r in RECORDS if isinstance(r, KINDS[tag].type)]
    assert [r for r in stream(tmp_path) if isinstance(r, KINDS[tag].type)] == mine
    assert [r for r in read_history(tmp_path).records if isinstance(r, KINDS[tag].type)] == mine


def test_a_kiosk_reading_only_the_newest_month_still_sees_every_kind_it_needs(
    tmp_path: Path,
) -> None:
    single_file(tmp_path)
    with WholeHistory.open(tmp_path, replays=REPLAYS):
        pass  # the split, and a snapshot for each closed month
    for month in months_in(tmp_path / FOLDER)[:-1]:  # old months are not read again
        (tmp_path / FOLDER / month / "history.json").write_bytes(b"\0" * 64)
    with WholeHistory.open(tmp_path, replays=REPLAYS) as history:
        assert history.recovery is None
        seen = history.records()
        ids = {r.id for r in seen}
        for r in OLD:  # January's: all but sessions (replayed), rituals and pain entries are
            kept = isinstance(r, SafetyCheck | PsfsRecord | ScreeningRecord | ProgramRecord)
            assert (r.id in ids) == kept, r.id
        # Pain entries as far back as a screen looks (READ_BACK_DAYS), and the latest rating.
        pains = {r.id for r in seen if isinstance(r, PainEntry)}
        assert {"pain-2-20", "pain-3-3", "pain-4-30", "pain-5-3"} <= pains  # after 19 February
        assert "pain-2-12" not in pains and "pain-1-20" not in pains
        assert history.last_pain() == 6
        assert all(not isinstance(r, SessionRecord) or r.plan_date.month == 5 for r in seen)
        # The week of Friday 1 May runs over the month's turn: it counts Thursday 30 April's
        # session and ritual as a full reading of the history would.
        days = active_days(seen) | set(history.earlier_days)
        assert date(2026, 4, 30) in days
        for day in (date(2026, 5, 1), date(2026, 5, 3)):
            assert week_of(day, days, 5) == week_of(day, active_days(RECORDS), 5)


def test_exports_and_history_carry_every_kind(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    single_file(tmp_path)
    with WholeHistory.open(tmp_path, replays=REPLAYS):
        pass
    import json

    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "export", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    counts = {key: len(doc.get(key, [])) for key in ("sessions", "pain_entries", "rituals",
                                                    "safety", "psfs", "screenings",
                                                    "programs")}
    assert counts == {key: 15 for key in counts}
    assert main(["--data-dir", str(tmp_path), "history"]) == 0
    out = capsys.readouterr().out
    assert out.count("pain log") == 15 and out.count("safety questions") == 15
