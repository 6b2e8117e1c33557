"""kiosk/core/coach/gentle.py: a high-pain day offers breathing and gentle mobility, nothing loaded
and nothing new; and a gentle session never counts towards a step up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from kiosk.config import DEFAULT_CONFIG, load_config
from kiosk.core.coach.gentle import gentle_plan
from kiosk.core.coach.progression import exercise_states, plan_for_day
from kiosk.core.data.records import SessionRecord
from kiosk.store.records import decode

CFG = load_config(DEFAULT_CONFIG).config
LIB = CFG.library
DAY = date(2026, 11, 25)


def done(day: date, family: str, variation: str, target: int, change: str = "same",
         checkin: int = 2) -> SessionRecord:
    """A saved session with one clean exercise, read through the codec as the kiosk reads it."""
    sets = [{"side": None, "reps": ["clean"] * target, "clean_reps": target, "ended_by": "target"}]
    return decode({
        "schema": 1, "id": f"{day}-{family}", "plan_date": day.isoformat(),
        "started_at": f"{day}T09:00:00", "ended_at": f"{day}T09:10:00", "duration_s": 600.0,
        "pain_before": checkin, "pain_after": checkin, "ended_by": "complete",
        "exercises": [{"family": family, "variation": variation, "name": variation,
                       "target": target, "change": change, "reason": "", "skipped": False,
                       "sets": [dict(s) for s in sets] * 2}],
        "pain_events": [], "rules": 2,  # planned under the rhythm rules (issue 26)
    })  # type: ignore[return-value]


def plan(sessions: list[SessionRecord], day: date = DAY) -> Any:
    states = exercise_states(LIB, sessions, day, CFG.progression)
    normal = plan_for_day(LIB, sessions, day, CFG.progression, CFG.session, 9)
    return gentle_plan(LIB, states, normal, most=CFG.progression.exercises_min)


def test_a_first_day_at_high_pain_is_breathing_only() -> None:
    """Nothing has been done yet, so everything would be new: no exercise at all."""
    assert plan([]).exercises == ()


def test_only_known_families_at_their_easiest_gentle_rung_at_start_reps() -> None:
    history = [done(DAY - timedelta(days=3), "open-book", "open-book-kneeling", 3),
               done(DAY - timedelta(days=2), "bridge", "bridge-full", 8),
               done(DAY - timedelta(days=1), "hip-hinge", "hip-hinge-weight", 8),
               done(DAY - timedelta(days=1), "suitcase-carry", "suitcase-walk", 4)]
    got = plan(history)
    assert [(p.variation.id, p.target, p.change) for p in got.exercises] == [
        ("open-book-side-lying", 3, "gentle"),
        ("hip-hinge-rock-back", 6, "gentle"),
    ]
    for p in got.exercises:
        assert p.variation.gentle and p.variation.position != "loaded"
        assert p.reason.endswith("gently today.")


def test_a_gentle_rung_above_where_the_person_is_is_not_offered() -> None:
    """rib-breathing-fours is gentle, but someone still on the first rung has not done it."""
    got = plan([done(DAY - timedelta(days=1), "rib-breathing", "rib-breathing-side", 3)])
    assert [p.variation.id for p in got.exercises] == ["rib-breathing-side"]


def test_at_most_the_minimum_number_of_exercises() -> None:
    history = [done(DAY - timedelta(days=1), f.id, f.ladder[-1].id, f.ladder[-1].start_reps)
               for f in LIB.families]
    assert len(plan(history).exercises) == CFG.progression.exercises_min


def test_a_gentle_session_is_no_evidence_for_a_step_up() -> None:
    """Two clean days would step an exercise up; two clean gentle days must not."""
    first = done(DAY - timedelta(days=3), "dead-bug", "dead-bug-heel-slide", 6)
    clean = [done(DAY - timedelta(days=d), "dead-bug", "dead-bug-heel-slide", 6)
             for d in (2, 1)]
    gentle = [done(DAY - timedelta(days=d), "dead-bug", "dead-bug-heel-slide", 6,
                   change="gentle", checkin=8) for d in (2, 1)]
    # Two of three clean days, as on any rung past the quicker start (docs/progression.md).
    rules = replace(CFG.progression, quick_rungs=0)
    assert exercise_states(LIB, [first, *clean], DAY, rules)["dead-bug"].target == 7
    state = exercise_states(LIB, [first, *gentle], DAY, rules)["dead-bug"]
    assert (state.target, state.change) == (6, "same")


def test_the_loader_refuses_gentle_on_a_loaded_variation(tmp_path: Any) -> None:
    text = (DEFAULT_CONFIG.parent / "exercises.toml").read_text()
    text = text.replace('id = "squat-goblet"', 'id = "squat-goblet"\n  gentle = true')
    (tmp_path / "exercises.toml").write_text(text)
    (tmp_path / "kiosk.toml").write_text("")
    loaded = load_config(tmp_path / "kiosk.toml")
    assert [p.key for p in loaded.problems] == ["family[2].variation[3].gentle"]
    assert "gentle path adds no load" in str(loaded.problems[0])
