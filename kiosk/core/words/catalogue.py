"""Every line a session can speak, gathered to be rendered before it starts. Pure.

Made from the same functions the session speaks through (``phrases``) and the breath timeline
that lays out each rep's cues (``kiosk.core.coach.breath``): kept apart from both, since the
timeline itself speaks through ``phrases``.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.core.coach import breath
from kiosk.core.data.model import Breath, Button, Plan, SessionSettings
from kiosk.core.words.phrases import (
    BAD_DAY,
    CHECKIN_ABANDONED,
    CLINICIAN,
    CLOSED_NOTHING_SAVED,
    CLOSED_SAVED,
    ENDED_BY_HOLD,
    GENTLE_BREATHING_ONLY,
    GENTLE_OFFER,
    GENTLE_REST,
    NEXT_SOON,
    PAIN_CONTINUE,
    PAIN_LOG_CANCELLED,
    PAIN_LOG_CLINICIAN,
    PAIN_LOG_NO_ANSWER,
    PAIN_LOG_REPROMPT,
    PAIN_REPROMPT,
    PAIN_STOP,
    PAIN_UNKNOWN,
    PRIMER_CUES,
    PRIMER_DONE,
    PRIMER_INTRO,
    PRIMER_SKIPPED,
    RATE_AGAIN,
    RATE_MINUTE,
    RATE_PROMPT,
    READY_AGAIN,
    SET_PAUSED,
    SHUTTING_DOWN,
    SILENCE_LINES,
    SKIPPED,
    STOPPED_BEFORE_START,
    WELCOME_KEYS,
    fray_tip,
    intro,
    number,
    pain_confirmed,
    pain_log_prompt,
    pain_logged,
    pain_prompt,
    plan_details,
    rate_prompt,
    rest,
    set_fray,
    set_start,
    set_target,
    stuck,
    welcome,
)


def catalogue(plan: Plan, max_reps: int = 20, settings: SessionSettings | None = None
              ) -> list[str]:
    """Every line a session of this plan can speak, to render before it starts. It is made
    from the same functions the session speaks through, the rep timeline included, so no line
    is missing from the cache (tests/core/test_catalogue.py runs sessions to check). Only the
    closing summary, made of the day's own numbers, is rendered when it is due."""
    settings = settings or SessionSettings()
    sets = settings.sets

    lines: list[str] = [welcome(plan), *plan_details(plan), PRIMER_INTRO, *PRIMER_CUES]
    lines += [PRIMER_DONE, RATE_PROMPT, RATE_MINUTE, RATE_AGAIN, SET_PAUSED, PAIN_CONTINUE,
              *SILENCE_LINES]
    lines += [PAIN_STOP, BAD_DAY, ENDED_BY_HOLD, SKIPPED, PAIN_REPROMPT, CLINICIAN]
    lines += [PRIMER_SKIPPED, READY_AGAIN, NEXT_SOON, PAIN_UNKNOWN, CHECKIN_ABANDONED]
    lines += [STOPPED_BEFORE_START, SHUTTING_DOWN, *(stuck(b) for b in Button)]
    lines += [rest(int(settings.rest_seconds)), WELCOME_KEYS, CLOSED_SAVED, CLOSED_NOTHING_SAVED]
    lines += [GENTLE_OFFER, GENTLE_BREATHING_ONLY, GENTLE_REST]
    lines += [number(n) for n in range(0, max(11, max_reps + 1))]
    for purpose in ("checkin", "checkout", "pain"):
        lines += [pain_prompt(purpose, v) for v in range(11)]
    lines += [pain_confirmed(v) for v in range(11)]
    lines += [pain_log_prompt(v) for v in range(11)] + [pain_logged(v) for v in range(11)]
    lines += [PAIN_LOG_REPROMPT, PAIN_LOG_CANCELLED, PAIN_LOG_NO_ANSWER, PAIN_LOG_CLINICIAN]
    lines += [set_fray(n) for n in range(max_reps + 1)]
    lines += [set_target(n) for n in range(1, max_reps + 1)]
    count = len(plan.exercises)
    for i, p in enumerate(plan.exercises, start=1):
        v = p.variation
        lines += intro(p, i, count)
        lines += [fray_tip(v), rate_prompt(v), *v.cues]
        lines += [set_target(n, v) for n in range(1, p.side_target(p.first_side) + 1)]
        sides: tuple[str | None, ...] = ("left", "right") if v.side == "each" else (None,)
        for side in sides:
            lines += [set_start(n, sets, side) for n in range(1, sets + 1)]
            lead_ins = [beat for named in (False, True) for after in (Breath.OUT, Breath.IN)
                        for beat in breath.lead_in(v, side, name_side=named, after=after)]
            lead_ins += breath.close(v, Breath.IN, side)
            lines += [line for beat in lead_ins for line in (*beat.say, *beat.short)]
            target = p.side_target(side)
            for rep in range(1, target + 1):
                lines += [line for beat in breath.rep_beats(v, rep, side, first=p.first_side,
                                                            of=target)
                          for line in (*beat.say, *beat.short)]
    return list(dict.fromkeys(_nonempty(lines)))


def _nonempty(lines: Iterable[str]) -> Iterable[str]:
    return (line for line in lines if line)


