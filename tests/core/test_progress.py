"""A snapshot of the replay plus the sessions saved since gives exactly the plan a full replay
gives. The store keeps one snapshot per closed month, so that a kiosk with ten years of history
replays a month, not ten years; this is what makes that safe."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.coach.progression import (
    Progress,
    ProgressSnapshot,
    exercise_states,
    plan_for_day,
)
from kiosk.core.data.records import SessionRecord
from kiosk.errors import RecordError
from kiosk.store.records import from_json, to_json
from tests.core.test_progression import (
    DAY0,
    LIB,
    OUTCOMES,
    PROPS,
    RULES,
    SETTINGS,
    SIX,
    json_st,
    simulate,
)

# Longer histories than the progression tests use, so that snapshots drop old days.
long_sessions_st = st.lists(
    st.tuples(st.sampled_from((0, 0, 1, 1, 1, 2, 3, 8)), st.integers(0, 10),
              st.lists(st.sampled_from(OUTCOMES), min_size=5, max_size=5).map(tuple)),
    max_size=70,
)
# Some sessions saved while the clock was wrong: (which session, days it was off by).
clock_st = st.lists(st.tuples(st.integers(0, 69), st.sampled_from((-40, -3, -1, 2, 30))),
                    max_size=4)


def saved_json(progress: Progress) -> Any:
    """A replay's snapshot as the store writes it: by its codec, as JSON text, read back."""
    return json.loads(json.dumps(to_json(progress.snapshot())))


def loaded(data: Any, *args: Any) -> Progress | None:
    """What the store makes of a snapshot's JSON: None when it is not one, or not usable."""
    try:
        saved = from_json(ProgressSnapshot, data)
    except RecordError:
        return None
    return Progress.from_snapshot(saved, *args)


def through_json(progress: Progress) -> Progress:
    """What the store does: write the snapshot as JSON text, read it back on another start."""
    back = loaded(saved_json(progress), SIX, RULES)
    assert back is not None
    return back


def snapshotted(history: list[Any], cuts: list[int]) -> tuple[Progress, list[Any]]:
    """Snapshots chained at ``cuts`` (as month after month is closed), and the open window."""
    progress = Progress.start(SIX, RULES)
    done = 0
    for cut in sorted(set(cuts)):
        progress = through_json(progress.feed(history[done:cut]))
        done = cut
    return progress, history[done:]


def latest_day(records: list[SessionRecord]) -> date:
    return max((r.plan_date for r in records), default=DAY0)


@given(long_sessions_st, clock_st, st.lists(st.integers(0, 80), max_size=5),
       st.integers(0, 12), st.sampled_from((None, 0, 4, 9)))
@PROPS
def test_property_snapshot_plus_window_plans_as_a_full_replay(
    script: list[Any], clock: list[tuple[int, int]], cuts: list[int], later: int,
    pain: int | None,
) -> None:
    history = simulate(SIX, RULES, script)
    for i, off in clock:
        if i < len(history):
            history[i] = replace(history[i], plan_date=history[i].plan_date + timedelta(off))
    cuts = [min(c, len(history)) for c in cuts]
    # The plan's day is never before a day already in a snapshot (see Progress).
    today = max(latest_day(history[:max(cuts, default=0)]), DAY0) + timedelta(later)
    base, window = snapshotted(history, cuts)

    assert plan_for_day(SIX, window, today, RULES, SETTINGS, pain, base=base) == plan_for_day(
        SIX, history, today, RULES, SETTINGS, pain)
    assert exercise_states(SIX, window, today, RULES, base=base) == exercise_states(
        SIX, history, today, RULES)


@given(long_sessions_st, st.integers(0, 70))
@PROPS
def test_property_planning_from_a_snapshot_never_changes_it(script: list[Any], cut: int) -> None:
    history = simulate(SIX, RULES, script)
    base, window = snapshotted(history, [cut])
    before = json.dumps(saved_json(base))
    plan_for_day(SIX, window, DAY0 + timedelta(400), RULES, SETTINGS, 7, base=base)
    assert json.dumps(saved_json(base)) == before


def test_a_snapshot_made_under_other_ladders_or_thresholds_is_not_used() -> None:
    saved = Progress.start(SIX, RULES).feed(simulate(SIX, RULES, [(1, 2, ("clean",) * 5)] * 6))
    data = saved_json(saved)
    assert loaded(data, SIX, RULES) is not None
    assert loaded(data, SIX, replace(RULES, advance_needed=3)) is None
    assert loaded(data, LIB, RULES) is None


def test_a_snapshot_made_under_other_signature_starts_is_not_used() -> None:
    """A first session on a rung the signature's rules allow counts as started there, so a
    change of those rules must rebuild the replay, not reuse it."""
    family = SIX.families[0]
    starts = {family.id: frozenset({family.ladder[1].id})}
    saved = Progress.start(SIX, RULES)
    saved.starts = starts
    saved.feed(simulate(SIX, RULES, [(1, 2, ("clean",) * 5)] * 6))
    data = saved_json(saved)
    back = loaded(data, SIX, RULES, starts)
    assert back is not None and back.starts == starts
    assert loaded(data, SIX, RULES) is None
    assert loaded(data, SIX, RULES, {family.id: frozenset({family.ladder[-1].id})}) \
        is None


GOOD = Progress.start(SIX, RULES).feed(simulate(SIX, RULES, [(1, 2, ("clean",) * 5)] * 6))


@given(json_st)
def test_a_damaged_snapshot_is_refused_not_believed(junk: Any) -> None:
    good = GOOD
    data = saved_json(good)
    assert loaded(junk, SIX, RULES) is None
    for fid in data["tracks"]:
        broken = json.loads(json.dumps(data))
        broken["tracks"][fid]["level"] = 99  # off the ladder
        assert loaded(broken, SIX, RULES) is None
        broken["tracks"][fid]["level"] = junk
        top = len(good.tracks[fid].ladder.steps) - 1
        if junk is not None and not (type(junk) is int and 0 <= junk <= top):
            assert loaded(broken, SIX, RULES) is None


@given(long_sessions_st, st.integers(0, 9))
@PROPS
def test_property_a_snapshot_at_any_session_plans_as_a_full_replay(
    script: list[Any], later: int
) -> None:
    """Every place a month could close, in one history: the old days a snapshot drops are
    never ones the rules would still have read."""
    history = simulate(SIX, RULES, script)
    today = latest_day(history) + timedelta(later)
    full = plan_for_day(SIX, history, today, RULES, SETTINGS)
    for cut in range(len(history) + 1):
        base, window = snapshotted(history, [cut])
        assert plan_for_day(SIX, window, today, RULES, SETTINGS, base=base) == full, cut


def test_a_steady_year_snapshotted_every_month_plans_as_a_full_replay() -> None:
    script = [(1 if n % 9 else 3, 2 + n % 3 * (n % 11 == 0) * 3, tuple(
        OUTCOMES[(n * 7 + k * 3) % 4] for k in range(5))) for n in range(120)]
    history = simulate(SIX, RULES, script)
    cuts = list(range(0, len(history), 20))
    for today_after in (0, 1, 8):
        today = latest_day(history) + timedelta(today_after)
        base, window = snapshotted(history, cuts)
        for pain in (None, 2, 8):
            assert plan_for_day(SIX, window, today, RULES, SETTINGS, pain, base=base) == (
                plan_for_day(SIX, history, today, RULES, SETTINGS, pain))
