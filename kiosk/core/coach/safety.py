"""The safety policy: which red-flag questions are due, and what a set of answers leads to.

Pure, like the rest of the core: the history of answers, the day and the pain rating come in as
plain data, and decisions leave as plain data. Nothing here speaks, waits or saves; the
question-by-question flow is ``kiosk.core.flows.questions``. The rules, and why they are what they
are, are in docs/safety.md. In short:

* Three groups of questions, each with its own action: **emergency** (get emergency care now),
  **urgent** (contact your clinician today; no exercise today) and **background** (check with
  your clinician; exercise waits until the config records a clearance).
* All three groups at the first run and again every ``repeat_days``; the emergency and urgent
  groups when a pain rating is well above the usual level, or very high; and before any
  exercise on a later day than a "yes".
* RED, or no answer in time, counts as "yes": a habit or a hesitation never leads into exercise.

The kiosk never names a diagnosis: the questions ask what the person notices, and the advice
says what to do.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from kiosk.core.data.fields import Pain, Text
from kiosk.core.data.model import Button


class Group(StrEnum):
    """A group of red-flag questions. Listed in the order they are asked, weightiest first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    BACKGROUND = "background"


GROUPS = tuple(Group)
ACUTE = (Group.EMERGENCY, Group.URGENT)  # asked again when pain rises


class Reason(StrEnum):
    """Why a round of questions was asked; saved with the answers."""

    FIRST_RUN = "first-run"
    REPEAT = "repeat"  # repeat_days since every group was last asked
    AFTER_YES = "after-yes"  # a later day than an emergency or urgent "yes"
    HIGH_PAIN = "high-pain"  # a check-in or pain-log rating well above usual, or very high


class How(StrEnum):
    """How an answer was given. Only AMBER is a "no"."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    TIMEOUT = "timeout"

    @property
    def yes(self) -> bool:
        return self is not How.AMBER


def answer_of(button: Button | None) -> How:
    """GREEN yes, AMBER no; RED, or no answer (``None``), counts as yes."""
    if button is None:
        return How.TIMEOUT
    return How(button.value)


# --- the wording, from config/safety.toml --------------------------------------------------------
@dataclass(frozen=True)
class Question:
    id: str
    group: Group
    text: str


@dataclass(frozen=True)
class Wording:
    """Everything the kiosk says about itself and about safety. Loaded by ``kiosk.config``."""

    welcome: tuple[str, ...]  # what the kiosk is
    buttons: tuple[str, ...]  # what the three buttons do
    intro: str
    all_clear: str
    advice: Mapping[Group, str]
    cleared: str
    questions: tuple[Question, ...]

    @property
    def about(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The welcome as screens of (title, lines): what the kiosk is, then the buttons."""
        return (("Welcome", self.welcome), ("The three buttons", self.buttons))

    def group(self, group: Group) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.group is group)

    def asking(self, groups: Iterable[Group]) -> tuple[Question, ...]:
        """The questions of these groups, in the order they are asked."""
        wanted = set(groups)
        return tuple(q for g in GROUPS if g in wanted for q in self.group(g))


class Outcome(StrEnum):
    """What a round of answers leads to, weightiest first."""

    EMERGENCY = "emergency"  # get emergency care now; no exercise
    URGENT = "urgent"  # contact your clinician today; no exercise today
    BACKGROUND = "background"  # check with your clinician; exercise waits for a clearance
    CLEARED = "cleared"  # a background "yes", and the config records a clearance
    CLEAR = "clear"  # all "no"

    @property
    def exercise(self) -> bool:
        return self in (Outcome.CLEAR, Outcome.CLEARED)


def outcome(answers: Iterable[Answer], cleared_on: date | None, today: date) -> Outcome:
    """What these answers lead to. The weightiest "yes" decides; a background "yes" waits for
    a clinician's clearance recorded in the config (``[safety] cleared_on``)."""
    yes = {a.group for a in answers if a.yes}
    if Group.EMERGENCY in yes:
        return Outcome.EMERGENCY
    if Group.URGENT in yes:
        return Outcome.URGENT
    if Group.BACKGROUND in yes:
        return Outcome.CLEARED if is_cleared(cleared_on, today) else Outcome.BACKGROUND
    return Outcome.CLEAR


def is_cleared(cleared_on: date | None, today: date) -> bool:
    """A clearance dated after today is not one yet (a typo, or a clock that went back)."""
    return cleared_on is not None and cleared_on <= today


# --- the record of one round of answers ----------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    question: Text  # Question.id
    group: Group
    how: How

    # Written after the fields, for a person reading the file; "how" alone decides, and is what
    # is read back (only amber is a no).
    ALSO_WRITTEN: ClassVar[tuple[str, ...]] = ("answer",)

    @property
    def yes(self) -> bool:
        return self.how.yes

    @property
    def answer(self) -> str:
        return "yes" if self.yes else "no"


@dataclass(frozen=True)
class SafetyCheck:
    """One round of questions and its answers, as saved in the history (docs/data.md)."""

    TAG: ClassVar[str] = "safety"  # its "kind" in JSON
    LABEL: ClassVar[str] = "safety answers"

    id: Text
    day: date  # the kiosk's date when asked
    at: datetime  # when the round ended
    reason: Reason
    groups: tuple[Group, ...]  # the groups asked, in order
    answers: tuple[Answer, ...]
    pain: Pain | None = None  # the rating that asked it (HIGH_PAIN), else None
    outcome: Outcome = Outcome.CLEAR

    def yes_in(self, group: Group) -> bool:
        return any(a.yes for a in self.answers if a.group is group)


# --- when to ask ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """The thresholds the policy reads (``[safety]`` and ``[progression]`` in kiosk.toml)."""

    repeat_days: int = 28
    high_pain: int = 9  # a rating this high always asks the emergency and urgent groups
    bad_day_rise: int = 2  # ...and so does one this far above the usual level
    bad_day_window: int = 7  # the usual level: median of this many recent check-ins


@dataclass(frozen=True)
class Due:
    """The groups to ask now, and why. ``groups`` is empty when nothing is due."""

    groups: tuple[Group, ...] = ()
    reason: Reason | None = None

    def __bool__(self) -> bool:
        return bool(self.groups)


def usual_pain(checkins: Sequence[int], rules: Rules) -> float | None:
    """The usual level: the median of the recent check-ins, as for a bad day
    (docs/progression.md, "Bad days"). None when there are none yet."""
    recent = list(checkins)[-max(1, rules.bad_day_window):]
    return statistics.median(recent) if recent else None


def high_pain(pain: int, usual: float | None, rules: Rules) -> bool:
    """Very high, or ``bad_day_rise`` above the usual level. A person whose pain often sits at
    7 is not asked every day: questions asked daily get answered by habit."""
    return pain >= rules.high_pain or (usual is not None and pain - usual >= rules.bad_day_rise)


def due(
    checks: Sequence[SafetyCheck],
    today: date,
    rules: Rules,
    *,
    pain: int | None = None,
    usual: float | None = None,
) -> Due:
    """The groups due before exercise today, given every round answered so far (oldest first).

    Call it with ``pain=None`` before a session, and with the rating once a check-in or a
    pain-log entry gives one (``usual`` is the usual level before that rating).
    """
    if not checks:
        return Due(GROUPS, Reason.FIRST_RUN)
    if _days_since_all(checks, today) >= rules.repeat_days:
        return Due(GROUPS, Reason.REPEAT)
    groups = set[Group]()
    reason: Reason | None = None
    unanswered = _open_yes(checks, today)
    if unanswered:
        groups |= set(ACUTE)
        reason = Reason.AFTER_YES
    if pain is not None and high_pain(pain, usual, rules) and not _asked_today(
        checks, today, pain
    ):
        groups |= set(ACUTE)
        reason = reason or Reason.HIGH_PAIN
    return Due(tuple(g for g in GROUPS if g in groups), reason)


def _days_since_all(checks: Sequence[SafetyCheck], today: date) -> int:
    """Days since the last round that asked every group (a big number if none did)."""
    for c in reversed(checks):
        if set(c.groups) >= set(GROUPS):
            return (today - c.day).days
    return 10**6


def _open_yes(checks: Sequence[SafetyCheck], today: date) -> bool:
    """An emergency or urgent "yes" on an earlier day, not yet answered "no" since.

    The same day, a "yes" already stopped exercise for the day (``blocked``); asking again
    would only invite a different answer.
    """
    for c in reversed(checks):
        asked = [g for g in ACUTE if g in c.groups]
        if not asked:
            continue
        if any(c.yes_in(g) for g in asked):
            return c.day < today
        if set(asked) == set(ACUTE):
            return False  # both answered "no" since
    return False


def _asked_today(checks: Sequence[SafetyCheck], today: date, pain: int) -> bool:
    """Both acute groups already answered today at a rating at least as high: a second 9 on the
    same day does not ask the same questions again, a rise to 10 does."""
    for c in reversed(checks):
        if c.day != today:
            break
        if set(c.groups) >= set(ACUTE) and c.pain is not None and c.pain >= pain:
            return True
    return False


# --- what stops exercise -------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """Exercise is not offered, because of ``outcome`` (answered on ``since``)."""

    outcome: Outcome
    since: date


def blocked(checks: Sequence[SafetyCheck], today: date, cleared_on: date | None) -> Block | None:
    """Whether exercise is off, given the answers so far.

    * An emergency or urgent "yes" today: off for the rest of the day.
    * The latest background answers hold a "yes" and the config records no clearance: off
      until it does.
    A "yes" on an earlier day does not block by itself: the questions are asked again first
    (``due``), and a "no" then lets exercise go on.
    """
    for c in reversed(checks):
        if c.day != today:
            break
        for g, o in ((Group.EMERGENCY, Outcome.EMERGENCY), (Group.URGENT, Outcome.URGENT)):
            if c.yes_in(g):
                return Block(o, c.day)
    background = latest(checks, Group.BACKGROUND)
    if background is not None and background.yes_in(Group.BACKGROUND):
        if not is_cleared(cleared_on, today):
            return Block(Outcome.BACKGROUND, background.day)
    return None


def latest(checks: Sequence[SafetyCheck], group: Group) -> SafetyCheck | None:
    """The last round that asked ``group``."""
    for c in reversed(checks):
        if group in c.groups:
            return c
    return None


def clearance_state(
    checks: Sequence[SafetyCheck], today: date, cleared_on: date | None
) -> str:
    """One line for ``kiosk check``: is exercise waiting for a clinician's clearance?"""
    background = latest(checks, Group.BACKGROUND)
    waiting = background is not None and background.yes_in(Group.BACKGROUND)
    if cleared_on is not None and cleared_on > today:
        when = f"cleared_on = {cleared_on} is after today; it counts from that day"
    elif cleared_on is not None:
        when = f"cleared by a clinician on {cleared_on}"
    else:
        when = "no clearance recorded ([safety] cleared_on)"
    if not checks:
        return f"{when}; no safety answers yet (asked at the first start)"
    if waiting and not is_cleared(cleared_on, today):
        assert background is not None
        return (f"{when}; EXERCISE WAITS: a background question was answered yes on "
                f"{background.day}. When a clinician has cleared the program, set "
                "[safety] cleared_on = YYYY-MM-DD in kiosk.toml")
    last = checks[-1]
    return f"{when}; last answers {last.day} ({last.outcome})"


# --- what the kiosk needs to run the safety steps ------------------------------------------------
@dataclass(frozen=True)
class Setup:
    """The safety settings and words the kiosk runs on (from ``[safety]`` and safety.toml)."""

    wording: Wording
    rules: Rules = Rules()
    cleared_on: date | None = None
    answer_seconds: float = 60.0
    gentle_from: int = 7
