"""The PSFS: when it is due, the questionnaire driven by presses, and the flags it raises."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.core.data.events import Hold, Press, Release, Save, Say, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import PsfsRecord, PsfsScore
from kiosk.core.flows.psfs import Flag, due, flags, new_round
from tests.core.progress_samples import session

ACTS = ("carry the shopping", "sit through a film")


def rec(day: str, *scores: int, acts: tuple[str, ...] = ACTS) -> PsfsRecord:
    return PsfsRecord(f"psfs-{day}", datetime.fromisoformat(f"{day}T10:00"),
                      tuple(PsfsScore(a, s) for a, s in zip(acts, scores, strict=False)))


@pytest.mark.parametrize(
    ("records", "today", "activities", "every", "is_due"),
    [
        ([], "2026-11-26", ACTS, 4, True),  # never asked: at once
        ([], "2026-11-26", (), 4, False),  # no activities in config: never
        ([rec("2026-11-01", 3, 4)], "2026-11-26", ACTS, 4, False),  # 25 days
        ([rec("2026-10-29", 3, 4)], "2026-11-26", ACTS, 4, True),  # 28 days
        ([rec("2026-11-12", 3, 4)], "2026-11-26", ACTS, 2, True),  # configurable
        ([rec("2026-10-01", 3, 4), rec("2026-11-20")], "2026-11-26", ACTS, 4, True),  # all passed
        ([rec("2026-10-01", 3, 4), session("2026-11-25")], "2026-11-26", ACTS, 4, True),
    ],
)
def test_when_the_psfs_is_due(records: list, today: str, activities: tuple, every: int,
                              is_due: bool) -> None:
    assert due(records, date.fromisoformat(today), activities, every) is is_due


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, rec("2026-11-26", 3, 4), []),
        (rec("2026-10-29", 3, 4), rec("2026-11-26", 4, 5), []),
        # the mean up 2: one flag for the mean; neither activity moved 3
        (rec("2026-10-29", 3, 4), rec("2026-11-26", 5, 6), [("", 3.5, 5.5)]),
        # one activity up 3, the mean up 1.5
        (rec("2026-10-29", 3, 4), rec("2026-11-26", 6, 4), [("carry the shopping", 3, 6)]),
        # both: the mean first
        (rec("2026-10-29", 2, 4), rec("2026-11-26", 6, 5),
         [("", 3.0, 5.5), ("carry the shopping", 2, 6)]),
        # worse by 3 is flagged too
        (rec("2026-10-29", 7, 4), rec("2026-11-26", 4, 4), [("carry the shopping", 7, 4)]),
        # an activity asked only once cannot change
        (rec("2026-10-29", 3, acts=("tie my shoes",)), rec("2026-11-26", 9, 9), []),
    ],
)
def test_psfs_flags(before: PsfsRecord | None, after: PsfsRecord, expected: list) -> None:
    assert [(f.what, f.before, f.after) for f in flags(before, after)] == expected


def _answer(q: object, t: float, *presses: tuple[Button, str]) -> list:
    out = []
    for button, how in presses:
        t += 1
        out += q.handle(Press(button, t))  # type: ignore[attr-defined]
        if how == "hold":
            out += q.handle(Hold(button, t + 1.5))  # type: ignore[attr-defined]
        out += q.handle(Release(button, t + 2, held=how == "hold"))  # type: ignore[attr-defined]
        t += 2
    return out


G, A, R = Button.GREEN, Button.AMBER, Button.RED


def test_a_round_by_voice_is_saved_as_one_record_and_flags_what_matters() -> None:
    previous = rec("2026-10-29", 3, 6)
    q = new_round([previous], ACTS, record_id="psfs-1", at=datetime(2026, 11, 26, 9), t0=0.0)
    start = q.start()
    said = [e.text for e in start if isinstance(e, Say)]
    assert "zero, unable, to ten" in said[0]
    assert said[1].startswith("Carry the shopping. It is set to three.")  # from last time
    # up three, hold to confirm: 6; then the film: down one from its 6, confirm: 5
    out = _answer(q, 0, (G, "tap"), (G, "tap"), (G, "tap"), (G, "hold"), (A, "tap"), (G, "hold"))
    saves = [e.record for e in out if isinstance(e, Save)]
    assert saves == [PsfsRecord("psfs-1", datetime(2026, 11, 26, 9),
                                (PsfsScore("carry the shopping", 6),
                                 PsfsScore("sit through a film", 5)))]
    spoken = " ".join(e.text for e in out if isinstance(e, Say))
    assert "Carry the shopping went from three to six. That is a change that matters." in spoken
    assert q.done  # the kiosk moves on to the session: no Finished, the sitting goes on


def test_red_lets_an_activity_pass_and_a_red_hold_ends_the_round() -> None:
    q = new_round([], ACTS, record_id="psfs-2", at=datetime(2026, 11, 26, 9), t0=0.0)
    q.start()
    out = _answer(q, 0, (R, "tap"), (G, "hold"))
    (saved,) = [e.record for e in out if isinstance(e, Save)]
    assert isinstance(saved, PsfsRecord)
    assert saved.scores == (PsfsScore("sit through a film", 5),)
    q2 = new_round([], ACTS, record_id="psfs-3", at=datetime(2026, 11, 26, 9), t0=0.0)
    q2.start()
    out2 = _answer(q2, 0, (R, "hold"))
    assert not [e for e in out2 if isinstance(e, Save)]  # nothing answered, nothing saved
    assert q2.done


def test_silence_asks_once_more_then_lets_the_activity_pass() -> None:
    q = new_round([], ACTS[:1], record_id="psfs-4", at=datetime(2026, 11, 26, 9), t0=0.0)
    q.start()
    first = q.handle(Tick(50.0))
    assert [e.text for e in first if isinstance(e, Say)][0].startswith("Carry the shopping.")
    last = q.handle(Tick(100.0))
    assert q.done
    assert not [e for e in last if isinstance(e, Save)]


def test_a_flag_knows_which_way_it_went() -> None:
    assert Flag("x", 3, 6).better and not Flag("x", 6, 3).better
