"""What the kiosk remembers, as types: one definition of every kind of saved record.

A record is a frozen dataclass. The session makes them, the store keeps them, and progression,
the home screen, history, export and the CLI read them, all as these types. Only the codec in
``kiosk/store/records.py`` turns them into JSON and back (docs/data.md describes that JSON), so
no other code reads a record as a dict.

Adding a kind (safety answers, screening, a ritual, a questionnaire come next) is three small
steps: a frozen dataclass here, added to ``Record``; an entry in the codec's ``KINDS`` with its
``kind`` tag and field checks; a section in docs/data.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.core.coach.safety import SafetyCheck

SCHEMA_VERSION = 1  # the one version of the saved records; docs/data.md describes it
# The coaching rules a session was planned under: 1 before the rhythm rules (issue 26), which a
# session saved without the key was; 2 since. A replay goes on from where an older session was
# done (kiosk.core.coach.steps), so new rules never make a family jump.
RULES = 2

SESSION_ENDS = ("complete", "pain", "stop", "timeout", "interrupted")
SET_ENDS = ("target", "fray", "pain", "stop", "timeout")
RATINGS = ("clean", "slipped")
SIDES = ("left", "right")


@dataclass(frozen=True)
class SetRecord:
    """One set of one exercise: each rep's rating, in order, and why the set ended."""

    side: str | None  # left | right, for variations done one side at a time; else None
    reps: tuple[str, ...]  # clean | slipped
    clean_reps: int
    ended_by: str  # one of SET_ENDS


@dataclass(frozen=True)
class ExerciseRecord:
    """One planned exercise of a session, done, skipped or never reached."""

    family: str
    variation: str
    name: str
    target: int
    change: str  # same | advance | back | reenter | bad-day | new
    reason: str
    skipped: bool
    sets: tuple[SetRecord, ...]
    # What the person confirmed holding on a loaded rung ("a light weight"), in their own
    # GREEN at Ready; None for a rung with no load, or one skipped before it began.
    load: str | None = None


@dataclass(frozen=True)
class PainEvent:
    """A RED press during a session, and the rating given after it."""

    at_s: float  # seconds since the session started
    family: str | None  # the exercise at the time; None outside an exercise
    variation: str | None
    set: int | None  # how many sets of that exercise had started
    rep: int | None  # the rep in progress; None outside a set
    phase: str  # primer | intro | set | rest | ...
    pain: int | None  # 0-10; None when no rating was given


@dataclass(frozen=True)
class SessionRecord:
    """One guided session: check-in, exercises, check-out."""

    id: str
    plan_date: date
    started_at: datetime
    ended_at: datetime
    duration_s: float
    pain_before: int | None  # check-in, 0-10
    pain_after: int | None  # check-out, or the rating that ended the session for pain
    ended_by: str  # one of SESSION_ENDS
    exercises: tuple[ExerciseRecord, ...]
    pain_events: tuple[PainEvent, ...]
    rules: int = RULES  # the coaching rules it was planned under (RULES)

    @property
    def clean_reps(self) -> int:
        return sum(s.clean_reps for ex in self.exercises for s in ex.sets)


@dataclass(frozen=True)
class PainEntry:
    """A pain rating logged from the home screen, outside any session."""

    id: str
    at: datetime
    pain: int  # 0-10
    note: str = ""  # what the person was doing, if they said


@dataclass(frozen=True)
class PsfsScore:
    activity: str  # as the clinician wrote it in config, e.g. "carry the shopping"
    score: int  # 0 (unable) to 10 (able as before the back problem)


@dataclass(frozen=True)
class PsfsRecord:
    """One round of the Patient-Specific Functional Scale (kiosk/core/flows/psfs.py), asked by
    voice.
    An activity the person let pass (RED) is left out of ``scores``."""

    id: str
    at: datetime
    scores: tuple[PsfsScore, ...]

    @property
    def mean(self) -> float | None:
        return sum(s.score for s in self.scores) / len(self.scores) if self.scores else None


RITUAL_OUTCOMES = ("done", "stopped", "snoozed", "skipped")
RITUAL_RATINGS = ("clean", "slipped", "pain")


@dataclass(frozen=True)
class RitualRecord:
    """A ritual offered or run (kiosk/core/flows/ritual_run.py): done and rated, stopped by RED,
    snoozed or skipped. Only ``done`` counts towards the weekly rhythm."""

    id: str
    ritual: str  # the ritual's id in config/rituals.toml
    name: str
    family: str  # the exercise family and rung it builds on
    variation: str
    slot: str | None  # the scheduled time it answers, "<ritual>@YYYY-MM-DDTHH:MM"; None if asked
    at: datetime  # when it was offered or started, by the wall clock as read
    outcome: str  # one of RITUAL_OUTCOMES
    rating: str | None  # one of RITUAL_RATINGS, for done and stopped; None otherwise
    duration_s: float
    steps_done: int


PROBE_RATINGS = ("easy", "stiff", "painful", "skipped")  # GREEN, AMBER, RED, not rated
SCREENING_REASONS = ("first-run", "due", "asked")


@dataclass(frozen=True)
class ProbeResult:
    """One probe of a screening, on one side (``side`` None: a probe with no sides)."""

    probe: str  # the probe's id in config/signature.toml
    side: str | None  # left | right | None
    rating: str  # one of PROBE_RATINGS
    pain: int | None = None  # the rating given after RED (painful); None otherwise


@dataclass(frozen=True)
class ScreeningRecord:
    """A movement signature: every probe of one screening, side by side, with its date.

    ``complete`` is False when the screening was ended early (RED held, or left unanswered);
    the probes not reached are then missing, never invented."""

    id: str
    day: date
    at: datetime
    reason: str  # one of SCREENING_REASONS
    results: tuple[ProbeResult, ...]
    complete: bool = True


# Every kind of record the history holds. Questionnaires join this union as they arrive. A
# round of safety answers is ``kiosk.core.coach.safety.SafetyCheck``, defined beside the policy that
# reads it.
Record = SessionRecord | PainEntry | SafetyCheck | RitualRecord | PsfsRecord | ScreeningRecord


def sessions_of(records: Iterable[Record]) -> list[SessionRecord]:
    """The sessions among ``records``, in their order."""
    return [r for r in records if isinstance(r, SessionRecord)]


def rituals_of(records: Iterable[Record]) -> list[RitualRecord]:
    """The rituals among ``records``, in their order."""
    return [r for r in records if isinstance(r, RitualRecord)]


def screenings_of(records: Iterable[Record]) -> list[ScreeningRecord]:
    """The screenings among ``records``, in their order (the last is the latest signature)."""
    return [r for r in records if isinstance(r, ScreeningRecord)]


def last_pain(records: Iterable[Record]) -> int | None:
    """The latest pain rating: the newest record's, in save order. A session gives its
    check-out, else its check-in; a pain entry its rating. None when there is none at all."""
    for record in reversed(list(records)):
        if isinstance(record, PainEntry):
            return record.pain
        if not isinstance(record, SessionRecord):
            continue  # safety answers, rituals and questionnaires carry no rating here
        for value in (record.pain_after, record.pain_before):
            if value is not None:
                return value
    return None
