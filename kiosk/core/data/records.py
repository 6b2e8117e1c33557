"""What the kiosk remembers, as types: the one declaration of every kind of saved record.

A record is a frozen dataclass. The session makes them, the store keeps them, and progression,
the home screen, history, export and the CLI read them, all as these types. The store's codec
(``kiosk/store/records.py``) turns them into JSON and back, and derives everything it checks
from these declarations: each field's type, and for a field that may hold less than its type
allows, an ``Annotated`` rule (``Pain``, ``Text``, ``OneOf(...)``). A check that reads two
fields at once is the record's ``problem()``. docs/data.md describes the JSON.

Adding a field is one edit here (with a default, so that histories written before it still
read), plus its test. Adding a kind: a frozen dataclass here with its ``TAG`` and ``LABEL``,
added to ``Record``, and a section in docs/data.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, ClassVar

from kiosk.core.coach.safety import SafetyCheck
from kiosk.core.data.fields import (
    WHEN_SET,
    Count,
    OneOf,
    Pain,
    Rule,
    Score,
    Seconds,
    Target,
    Text,
    absent_means,
)

SCHEMA_VERSION = 1  # the one version of the saved records; docs/data.md describes it
# The coaching rules a session was planned under: 1 before the rhythm rules (issue 26), which a
# session saved without the key was; 2 since. A replay goes on from where an older session was
# done (kiosk.core.coach.steps), so new rules never make a family jump.
RULES = 2

SESSION_ENDS = ("complete", "pain", "stop", "timeout", "interrupted")
SET_ENDS = ("target", "fray", "pain", "stop", "timeout")
RATINGS = ("clean", "slipped")
SIDES = ("left", "right")
LEGS = ("none", "one", "both")  # leg symptoms at check-in (kiosk.core.coach.legs)


@dataclass(frozen=True)
class SetRecord:
    """One set of one exercise: each rep's rating, in order, and why the set ended."""

    side: Text | None  # left | right, for variations done one side at a time; else None
    reps: tuple[Annotated[str, OneOf(RATINGS)], ...]
    clean_reps: Count
    ended_by: Annotated[str, OneOf(SET_ENDS)]

    def problem(self) -> str | None:
        """What is wrong between its fields, for the codec to refuse; None when nothing is."""
        if self.clean_reps > len(self.reps):
            return f"clean_reps is {self.clean_reps!r:.40}, more than its {len(self.reps)} reps"
        return None


@dataclass(frozen=True)
class ExerciseRecord:
    """One planned exercise of a session, done, skipped or never reached."""

    family: Text
    variation: Text
    name: str
    target: Target
    change: str  # same | advance | back | reenter | bad-day | new
    reason: str
    skipped: bool
    sets: tuple[SetRecord, ...]
    # What the person confirmed holding on a loaded rung ("a light weight"), in their own
    # GREEN at Ready; None (and no key in the JSON) for a rung with no load, or one skipped
    # before it began.
    load: Text | None = field(default=None, metadata=WHEN_SET)


@dataclass(frozen=True)
class PainEvent:
    """A RED press during a session, and the rating given after it."""

    at_s: Seconds  # seconds since the session started
    family: Text | None  # the exercise at the time; None outside an exercise
    variation: Text | None
    set: Count | None  # how many sets of that exercise had started
    rep: Count | None  # the rep in progress; None outside a set
    phase: str  # primer | intro | set | rest | ...
    pain: Pain | None  # None when no rating was given


@dataclass(frozen=True)
class SessionRecord:
    """One guided session: check-in, exercises, check-out."""

    TAG: ClassVar[str] = "session"  # its "kind" in JSON: never written, as schema 1 first was
    LABEL: ClassVar[str] = "session"  # how a message names one: "session 'x': ..."

    id: Text
    plan_date: date
    started_at: datetime
    ended_at: datetime
    duration_s: Seconds
    pain_before: Pain | None  # check-in
    pain_after: Pain | None  # check-out, or the rating that ended the session for pain
    ended_by: Annotated[str, OneOf(SESSION_ENDS)]
    exercises: tuple[ExerciseRecord, ...]
    pain_events: tuple[PainEvent, ...]
    # The coaching rules it was planned under (RULES); a session saved before the key was
    # planned under the rules before the rhythm rules (1).
    rules: Count = field(default=RULES, metadata=absent_means(1))
    # Pain, tingling, numbness or weakness below the knee at check-in: none, one leg or both
    # legs (kiosk.core.coach.legs); None (and no key in the JSON) when it was not asked.
    legs: Annotated[str, OneOf(LEGS)] | None = field(default=None, metadata=WHEN_SET)

    @property
    def clean_reps(self) -> int:
        return sum(s.clean_reps for ex in self.exercises for s in ex.sets)


@dataclass(frozen=True)
class PainEntry:
    """A pain rating logged from the home screen, outside any session."""

    TAG: ClassVar[str] = "pain"
    LABEL: ClassVar[str] = "pain entry"

    id: Text
    at: datetime
    pain: Pain
    note: str = ""  # what the person was doing, if they said


@dataclass(frozen=True)
class PsfsScore:
    activity: Text  # as the clinician wrote it in config, e.g. "carry the shopping"
    score: Score  # 0 (unable) to 10 (able as before the back problem)


@dataclass(frozen=True)
class PsfsRecord:
    """One round of the Patient-Specific Functional Scale (kiosk/core/flows/psfs.py), asked by
    voice.
    An activity the person let pass (RED) is left out of ``scores``."""

    TAG: ClassVar[str] = "psfs"
    LABEL: ClassVar[str] = "PSFS"

    id: Text
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

    TAG: ClassVar[str] = "ritual"
    LABEL: ClassVar[str] = "ritual"

    id: Text
    ritual: Text  # the ritual's id in config/rituals.toml
    name: str
    family: Text  # the exercise family and rung it builds on
    variation: Text
    slot: Text | None  # the scheduled time it answers, "<ritual>@YYYY-MM-DDTHH:MM"; None if asked
    at: datetime  # when it was offered or started, by the wall clock as read
    outcome: Annotated[str, OneOf(RITUAL_OUTCOMES)]
    rating: Annotated[str, OneOf(RITUAL_RATINGS)] | None  # for done and stopped; else None
    duration_s: Seconds
    steps_done: Count


PROBE_RATINGS = ("easy", "stiff", "painful", "skipped")  # GREEN, AMBER, RED, not rated
SCREENING_REASONS = ("first-run", "due", "asked", "restart")  # restart: after a long break


@dataclass(frozen=True)
class ProbeResult:
    """One probe of a screening, on one side (``side`` None: a probe with no sides)."""

    probe: Text  # the probe's id in config/signature.toml
    side: Annotated[str, OneOf(SIDES)] | None
    rating: Annotated[str, OneOf(PROBE_RATINGS)]
    pain: Pain | None = None  # the rating given after RED (painful); None otherwise


@dataclass(frozen=True)
class ScreeningRecord:
    """A movement signature: every probe of one screening, side by side, with its date.

    ``complete`` is False when the screening was ended early (RED held, or left unanswered);
    the probes not reached are then missing, never invented."""

    TAG: ClassVar[str] = "screening"
    LABEL: ClassVar[str] = "screening"

    id: Text
    day: date
    at: datetime
    reason: Annotated[str, OneOf(SCREENING_REASONS)]
    # Before ``results`` in the JSON, as it was always written; given by name.
    complete: bool = field(default=True, kw_only=True)
    results: tuple[ProbeResult, ...]


CHECKSUM = Annotated[str, Rule("a SHA-256 checksum: 64 lower-case hex digits", nonempty=True)]
PROGRAM_SOURCES = ("usb", "file", "previous")  # the menu's stick, `kiosk program load`, going back


def checksum(text: str) -> str:
    """A program text's checksum: SHA-256 of its UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ProgramRecord:
    """A clinician's program, accepted (issue 28, docs/program.md): the file as written (a
    byte-order mark dropped, CRLF read as LF), its checksum, and when it was loaded. The newest
    is the program in force (kiosk.config.program.active_program); older ones are its history.
    Going back to the previous program saves that one's text again, as a new record."""

    TAG: ClassVar[str] = "program"
    LABEL: ClassVar[str] = "program"

    id: Text
    at: datetime  # when it was loaded, by the wall clock as read
    text: str  # TOML, read by kiosk.config.program.parse_program
    checksum: CHECKSUM  # checksum(text): a text changed on the card is refused, not obeyed
    source: Annotated[str, OneOf(PROGRAM_SOURCES)] = "file"

    def problem(self) -> str | None:
        """What is wrong between its fields, for the codec to refuse; None when nothing is."""
        if checksum(self.text) != self.checksum:
            return "checksum does not match its text"
        return None


# Every kind of record the history holds. Questionnaires join this union as they arrive. A
# round of safety answers is ``kiosk.core.coach.safety.SafetyCheck``, defined beside the policy that
# reads it.
Record = (SessionRecord | PainEntry | SafetyCheck | RitualRecord | PsfsRecord | ScreeningRecord
          | ProgramRecord)


def sessions_of(records: Iterable[Record]) -> list[SessionRecord]:
    """The sessions among ``records``, in their order."""
    return [r for r in records if isinstance(r, SessionRecord)]


def rituals_of(records: Iterable[Record]) -> list[RitualRecord]:
    """The rituals among ``records``, in their order."""
    return [r for r in records if isinstance(r, RitualRecord)]


def screenings_of(records: Iterable[Record]) -> list[ScreeningRecord]:
    """The screenings among ``records``, in their order (the last is the latest signature)."""
    return [r for r in records if isinstance(r, ScreeningRecord)]


def programs_of(records: Iterable[Record]) -> list[ProgramRecord]:
    """The programs among ``records``, in their order (the last is the one in force)."""
    return [r for r in records if isinstance(r, ProgramRecord)]


def replayed(records: Iterable[Record]) -> list[SessionRecord | ProgramRecord]:
    """What a replay of the history reads, in order: the sessions, and the clinician's
    programs each applies from (kiosk.core.coach.progression.Progress.feed)."""
    return [r for r in records if isinstance(r, SessionRecord | ProgramRecord)]


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
