"""The safety policy: which red-flag questions are due, and what a set of answers leads to.

Pure, like the rest of the core: the history of answers, the day and the pain rating come in as
plain data, and decisions leave as plain data. Nothing here speaks, waits or saves; the
question-by-question flow is ``kiosk.core.flows.questions``. The rules, and why they are what they
are, are in docs/safety.md. In short:

* Four groups of questions, each with its own action: **emergency** (get emergency care now),
  **urgent** (contact your clinician today; no exercise), **background** (check with your
  clinician; exercise waits until the config records a clearance) and **advice** (mention it
  to your clinician; exercise goes on).
* Every group at the first run and again every ``repeat_days``; the emergency and urgent
  groups when a pain rating is well above the usual level, or very high; the emergency group
  after a check-out whose pain rose, when leg symptoms are in both legs, and at least every
  ``emergency_days``. Within one day a group is asked again only if pain has risen since.
* An emergency or urgent "yes" keeps exercise stopped until it is resolved: a clinician's
  clearance (``cleared_on``) dated on or after it, or, on a later day, the person saying a
  clinician has seen them since, and then "no" to every emergency and urgent question. A plain
  "no" the next day does not resolve it.
* ``cleared_on`` clears only the "yes" answers given on or before it: a new "yes" after it
  waits for a new clearance.
* RED, or no answer in time, counts as "yes": a habit or a hesitation never leads into exercise.

The kiosk never names a diagnosis: the questions ask what the person notices, and the advice
says what to do.
"""

from __future__ import annotations

import statistics
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from kiosk.core.data.fields import WHEN_SET, Pain, Text
from kiosk.core.data.model import Button


class Group(StrEnum):
    """A group of red-flag questions. Listed in the order they are asked, weightiest first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    BACKGROUND = "background"
    ADVICE = "advice"  # worth a clinician's knowing; exercise goes on


GROUPS = tuple(Group)
ACUTE = (Group.EMERGENCY, Group.URGENT)  # asked again when pain rises


class Reason(StrEnum):
    """Why a round of questions was asked; saved with the answers."""

    FIRST_RUN = "first-run"
    REPEAT = "repeat"  # repeat_days since every group was last asked
    AFTER_YES = "after-yes"  # earlier versions: a later day than an emergency or urgent "yes"
    HIGH_PAIN = "high-pain"  # a check-in or pain-log rating well above usual, or very high
    SEEN = "seen"  # after an emergency or urgent "yes": has a clinician seen the person since?
    ROUTINE = "routine"  # emergency_days since the emergency group was last asked
    PAIN_ROSE = "pain-rose"  # a check-out pain_rise_stop or more above that day's check-in
    BOTH_LEGS = "both-legs"  # leg symptoms today, in both legs


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
    ADVICE = "advice"  # an advice-only "yes": mention it to your clinician; exercise goes on
    CLEAR = "clear"  # all "no"

    @property
    def exercise(self) -> bool:
        return self in (Outcome.CLEAR, Outcome.CLEARED, Outcome.ADVICE)


def outcome(answers: Iterable[Answer], cleared: Container[str] = ()) -> Outcome:
    """What these answers lead to. The weightiest "yes" decides; a background "yes" waits for
    a clinician's clearance: ``cleared`` holds the questions a clearance covers
    (``cleared_questions``)."""
    said = list(answers)
    yes = {a.group for a in said if a.yes}
    if Group.EMERGENCY in yes:
        return Outcome.EMERGENCY
    if Group.URGENT in yes:
        return Outcome.URGENT
    if Group.BACKGROUND in yes:
        covered = all(a.question in cleared for a in said if a.yes and a.group is Group.BACKGROUND)
        return Outcome.CLEARED if covered else Outcome.BACKGROUND
    if Group.ADVICE in yes:
        return Outcome.ADVICE
    return Outcome.CLEAR


def clears(cleared_on: date | None, answered: date, today: date) -> bool:
    """Whether a clearance covers a "yes" given on ``answered``: only one dated on or after that
    answer, and not after today (a clearance dated in the future is a typo, or a clock that
    went back, and counts from that day)."""
    return cleared_on is not None and answered <= cleared_on <= today


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
    # A follow-up round (Reason.SEEN): the answer to "has a clinician seen you since?". Only
    # GREEN is "seen"; the groups are then asked again. None (and no key in the JSON) in every
    # other round.
    seen: How | None = field(default=None, metadata=WHEN_SET)

    def yes_in(self, group: Group) -> bool:
        return any(a.yes for a in self.answers if a.group is group)

    @property
    def acute_yes(self) -> bool:
        return any(self.yes_in(g) for g in ACUTE)

    @property
    def acute_clear(self) -> bool:
        """Every emergency and urgent question asked in this round, all answered "no"."""
        return set(ACUTE) <= set(self.groups) and not self.acute_yes


# --- when to ask ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """The thresholds the policy reads (``[safety]`` and ``[progression]`` in kiosk.toml)."""

    repeat_days: int = 28
    emergency_days: int = 7  # the emergency group is asked at least this often
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
    pain_rose: bool = False,
    both_legs: bool = False,
) -> Due:
    """The groups due now, given every round answered so far (oldest first).

    Call it with ``pain=None`` before a session, and with the rating once a check-in, a
    check-out or a pain-log entry gives one (``usual`` is the usual level before that rating).
    ``pain_rose``: a check-out ``pain_rise_stop`` or more above the day's check-in;
    ``both_legs``: leg symptoms today, in both legs. An emergency or urgent "yes" not yet
    resolved is not a matter of questions: ``blocked`` stops exercise, and the kiosk asks
    whether a clinician has seen the person (``Reason.SEEN``).
    """
    if not checks:
        return Due(GROUPS, Reason.FIRST_RUN)
    if _days_since_all(checks, today) >= rules.repeat_days:
        return Due(GROUPS, Reason.REPEAT)
    wanted: list[tuple[tuple[Group, ...], Reason]] = []
    if pain is not None and high_pain(pain, usual, rules):
        wanted.append((ACUTE, Reason.HIGH_PAIN))
    if pain_rose:
        wanted.append(((Group.EMERGENCY,), Reason.PAIN_ROSE))
    if both_legs:
        wanted.append(((Group.EMERGENCY,), Reason.BOTH_LEGS))
    if _days_since(checks, Group.EMERGENCY, today) >= rules.emergency_days:
        wanted.append(((Group.EMERGENCY,), Reason.ROUTINE))
    groups: set[Group] = set()
    reason: Reason | None = None
    for asked, why in wanted:
        fresh = {g for g in asked if not _asked_today(checks, today, g, pain)}
        if fresh:
            groups |= fresh
            reason = reason or why
    return Due(tuple(g for g in GROUPS if g in groups), reason)


def _days_since_all(checks: Sequence[SafetyCheck], today: date) -> int:
    """Days since the last round that asked every group (a big number if none did). A history
    from before the advice group counts a round that asked the three older groups."""
    for c in reversed(checks):
        if set(c.groups) >= set(GROUPS) - {Group.ADVICE}:
            return (today - c.day).days
    return 10**6


def _days_since(checks: Sequence[SafetyCheck], group: Group, today: date) -> int:
    for c in reversed(checks):
        if group in c.groups:
            return (today - c.day).days
    return 10**6


def _asked_today(
    checks: Sequence[SafetyCheck], today: date, group: Group, pain: int | None
) -> bool:
    """``group`` already asked today, and pain has not risen since: within one day a question
    is asked again only at a higher rating (a second 9 asks nothing, a rise to 10 does). A
    round asked before any rating counts as asked at no pain: a rating after it that asks the
    questions is a rise."""
    for c in reversed(checks):
        if c.day != today:
            break
        if group in c.groups and (pain is None or (c.pain is not None and c.pain >= pain)):
            return True
    return False


# --- what stops exercise -------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """Exercise is not offered, because of ``outcome`` (answered on ``since``).

    ``follow_up``: an emergency or urgent "yes" from an earlier day, and the person has not yet
    been asked today whether a clinician has seen them since: the kiosk asks that first."""

    outcome: Outcome
    since: date
    follow_up: bool = False


def open_yes(
    checks: Sequence[SafetyCheck], today: date, cleared_on: date | None
) -> SafetyCheck | None:
    """The round with the newest emergency or urgent "yes" that is not resolved, or None.

    It is resolved by a clearance dated on or after it (``cleared_on``), or by a later round in
    which the person said a clinician had seen them (GREEN) and then answered "no" to every
    emergency and urgent question. A plain "no" on another day resolves nothing: no one has
    looked at it. A "yes" given today stops exercise today whatever the config says: a
    clearance dated today may have been written before the answer.
    """
    flag: SafetyCheck | None = None
    for c in checks:
        if c.acute_yes:
            flag = c
        elif flag is not None and c.seen is How.GREEN and c.acute_clear:
            flag = None
    if flag is not None and flag.day < today and clears(cleared_on, flag.day, today):
        return None
    return flag


def blocked(checks: Sequence[SafetyCheck], today: date, cleared_on: date | None) -> Block | None:
    """Whether exercise is off, given the answers so far.

    * An emergency or urgent "yes" not resolved (``open_yes``): off. On a later day the kiosk
      first asks whether a clinician has seen the person (``follow_up``), once a day.
    * The latest background answers hold a "yes" that no clearance covers: off until one does.
    """
    flag = open_yes(checks, today, cleared_on)
    if flag is not None:
        o = Outcome.EMERGENCY if flag.yes_in(Group.EMERGENCY) else Outcome.URGENT
        asked = any(c.day == today and c.seen is not None for c in _after(checks, flag))
        return Block(o, flag.day, follow_up=flag.day < today and not asked)
    background = latest(checks, Group.BACKGROUND)
    if background is not None and background.yes_in(Group.BACKGROUND):
        covered = cleared_questions(checks, today, cleared_on)
        if any(a.yes and a.question not in covered for a in background.answers
               if a.group is Group.BACKGROUND):
            return Block(Outcome.BACKGROUND, background.day)
    return None


def _after(checks: Sequence[SafetyCheck], flag: SafetyCheck) -> Sequence[SafetyCheck]:
    return checks[next(i for i, c in enumerate(checks) if c is flag) + 1:]


def cleared_questions(
    checks: Sequence[SafetyCheck], today: date, cleared_on: date | None
) -> frozenset[str]:
    """The background questions a clearance covers today: each answered "yes" on or before
    ``cleared_on``, and not answered "no" since. A "yes" that is new after the clearance (never
    given before it, or given again after a "no") waits for a new one: an old clearance of a
    long-term steroid course does not clear a new answer about cancer."""
    if cleared_on is None or cleared_on > today:
        return frozenset()
    covered: dict[str, bool] = {}
    for c in checks:
        for a in c.answers:
            if a.group is not Group.BACKGROUND:
                continue
            if c.day <= cleared_on:
                covered[a.question] = a.yes
            elif not a.yes:
                covered[a.question] = False
    return frozenset(q for q, yes in covered.items() if yes)


def latest(checks: Sequence[SafetyCheck], group: Group) -> SafetyCheck | None:
    """The last round that asked ``group``."""
    for c in reversed(checks):
        if group in c.groups:
            return c
    return None


def clearance_state(
    checks: Sequence[SafetyCheck], today: date, cleared_on: date | None
) -> str:
    """One line for ``kiosk check``: is exercise waiting for a clinician?"""
    if cleared_on is not None and cleared_on > today:
        when = f"cleared_on = {cleared_on} is after today; it counts from that day"
    elif cleared_on is not None:
        when = f"cleared by a clinician on {cleared_on}"
    else:
        when = "no clearance recorded ([safety] cleared_on)"
    if not checks:
        return f"{when}; no safety answers yet (asked at the first start)"
    block = blocked(checks, today, cleared_on)
    if block is not None and block.outcome is Outcome.BACKGROUND:
        return (f"{when}; EXERCISE WAITS: a background question was answered yes on "
                f"{block.since}. When a clinician has cleared the program, set "
                "[safety] cleared_on = YYYY-MM-DD in kiosk.toml")
    if block is not None:
        return (f"{when}; EXERCISE STOPPED: an {block.outcome} question was answered yes on "
                f"{block.since}. It goes on once the person says a clinician has seen them "
                "and answers no to every emergency and urgent question, or once a clinician "
                "sets [safety] cleared_on to that day or later")
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
    leg_question: bool = True  # leg symptoms asked at every check-in (kiosk.core.coach.legs)
