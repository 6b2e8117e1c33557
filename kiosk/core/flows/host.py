"""What every flow the kiosk runs shares: the history, today's plan, the clock, the one effects
loop and the stack of flows. Pure, like the flows.

The kiosk (``kiosk.core.flows.kiosk``) is a ``Host`` that also routes events. The ways from one
flow to the next (``sitting``: the questions, the screening, the PSFS, the session; ``offer``: the
rituals) are functions of a ``Host``, so they never import the router.

The host keeps the history it has been given (typed records, in save order) in memory and plans
from it, so planning never waits on a file. The shell persists each ``Save`` effect and feeds
nothing back: the record a flow saved is already in ``records``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from kiosk.core.coach import rhythm
from kiosk.core.coach.program import Terms, with_contact
from kiosk.core.coach.rituals import RitualBook
from kiosk.core.coach.safety import SafetyCheck, Setup, blocked, usual_pain
from kiosk.core.coach.schedule import Scheduler
from kiosk.core.coach.signature import SignatureSetup
from kiosk.core.data.events import Effect, Finished, Hush, Save, Say, Show
from kiosk.core.data.model import Library, Plan, SessionSettings
from kiosk.core.data.records import (
    PainEntry,
    Record,
    SessionRecord,
    last_pain,
    rituals_of,
    sessions_of,
)
from kiosk.core.flows.flow import Flow, Outbox, record_id
from kiosk.core.flows.history_screens import ProgressSettings
from kiosk.core.flows.questions import advice_lines
from kiosk.core.flows.ritual_run import RitualRun
from kiosk.core.flows.session import Session
from kiosk.core.reports.progress import day_of as progress_day
from kiosk.core.words.captions import Captions

# (everything saved so far, the day, check-in pain or None before check-in) -> the day's plan.
# The records hold the sessions the plan progresses from, and the latest movement signature
# that tunes it (kiosk.core.coach.signature).
Planner = Callable[[Sequence[Record], date, "int | None"], Plan]
# (sessions so far, the day) -> each exercise family's current variation id
Levels = Callable[[Sequence[SessionRecord], date], Mapping[str, str]]
# (sessions so far, the day, today's plan) -> the gentle plan for a high-pain day
# The gentle plan from the history (the sessions, and the clinician's program in force).
GentlePlanner = Callable[[Sequence[Record], date, Plan], Plan]
# The last closed months' records (for the history screens), and the day they start on.
Earlier = tuple[Sequence[Record], date | None]
F = TypeVar("F", bound=Flow)


@dataclass(frozen=True)
class RitualSetup:
    """What the kiosk needs to offer rituals: the book, the exercise library their rungs are
    in, and each family's current rung from the history (``kiosk.coaching.make_levels``)."""

    book: RitualBook
    library: Library
    levels: Levels
    scheduled: bool = True  # False: offered only when asked for (the plain demo)
    # Whether the clinician's program in force (among the records) allows a variation: a
    # ritual on one it leaves out stays closed (issue 28). None: every ritual as it opens.
    allows: Callable[[Sequence[Record], str], bool] | None = None


@dataclass(frozen=True)
class _Entry:
    flow: Flow
    then: Callable[[], None]
    serial: int  # this run of the flow, never the same twice: whose lines a caption shows


def _no_terms(records: Sequence[Record]) -> Terms:
    return Terms()


def _no_earlier() -> Earlier:
    return (), None


def _nothing() -> None:
    return None


class Host:
    def __init__(
        self,
        planner: Planner,
        settings: SessionSettings,
        *,
        records: Sequence[Record],
        t0: float,
        wall0: datetime,
        nonce: str = "",
        rituals: RitualSetup | None = None,
        earlier_pain: int | None = None,
        earlier_checkins: Sequence[int] = (),
        earlier_days: Iterable[date] = (),
        earlier: Callable[[], Earlier] | None = None,
        safety: Setup | None = None,
        gentle: GentlePlanner | None = None,
        signature: SignatureSetup | None = None,
        screen_at_boot: bool = False,
        progress: ProgressSettings | None = None,
        sessions_before: bool = False,
        terms: Callable[[Sequence[Record]], Terms] | None = None,
    ) -> None:
        # ``records`` may be only the newest part of the history (the store's window; the
        # planner holds a snapshot of the rest): ``earlier_pain`` is the last rating before it.
        self.earlier_pain = earlier_pain
        self.earlier_checkins = list(earlier_checkins)  # the last check-ins before ``records``
        self.earlier_days = set(earlier_days)  # days of practice this week before ``records``
        self.sessions_before = sessions_before  # a session is saved before ``records``
        # For the history screens and summaries: the last closed months' records and the day
        # they start on (None when ``records`` is the whole history). The store reads them
        # after start-up, off the loop, and keeps them: only a menu or a week's end asks.
        self._earlier = earlier or _no_earlier
        self.nonce = nonce  # from the shell, so two kiosk runs never mint the same record id
        self.planner = planner
        self.settings = settings
        self.records = list(records)  # everything saved, in save order, sessions and others
        self.rituals = rituals
        book = rituals.book if rituals is not None else RitualBook()
        self.scheduler = Scheduler(
            book.times() if rituals is not None and rituals.scheduled else (), book.schedule,
            handled=(r.slot for r in rituals_of(self.records) if r.slot),
        )
        # Quick rituals offered: the quick ones run so far, then one more per offer.
        self.quick_turn = sum(1 for r in rituals_of(self.records) if not r.slot)
        self.now = t0
        self._t0, self._wall0 = t0, wall0
        self.captions = Captions(settings.speech_rate_wpm, settings.spoken)
        # The effects of the kiosk's own flows and every flow's, for the shell (``run``).
        self.outbox = Outbox(settings.speech_rate_wpm, t0, settings.spoken)
        self._count = 0
        self.progress = progress or ProgressSettings()
        # The clinician's program in force (issue 28): its weekly aim, clearance and contact.
        self._terms = terms or _no_terms
        self.plan = self.planner(self.records, self.today, None)
        # The safety steps (docs/safety.md). Without a Setup (unit tests of other parts) the
        # kiosk has none; runtime.build always gives one.
        self.safety = safety
        self.gentle = gentle
        # The movement signature (docs/signature.md): its probes and rules; None: no screening.
        self.signature = signature if signature is not None and signature.probes else None
        self.screen_at_boot = screen_at_boot  # `kiosk demo --screening`: a check on demand
        self.not_today: date | None = None  # a due screening declined: not offered again today
        self.stack: list[_Entry] = []  # the flows running, the home screen at the bottom
        self._pushed = 0  # flows pushed so far: each entry's serial

    # --- time ---------------------------------------------------------------------------------
    def wall(self, t: float | None = None) -> datetime:
        """Wall-clock time at kiosk time ``t``, from the one reading taken at start-up."""
        return self._wall0 + timedelta(seconds=(self.now if t is None else t) - self._t0)

    @property
    def today(self) -> date:
        return self.wall().date()

    def clock_wall(self) -> datetime:
        """The time of day by the latest wall-clock reading: what the ritual schedule follows.

        Sessions keep the day read at start-up (``wall``), so a jump never re-dates them; the
        schedule follows the clock as it is now, so a Pi that set its clock after boot still
        offers the morning ritual in the morning."""
        return self.scheduler.wall(self.now) or self.wall()

    def new_id(self, kind: str, at: datetime) -> str:
        """A new record's id (``flow.record_id``): never the same twice in one kiosk run."""
        self._count += 1
        return record_id(kind, at, self.nonce, self._count)

    # --- the flows ----------------------------------------------------------------------------
    @property
    def top(self) -> Flow:
        return self.stack[-1].flow

    def screen_key(self) -> tuple[int, str]:
        """The screen shown now, as the captions know it: the run of the flow on top, and its
        screen (a session's check-in, sets and rests are screens of their own)."""
        return self.stack[-1].serial, self.top.view.screen

    def push(self, flow: F, then: Callable[[F], None] | None = None, *,
             hush: bool = True) -> F:
        """Run ``flow`` on top until it is done, then call ``then`` with it. ``hush`` first
        stops whatever was being said (every flow but those that start with a Hush of their
        own, or speak after the line before)."""
        self._pushed += 1
        self.stack.append(_Entry(flow, (lambda: then(flow)) if then is not None else _nothing,
                                 self._pushed))
        if hush:
            self.hush()
        self.run(flow.start())
        return flow

    def run(self, effects: list[Effect], *, settle: bool = True) -> None:
        """The one effects loop: every flow's effects go out through here. A saved record is
        kept, what is said is captioned, a hush clears the caption; the kiosk shows its own
        view once per event, so a flow's ``Show`` stays in. Then every flow now done is popped
        and its continuation called."""
        for eff in effects:
            if isinstance(eff, Save):
                self.remember(eff.record)
            elif isinstance(eff, Say):
                contact = self.terms.contact
                if contact:  # "...contact your clinician. Ring the practice on 01234 567890."
                    eff = Say(with_contact(eff.text, contact), eff.interrupt)
                self.captions.say(eff.text, self.now, interrupt=eff.interrupt)
            elif isinstance(eff, Hush):
                self.captions.hush(self.now)
            if not isinstance(eff, Show):
                self.out.append(eff)
        while settle and len(self.stack) > 1 and self.top.done:
            self.stack.pop().then()

    def drop(self, flow: Flow) -> None:
        """Take ``flow`` off the stack without its continuation (the kiosk is closing)."""
        self.stack = [e for e in self.stack if e.flow is not flow]

    @property
    def session(self) -> Session | None:
        """The session open now, if any (it may wait under its safety steps)."""
        for e in reversed(self.stack):
            if isinstance(e.flow, Session):
                return e.flow
        return None

    @property
    def ritual(self) -> RitualRun | None:
        for e in reversed(self.stack):
            if isinstance(e.flow, RitualRun):
                return e.flow
        return None

    # --- output of the kiosk's own flows --------------------------------------------------
    @property
    def out(self) -> list[Effect]:
        return self.outbox.out

    def say(self, text: str) -> None:
        text = with_contact(text, self.terms.contact)
        self.captions.say(text, self.now)
        self.out.append(Say(text))

    def hush(self) -> None:
        self.captions.hush(self.now)
        self.out.append(Hush())

    def finished(self) -> None:
        """The sitting is over (the demo ends on it), though no session said so."""
        self.out.append(Finished())

    def rate(self) -> int:
        return self.settings.speech_rate_wpm

    # --- the history --------------------------------------------------------------------------
    def remember(self, record: Record) -> None:
        """Keep a saved record; one saved again (a session's checkpoints) replaces itself."""
        self.records = [r for r in self.records if r.id != record.id] + [record]

    def save(self, record: Record) -> None:
        self.remember(record)
        self.out.append(Save(record))

    def ids(self) -> set[str]:
        return {r.id for r in self.records}

    @property
    def sessions(self) -> list[SessionRecord]:
        return sessions_of(self.records)

    @property
    def first_session_done(self) -> bool:
        """Whether any session was ever saved: a first start goes welcome, safety questions,
        movement check, first session, and only then are rituals offered (issue 30)."""
        return self.sessions_before or any(isinstance(r, SessionRecord) for r in self.records)

    @property
    def checks(self) -> list[SafetyCheck]:
        """The rounds of safety answers so far, oldest first."""
        return [r for r in self.records if isinstance(r, SafetyCheck)]

    @property
    def pain_entries(self) -> list[PainEntry]:
        return [r for r in self.records if isinstance(r, PainEntry)]

    def last_pain(self) -> int | None:
        """The newest pain rating, in ``records`` or before them."""
        pain = last_pain(self.records)
        return self.earlier_pain if pain is None else pain

    def usual_pain(self) -> float | None:
        """The usual level before a new rating: the bad-day baseline (docs/progression.md)."""
        assert self.safety is not None
        earlier = [*self.earlier_checkins,
                   *(s.pain_before for s in self.sessions if s.pain_before is not None)]
        return usual_pain(earlier, self.safety.rules)

    def recent(self) -> list[Record]:
        """What the history screens and summaries read (docs/progress.md): the closed months
        the store read for them, then every record since. The older records ``records`` keeps
        (safety answers, pain entries) are left out: no screen looks back that far, and in
        save order they come before those months."""
        earlier, since = self._earlier()
        if since is None:
            return self.records
        ids = {r.id for r in earlier}
        return [*earlier,
                *(r for r in self.records if r.id not in ids and progress_day(r) >= since)]

    @property
    def terms(self) -> Terms:
        """What the clinician's program in force says besides its families."""
        return self._terms(self.records)

    @property
    def cleared_on(self) -> date | None:
        """The latest clearance of the safety questions: the config's or the program's."""
        days = [d for d in (self.safety.cleared_on if self.safety else None,
                            self.terms.cleared_on) if d is not None]
        return max(days) if days else None

    def week(self) -> rhythm.Week:
        """This week's rhythm: days with a session or a completed ritual, against the aim (the
        program's sessions a week, when it sets them)."""
        target = self.rituals.book.weekly_target if self.rituals is not None else 5
        target = self.terms.sessions_per_week or target
        days = rhythm.active_days(self.records) | self.earlier_days
        return rhythm.week_of(self.today, days, target)

    def blocked_advice(self) -> tuple[str, ...]:
        """The advice to show while a safety answer stops exercise; () when none does."""
        if self.safety is None:
            return ()
        block = blocked(self.checks, self.today, self.cleared_on)
        return advice_lines(self.safety.wording, block.outcome) if block else ()

