"""Red-flag questions asked one at a time, and the short screens around them. Pure.

Each flow here is a small state machine with the session's shape: ``start()`` and
``handle(event)`` return effects, ``view`` is what the screen shows, and ``done`` says when the
kiosk should move on. The kiosk (``kiosk.core.flows.kiosk``) decides which flow runs when; the
policy
(which questions, what an answer leads to) is ``kiosk.core.coach.safety``.

Answers use the usual mapping: GREEN yes, AMBER no. RED, or no answer within
``answer_seconds``, counts as yes, so that a habit or a hesitation never leads into exercise.
Each question is spoken on its own, after the one before has been answered, and once more if
no answer comes within half the time, saying that silence will count as yes; a silence after
that is said back as a yes.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime

from kiosk.core.coach.safety import (
    ACUTE,
    Answer,
    Group,
    How,
    Outcome,
    Question,
    Reason,
    SafetyCheck,
    Wording,
    answer_of,
    outcome,
)
from kiosk.core.data.events import Effect, Event, Hush, Press, Tick
from kiosk.core.data.model import Button, Lengths
from kiosk.core.data.view import View
from kiosk.core.flows.flow import NO_HOLDS, Outbox
from kiosk.core.words import phrases

ANSWER_BUTTONS = {Button.GREEN: "Yes", Button.AMBER: "No", Button.RED: "Not sure (yes)"}
SEEN_BUTTONS = {Button.GREEN: "Yes, seen", Button.AMBER: "No", Button.RED: "Not sure (no)"}


class Questions:
    """Ask the questions of ``groups`` one at a time; stop at the first emergency or urgent yes.

    A background "yes" does not stop the round: the other background questions are still
    asked, so a clinician sees every answer. ``check()`` gives the saved record once ``done``.

    A follow-up round (``standing``: the outcome of an emergency or urgent "yes" not yet
    resolved) first asks whether a clinician has seen the person since. Only GREEN is "seen":
    the groups are then asked again. AMBER, RED or silence ends the round, and the standing
    outcome stands.
    """

    holds = NO_HOLDS

    def __init__(
        self,
        wording: Wording,
        groups: tuple[Group, ...],
        reason: Reason,
        *,
        t0: float,
        answer_seconds: float,
        rate_wpm: int,
        lengths: Lengths | None = None,
        pain: int | None = None,
        standing: Outcome | None = None,
        hush: bool = True,
    ) -> None:
        self.wording = wording
        self.hush = hush  # False: the intro waits for the line before (a silence said back)
        self.questions = wording.asking(groups)
        self.groups = groups
        self.reason = Reason.SEEN if standing is not None else reason
        self.pain = pain
        self.answer_seconds = answer_seconds
        self.answers: list[Answer] = []
        self.standing = standing
        self.seen: How | None = None
        self.done = not self.questions
        self._talk = Outbox(rate_wpm, t0, lengths)
        self._asked_at = t0  # when the current question finished being said
        self._repeated = False

    @property
    def asking_seen(self) -> bool:
        return self.standing is not None and self.seen is None and not self.done

    @property
    def current(self) -> Question | None:
        i = len(self.answers)
        if self.done or self.asking_seen or i >= len(self.questions):
            return None
        return self.questions[i]

    def _text(self) -> str:
        if self.asking_seen:
            return phrases.SEEN_QUESTION
        q = self.current
        assert q is not None
        return q.text

    def start(self) -> list[Effect]:
        if self.hush:
            self._talk.out.append(Hush())
        if self.asking_seen:
            self._talk.say(phrases.SEEN_INTRO, interrupt=self.hush)
        else:
            self._talk.say(self.wording.intro, interrupt=self.hush)
        self._ask()
        return self._talk.flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, Press):
            self._answer(answer_of(event.button), interrupt=True)
        elif isinstance(event, Tick):
            waited = self._talk.now - self._asked_at
            if waited >= self.answer_seconds:
                self._talk.say(phrases.SILENCE_YES)  # said back: the yes stands for the day
                self._answer(answer_of(None), interrupt=False)
            elif waited >= self.answer_seconds / 2 and not self._repeated:
                self._repeated = True
                self._talk.say(self._text())
                self._talk.say(phrases.SILENCE_WARNING)
        return self._talk.flush()

    def _ask(self, *, interrupt: bool = False) -> None:
        self._talk.say(self._text(), interrupt=interrupt)
        self._asked_at = self._talk.until
        self._repeated = False

    def _answer(self, how: How, *, interrupt: bool) -> None:
        if self.asking_seen:
            self.seen = how
            if how is not How.GREEN:
                self.done = True  # not seen: the standing advice again, no exercise
                return
            self._talk.say(self.wording.intro, interrupt=interrupt)
            self._ask()
            return
        q = self.current
        assert q is not None
        self.answers.append(Answer(q.id, q.group, how))
        if (how.yes and q.group in ACUTE) or len(self.answers) == len(self.questions):
            self.done = True  # the kiosk says what the answers lead to
            return
        self._ask(interrupt=interrupt)  # a press cuts off the repeat of the last question

    def asked_groups(self) -> tuple[Group, ...]:
        """The groups reached: those with an answer. A round cut short by a "yes" has not
        asked the groups after it, so they stay due (``safety.due``)."""
        reached = {a.group for a in self.answers}
        return tuple(g for g in self.groups if g in reached)

    def check(
        self, check_id: str, day: date, at: datetime, cleared: Container[str] = ()
    ) -> SafetyCheck:
        """The saved record. ``cleared``: the background questions a clinician's clearance
        covers (``safety.cleared_questions``)."""
        result = outcome(self.answers, cleared)
        if self.standing is not None and self.seen is not How.GREEN:
            result = self.standing
        return SafetyCheck(
            id=check_id,
            day=day,
            at=at,
            reason=self.reason,
            groups=self.asked_groups(),
            answers=tuple(self.answers),
            pain=self.pain,
            outcome=result,
            seen=self.seen,
        )

    @property
    def caption(self) -> str:
        return self._talk.caption

    @property
    def result(self) -> tuple[Answer, ...]:
        return tuple(self.answers)

    @property
    def view(self) -> View:
        if self.asking_seen:
            return View(screen="question", title="Since last time", lines=(phrases.SEEN_QUESTION,),
                        buttons=dict(SEEN_BUTTONS), awaiting="answer", caption=self._talk.caption)
        q = self.current
        n = len(self.answers) + 1
        return View(
            screen="question",
            title=f"Safety question {n} of {len(self.questions)}",
            lines=(q.text,) if q else (),
            buttons=dict(ANSWER_BUTTONS) if q else {},
            awaiting="answer" if q else None,
            caption=self._talk.caption,
        )


class Pages:
    """Screens of lines, each said and shown in turn; any button goes to the next, and past the
    last one the flow is done.

    Used for the first-run welcome and "About" (two screens), and for the advice after a
    "yes" (one). ``finish_after`` ends the last screen on its own once everything is said plus
    that long (None: wait for a press).
    """

    holds = NO_HOLDS
    result = None

    def __init__(
        self,
        screen: str,
        pages: tuple[tuple[str, tuple[str, ...]], ...],
        *,
        t0: float,
        rate_wpm: int,
        lengths: Lengths | None = None,
        go_on: str = "Go on",
        finish_after: float | None = None,
    ) -> None:
        self.screen, self.pages = screen, pages
        self.go_on = go_on
        self.finish_after = finish_after
        self.page = 0
        self.done = False
        self._talk = Outbox(rate_wpm, t0, lengths)

    def start(self) -> list[Effect]:
        self._talk.out.append(Hush())
        self._say_page()
        return self._talk.flush()

    def _say_page(self) -> None:
        for i, line in enumerate(self.pages[self.page][1]):
            self._talk.say(line, interrupt=i == 0)

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, Press):
            self.page += 1
            self.done = self.page >= len(self.pages)
            if not self.done:
                self._say_page()
        elif isinstance(event, Tick) and self.finish_after is not None:
            last = self.page == len(self.pages) - 1
            self.done = last and self._talk.now >= self._talk.until + self.finish_after
        return self._talk.flush()

    @property
    def view(self) -> View:
        title, lines = self.pages[min(self.page, len(self.pages) - 1)]
        more = self.page < len(self.pages) - 1
        return View(
            screen=self.screen,
            title=title,
            lines=lines,
            buttons={b: "Next" if more else self.go_on for b in Button},
            awaiting="continue",
            caption=self._talk.caption,
        )


class Choice:
    """A yes/no offer: GREEN accepts, AMBER declines. RED declines too: it never adds load.

    No answer for ``timeout`` seconds declines, so an offer left alone ends quietly for today.

    ``safe_yes``: a question whose "yes" is the safe answer (the leg question at check-in):
    RED counts as yes, as on the red-flag questions, and so does silence. The question is said
    again at half the time with ``SILENCE_WARNING``, and a silence after that is said back
    (``SILENCE_YES``). ``how`` keeps how it was answered.
    """

    holds = NO_HOLDS

    def __init__(
        self,
        screen: str,
        title: str,
        lines: tuple[str, ...],
        spoken: tuple[str, ...],
        *,
        t0: float,
        rate_wpm: int,
        lengths: Lengths | None = None,
        yes: str,
        no: str,
        timeout: float,
        safe_yes: bool = False,
    ) -> None:
        self.screen, self.title, self.lines, self.spoken = screen, title, lines, spoken
        red = f"Not sure ({yes.lower()})" if safe_yes else no
        self.labels = {Button.GREEN: yes, Button.AMBER: no, Button.RED: red}
        self.timeout = timeout
        self.safe_yes = safe_yes
        self.accepted: bool | None = None
        self.lapsed = False  # declined by no answer, not by a press
        self.how: How | None = None
        self._talk = Outbox(rate_wpm, t0, lengths)
        self._repeated = False

    @property
    def done(self) -> bool:
        return self.accepted is not None

    @property
    def result(self) -> bool | None:
        return self.accepted

    def start(self) -> list[Effect]:
        for line in self.spoken:
            self._talk.say(line)
        return self._talk.flush()

    def handle(self, event: Event) -> list[Effect]:
        if self.done:
            return []
        self._talk.now = max(self._talk.now, event.t)
        if isinstance(event, Press):
            self.how = answer_of(event.button)
            self.accepted = self.how.yes if self.safe_yes else event.button is Button.GREEN
        elif isinstance(event, Tick) and self.safe_yes:
            self._wait_safely()
        elif isinstance(event, Tick) and self._talk.now >= self._talk.until + self.timeout:
            self.accepted, self.lapsed = False, True
        return self._talk.flush()

    def _wait_safely(self) -> None:
        """Silence on a ``safe_yes`` question: asked again at half the time, saying what a
        silence will mean; a silence after that is said back and counts as yes."""
        if self._repeated and self._talk.now >= self._talk.until + self.timeout / 2:
            self._talk.say(phrases.SILENCE_YES)
            self.how, self.accepted = How.TIMEOUT, True
        elif not self._repeated and self._talk.now >= self._talk.until + self.timeout / 2:
            self._repeated = True
            for line in self.spoken[-1:]:
                self._talk.say(line)
            self._talk.say(phrases.SILENCE_WARNING)

    @property
    def view(self) -> View:
        return View(
            screen=self.screen,
            title=self.title,
            lines=self.lines,
            buttons=dict(self.labels),
            awaiting="choice",
            caption=self._talk.caption,
        )


def advice_lines(wording: Wording, result: Outcome, *, advice: bool = False) -> tuple[str, ...]:
    """What to say after a round: the advice of the weightiest "yes", or the all-clear.
    ``advice``: an advice-only question was answered yes too (said after a clearance)."""
    if result is Outcome.CLEAR:
        return (wording.all_clear,)
    if result is Outcome.CLEARED:
        return (wording.cleared, *((wording.advice[Group.ADVICE],) if advice else ()))
    return (wording.advice[Group(result.value)],)
