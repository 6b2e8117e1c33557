"""The Patient-Specific Functional Scale, asked by voice every few weeks. Pure.

The clinician writes the activities in config (``[psfs] activities``), in the person's own words:
three buttons cannot type them. Every ``every_weeks`` weeks the kiosk asks, for each activity,
how well it can be done now, from 0 (unable) to 10 (able as before the back problem), rated
exactly like pain: GREEN one up, AMBER one down, hold GREEN to confirm. RED lets an activity
pass; holding RED ends the questionnaire, keeping the answers given. The answers are one
``PsfsRecord``; a change as big as the published minimal important change
(kiosk/core/coach/change.py)
is said and flagged on the progress screens. docs/progress.md has the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk.core.coach.change import psfs_change
from kiosk.core.data.events import Effect, Event, Hold, Press, Release, Save, Tick
from kiosk.core.data.model import Button
from kiosk.core.data.records import PsfsRecord, PsfsScore, Record
from kiosk.core.data.view import View
from kiosk.core.flows.flow import Outbox
from kiosk.core.words.phrases import number

START = 5  # where a first rating starts; after that, where the activity stood last time
REPROMPT_AFTER = 45.0  # seconds of silence before the question is asked once more


def psfs_records(records: Iterable[Record]) -> list[PsfsRecord]:
    return [r for r in records if isinstance(r, PsfsRecord)]


def due(
    records: Sequence[Record], today: date, activities: Sequence[str], every_weeks: int
) -> bool:
    """Is it time to ask? Never without activities; at once the first time; then when
    ``every_weeks`` weeks have passed since the last round that kept an answer."""
    if not activities or every_weeks <= 0:
        return False
    for r in reversed(records):
        if isinstance(r, PsfsRecord) and r.scores:
            return today >= r.at.date() + timedelta(weeks=every_weeks)
    return True


def last_scores(records: Sequence[Record]) -> dict[str, int]:
    """Each activity's newest score."""
    out: dict[str, int] = {}
    for r in psfs_records(records):
        out.update({s.activity: s.score for s in r.scores})
    return out


@dataclass(frozen=True)
class Flag:
    """A change as big as the published minimal important change."""

    what: str  # an activity, or "" for the mean of the activities
    before: float
    after: float

    @property
    def better(self) -> bool:
        return self.after > self.before


def flags(before: PsfsRecord | None, after: PsfsRecord) -> tuple[Flag, ...]:
    """The meaningful changes from one round to the next: the mean over the activities both
    rounds scored, then each activity on its own."""
    if before is None:
        return ()
    then = {s.activity: s.score for s in before.scores}
    both = [(then[s.activity], s.score, s.activity) for s in after.scores if s.activity in then]
    if not both:
        return ()
    out = []
    m0 = sum(b for b, _, _ in both) / len(both)
    m1 = sum(a for _, a, _ in both) / len(both)
    if len(both) > 1 and psfs_change(m0, m1).meaningful:
        out.append(Flag("", m0, m1))
    for b, a, activity in both:
        if psfs_change(b, a, single=True).meaningful:
            out.append(Flag(activity, b, a))
    return tuple(out)


def flag_lines(found: Sequence[Flag]) -> list[str]:
    """Better first; a harder activity is told plainly, with the clinician as the next step."""
    lines = []
    for f in sorted(found, key=lambda f: not f.better):
        what = "Your activities, on average," if not f.what else f.what.capitalize()
        went = f"went from {number(round(f.before))} to {number(round(f.after))}"
        if f.better:
            lines.append(f"{what} {went}. That is a change that matters.")
        else:
            lines.append(f"{what} {went}. Please mention it to your clinician.")
    return lines


INTRO = (
    "A few questions about everyday activities, once every few weeks. For each one: how well "
    "can you do it now, from zero, unable, to ten, able as before your back trouble?"
)


def ask(activity: str, value: int) -> str:
    return (
        f"{activity.capitalize()}. It is set to {number(value)}. GREEN raises it, AMBER lowers "
        "it, hold GREEN to confirm. RED lets it pass."
    )


THANKS = "Thank you. Your answers are saved."


@dataclass
class Questionnaire:
    """One round, from the first question to the saved record. Events in, effects out."""

    activities: tuple[str, ...]
    previous: PsfsRecord | None
    record_id: str
    at: datetime
    t0: float
    start_values: dict[str, int] = field(default_factory=dict)
    done: bool = False
    index: int = 0
    scores: list[PsfsScore] = field(default_factory=list)
    result: PsfsRecord | None = None

    holds = frozenset({Button.GREEN, Button.RED})  # GREEN held confirms, RED held ends

    def __post_init__(self) -> None:
        # Said lines are not timed here (no deadline waits on the voice): the rate is moot.
        self._talk = Outbox(150, self.t0)
        self._asked_at = self.t0
        self._reprompted = False
        self._armed: set[Button] = set()
        self.value = self._start_value()

    @property
    def now(self) -> float:
        return self._talk.now

    def start(self) -> list[Effect]:
        self._talk.say(INTRO)
        self._talk.say(ask(self.activity, self.value))
        return self._talk.flush(self.view)

    @property
    def activity(self) -> str:
        return self.activities[self.index]

    def _start_value(self) -> int:
        if self.index >= len(self.activities):
            return START
        return self.start_values.get(self.activities[self.index], START)

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self.now, event.t)
        if isinstance(event, Press):
            self._armed.add(event.button)
            if event.button is Button.RED:
                self._next(None)
        elif isinstance(event, Release) and event.button in self._armed:
            self._armed.discard(event.button)
            if not event.held and event.button is not Button.RED:
                step = 1 if event.button is Button.GREEN else -1
                self.value = min(10, max(0, self.value + step))
                self._asked_at = self.now
                self._talk.say(number(self.value), interrupt=True)
        elif isinstance(event, Hold) and event.button in self._armed:
            if event.button is Button.GREEN:
                self._talk.say(f"{number(self.value).capitalize()}.", interrupt=True)
                self._next(self.value)
            elif event.button is Button.RED:
                self._finish()
        elif isinstance(event, Tick) and self.now - self._asked_at > REPROMPT_AFTER:
            if self._reprompted:
                self._next(None)
            else:
                self._reprompted = True
                self._asked_at = self.now
                self._talk.say(ask(self.activity, self.value))
        return self._talk.flush(self.view)

    def _next(self, score: int | None) -> None:
        if score is not None:
            self.scores.append(PsfsScore(self.activity, score))
        self.index += 1
        self._reprompted = False
        self._asked_at = self.now
        if self.index >= len(self.activities):
            self._finish()
            return
        self.value = self._start_value()
        self._talk.say(ask(self.activity, self.value))

    def _finish(self) -> None:
        """The round is over: saved when it kept an answer. The kiosk moves on to the session
        (it pops this flow once done), so no ``Finished``: the sitting goes on."""
        self.done = True
        self.result = PsfsRecord(self.record_id, self.at, tuple(self.scores))
        if self.scores:
            self._talk.add(Save(self.result))
            for line in [THANKS, *flag_lines(flags(self.previous, self.result))]:
                self._talk.say(line)

    @property
    def view(self) -> View:
        if self.done:
            return View(screen="psfs", title="Activities", lines=("Saved",),
                        caption=self._talk.caption)
        return View(
            screen="psfs",
            title=self.activity.capitalize(),
            set_label=f"{self.index + 1} of {len(self.activities)}",
            lines=("0 = unable, 10 = as before",),
            pain=self.value,
            buttons={Button.GREEN: "Raise (hold: confirm)", Button.AMBER: "Lower",
                     Button.RED: "Pass"},
            awaiting="rating",
            caption=self._talk.caption,
        )


def new_round(
    records: Sequence[Record], activities: Sequence[str], *, record_id: str, at: datetime, t0: float
) -> Questionnaire:
    found = [r for r in psfs_records(records) if r.scores]
    return Questionnaire(
        activities=tuple(activities),
        previous=found[-1] if found else None,
        record_id=record_id,
        at=at,
        t0=t0,
        start_values=last_scores(records),
    )
