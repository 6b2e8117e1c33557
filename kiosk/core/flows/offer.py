"""Rituals offered and run (docs/rituals.md): the offer when one falls due on the home screen or
is asked for from the menu, its answer, and the ritual itself. Pure.

The offer is a flow of its own (``Offer``): it only takes the answer. What follows (the ritual,
a snooze, a skip saved for the schedule, the about pages) is the continuation's, here.
"""

from __future__ import annotations

from kiosk.core.coach import rhythm
from kiosk.core.coach.rituals import Ritual, RitualBook, fitting, open_ids, total_seconds, unlocks
from kiosk.core.coach.schedule import Slot
from kiosk.core.data.events import Effect, Event, Hush, Press, Say, Tick, Tone
from kiosk.core.data.model import Button
from kiosk.core.data.view import View
from kiosk.core.flows.flow import NO_HOLDS
from kiosk.core.flows.host import Host
from kiosk.core.flows.ritual_run import RitualRun, ritual_record
from kiosk.core.flows.sitting import about, green_now
from kiosk.core.words import phrases


class Offer:
    """A ritual offered: GREEN starts it; AMBER is "later" (a scheduled one) or the about pages
    (one asked for); RED skips it; no answer by ``until`` lets it go. ``answer`` says which:
    start, amber, red or timeout."""

    holds = NO_HOLDS

    def __init__(self, ritual: Ritual, slot: Slot | None, until: float, *, seconds: float,
                 about: bool) -> None:
        self.ritual, self.slot, self.until = ritual, slot, until
        self.seconds = seconds  # how long it takes, for the screen
        self.about = about  # AMBER opens the about pages (when there are any)
        self.answer: str | None = None

    @property
    def done(self) -> bool:
        return self.answer is not None

    @property
    def result(self) -> str | None:
        return self.answer

    def start(self) -> list[Effect]:
        name = self.ritual.name
        line = phrases.ritual_offer(name) if self.slot else phrases.ritual_quick(name)
        return [Tone("chime"), Say(line)]

    def handle(self, event: Event) -> list[Effect]:
        if isinstance(event, Press) and event.button is Button.GREEN:
            self.answer = "start"
        elif isinstance(event, Press) and event.button in (Button.AMBER, Button.RED):
            self.answer = event.button.value
            return [Hush()]
        elif isinstance(event, Tick) and event.t >= self.until:
            self.answer = "timeout"
        return []

    @property
    def view(self) -> View:
        r = self.ritual
        if self.slot is not None:
            buttons = {Button.GREEN: "Start", Button.AMBER: "Later", Button.RED: "Skip"}
        else:  # asked for: the about pages are one press away, as holding AMBER was before
            buttons = {Button.GREEN: "Start", Button.AMBER: "About the kiosk",
                       Button.RED: "Not now"}
            if not self.about:
                buttons = {Button.GREEN: "Start", Button.AMBER: "Not now"}
        return View(
            screen="offer",
            title=r.name,
            lines=(f"A short ritual, {r.moment}.",
                   f"About {round(self.seconds / 10) * 10} seconds."),
            buttons=buttons,
            awaiting="offer",
        )


class Opened:
    """The rituals open today; worked out again only when the history or the day changed."""

    def __init__(self) -> None:
        self._key: tuple[int, object, int] | None = None
        self._open: frozenset[str] = frozenset()

    def __call__(self, k: Host) -> frozenset[str]:
        """None while a safety answer stops exercise: a ritual is exercise too."""
        if k.rituals is None or k.blocked_advice():
            return frozenset()
        key = (len(k.sessions), k.today, len(k.records))
        if key != self._key:
            self._key = key
            r = k.rituals
            found = open_ids(unlocks(r.book, r.library, r.levels(k.sessions, k.today)))
            if r.allows is not None:  # a clinician's program: only what it allows
                by_id = {x.id: x for x in r.book.rituals}
                found = frozenset(rid for rid in found
                                  if r.allows(k.records, by_id[rid].builds_on))
            self._open = found
        return self._open


def scheduled(k: Host, opened: Opened) -> None:
    """Idle on the home screen: offer the ritual that fell due, if one did."""
    slot = k.scheduler.due(k.clock_wall(), opened(k))
    if slot is not None and k.rituals is not None:
        offer(k, k.rituals.book.get(slot.ritual), slot)


def quick(k: Host, opened: Opened) -> None:
    """"A quick ritual" from the menu: the open ritual that fits the time of day."""
    k.hush()
    wall = k.clock_wall()
    book = k.rituals.book if k.rituals is not None else RitualBook()
    ritual = fitting(book, wall.hour * 60 + wall.minute, opened(k), k.quick_turn)
    k.quick_turn += 1  # the next quick ritual offers the next one in turn
    if ritual is not None:
        offer(k, ritual, None)
    elif k.safety is not None:
        about(k, k.safety)  # no ritual now (or no exercise today): what the kiosk is
    else:
        k.say(phrases.NO_RITUAL)


def offer(k: Host, ritual: Ritual, slot: Slot | None) -> None:
    minutes = k.scheduler.settings.answer_minutes
    seconds = 0.0
    if k.rituals is not None:
        seconds = total_seconds(ritual, k.rituals.library.variation(ritual.builds_on)[1],
                                k.settings.speech_rate_wpm)
    k.push(Offer(ritual, slot, k.now + minutes * 60.0, seconds=seconds,
                 about=k.safety is not None), lambda o: answered(k, o), hush=False)


def answered(k: Host, offer: Offer) -> None:
    slot, ritual = offer.slot, offer.ritual
    if offer.answer == "start":
        if slot is not None:
            k.scheduler.answered(slot)
        start(k, ritual, slot)
    elif offer.answer == "amber":
        if slot is None and k.safety is not None:
            about(k, k.safety)
        elif slot is None:
            k.say(phrases.RITUAL_NOT_NOW)
        else:
            later = k.scheduler.snooze(slot, k.clock_wall())
            save_answer(k, ritual, slot, "snoozed")
            minutes = k.scheduler.settings.snooze_minutes
            k.say(phrases.ritual_snoozed(minutes) if later else phrases.RITUAL_SNOOZED_QUIET)
    elif offer.answer == "red":
        if slot is None:
            k.say(phrases.RITUAL_NOT_NOW)
            return
        k.scheduler.answered(slot)
        save_answer(k, ritual, slot, "skipped")
        k.say(phrases.RITUAL_DECLINED)
    else:  # no answer: let it go, and say what GREEN does now
        if slot is not None:
            k.scheduler.answered(slot)
            save_answer(k, ritual, slot, "skipped")
        k.say(phrases.RITUAL_SKIPPED)
        k.say(green_now(k))


def save_answer(k: Host, ritual: Ritual, slot: Slot, outcome: str) -> None:
    if k.rituals is None:
        return
    family, v = k.rituals.library.variation(ritual.builds_on)
    k.save(ritual_record(ritual, family, v, run_id=k.new_id("ritual", k.clock_wall()),
                         at=k.clock_wall(), outcome=outcome, slot=slot.key))


def start(k: Host, ritual: Ritual, slot: Slot | None) -> None:
    assert k.rituals is not None
    family, v = k.rituals.library.variation(ritual.builds_on)
    run = RitualRun(
        ritual, family, v, k.settings, t0=k.now,
        started_at=k.clock_wall().replace(microsecond=0),
        run_id=k.new_id("ritual", k.clock_wall()),
        slot=slot.key if slot is not None else None,
    )
    k.push(run, lambda r: done(k, r))


def done(k: Host, run: RitualRun) -> None:
    if run.outcome == "done":
        k.say(rhythm.spoken(k.week()))
