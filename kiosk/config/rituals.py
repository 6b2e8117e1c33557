"""The ritual library and its schedule, config/rituals.toml (docs/rituals.md).

A bad value takes its default and a bad ritual is left out, each with one problem; an unreadable
file falls back to the packaged one. Steps are checked against their breath at the reference
voice rate (150 words a minute), not the configured one: a slower voice is the listener's
choice, not a fault in the file.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config.files import DEFAULT_RITUALS, read_or_packaged
from kiosk.config.values import (
    BAD,
    BREATH_SLACK,
    REFERENCE_WPM,
    Fields,
    Invalid,
    Section,
    Spec,
    ident,
    is_int,
    items,
    line,
    lines,
    table,
    times,
    whole,
)
from kiosk.core.coach.rituals import (
    Ritual,
    RitualBook,
    ScheduleSettings,
    step_beats,
    total_seconds,
)
from kiosk.core.data.model import Breath, Library
from kiosk.core.words.phrases import speech_seconds
from kiosk.errors import ConfigError

RITUAL_SECONDS = (30.0, 90.0)  # a ritual is a short rehearsal, not a session
RITUAL_KEYS = ("id", "name", "moment", "builds_on", "setup", "steps", "rounds", "cue", "at",
               "fits")


def load_rituals(
    path: Path, library: Library, problems: list[ConfigError] | None = None,
    *, strict: bool = True,
) -> RitualBook:
    """Load the ritual library and its schedule; never raises for bad content (module doc). Not
    ``strict``: a ritual on a rung the exercise library does not have is left out without a
    problem."""
    problems = problems if problems is not None else []
    requested = str(path)  # named as the source even after a fallback: its problem names it
    read = read_or_packaged(path, DEFAULT_RITUALS, "the packaged rituals are", problems)
    if read is None:
        return RitualBook(source=requested)
    file, raw = str(read[0]), read[1]
    schedule = _schedule(file, raw.get("schedule", {}), problems)
    target = _weekly_target(file, raw.get("rhythm", {}), problems)
    rituals = _rituals(file, raw.get("ritual", []), library, schedule, strict, problems)
    for name in raw:
        if name not in ("schedule", "rhythm", "ritual"):
            problems.append(ConfigError(file, name, raw[name], "one of schedule, rhythm, ritual"))
    return RitualBook(rituals, schedule, target, source=requested)


def _quiet_hours(v: object) -> tuple[int, int] | None | Invalid:
    got = times(v, 2)
    if got is None or len(got) not in (0, 2):
        return BAD
    return (got[0], got[1]) if got else None


QUIET_HOURS = Spec(_quiet_hours, '["HH:MM", "HH:MM"] (from, until; 24-hour) or [] for none')


def _schedule(file: str, value: object, problems: list[ConfigError]) -> ScheduleSettings:
    values = table(value)
    if values is None:
        problems.append(ConfigError(file, "[schedule]", value, "a table of settings"))
        return ScheduleSettings()
    s, d = Section(file, "schedule", values), ScheduleSettings()
    schedule = ScheduleSettings(
        quiet=s.take("quiet_hours", QUIET_HOURS, d.quiet, "quiet"),
        snooze_minutes=s.take("snooze_minutes", whole(1, 120), d.snooze_minutes),
        answer_minutes=s.take("answer_minutes", whole(1, 30), d.answer_minutes),
        window_minutes=s.take("window_minutes", whole(5, 240), d.window_minutes),
    )
    s.finish(problems)
    return schedule


def _weekly_target(file: str, value: object, problems: list[ConfigError]) -> int:
    default = RitualBook().weekly_target
    values = table(value)
    if values is None:
        problems.append(ConfigError(file, "[rhythm]", value, "a table of settings"))
        return default
    for key in values:
        if key != "weekly_target":
            problems.append(ConfigError(file, f"rhythm.{key}", values[key], "weekly_target"))
    target = values.get("weekly_target", default)
    spec = whole(1, 7)
    got = spec.read(target)
    if isinstance(got, Invalid):
        problems.append(ConfigError(file, "rhythm.weekly_target", target, spec.allowed))
        return default
    return got


def _rituals(
    file: str, value: object, library: Library, schedule: ScheduleSettings, strict: bool,
    problems: list[ConfigError],
) -> tuple[Ritual, ...]:
    entries = items(value)
    if entries is None:
        problems.append(ConfigError(file, "ritual", value, "[[ritual]] tables"))
        return ()
    ids: set[str] = set()
    out = []
    for i, entry in enumerate(entries):
        fields = table(entry)
        missing = fields is not None and not _has_variation(library, fields.get("builds_on"))
        if missing and not strict:
            continue
        ritual = _ritual(file, f"ritual[{i}]", entry, library, schedule, ids, problems)
        if ritual is not None:
            ids.add(ritual.id)
            out.append(ritual)
    return tuple(out)


def _text(most: int) -> Spec[str]:
    return line(most, f"non-empty text of up to {most} characters")


def _fits(v: object) -> tuple[int, int] | Invalid:
    got = times(v, 2)
    return (got[0], got[1]) if got is not None and len(got) == 2 else BAD


def _at(v: object) -> tuple[int, ...] | Invalid:
    got = times(v, 6)
    return BAD if got is None else got


def _steps(v: object) -> tuple[str, ...] | Invalid:
    got = lines(v, 1, 10, 60)
    return BAD if got is None else got


def _ritual(
    file: str, where: str, entry: object, library: Library, schedule: ScheduleSettings,
    ids: set[str], problems: list[ConfigError],
) -> Ritual | None:
    raw = table(entry)
    if raw is None:
        problems.append(ConfigError(file, where, entry, "a [[ritual]] table"))
        return None
    f = Fields(file, where, raw, problems)
    f.unknown(RITUAL_KEYS, f"one of: {', '.join(sorted(RITUAL_KEYS))}")
    rid = f.need("id", ident(taken=ids))
    name = f.need("name", _text(60))
    moment = f.need("moment", _text(80))
    setup = f.need("setup", _text(120))
    vid = f.need("builds_on", Spec(lambda v: v if isinstance(v, str) and _has_variation(library, v)
                                   else BAD, "the id of a variation in the exercise library"))
    variation = library.variation(vid)[1] if vid is not None else None
    steps = f.need("steps", Spec(_steps, "a list of one to ten short steps"))
    rounds = f.get("rounds", whole(1, 4), 1)
    cue = f.get("cue", Spec(
        lambda v: v if is_int(v) and 0 <= v <= 2
        and (variation is None or v < len(variation.cues)) else BAD,
        "the number of one of its variation's cues (0 or 1)"), None)
    at = f.get("at", Spec(_at, 'a list of up to six times of day, like ["08:00"]'), ())
    fits = f.get("fits", Spec(_fits, '["HH:MM", "HH:MM"]: the part of the day it suits'), None)
    for m in at:
        if schedule.is_quiet(m):
            f.problem("at", f"{m // 60:02d}:{m % 60:02d}", "a time outside the quiet hours")
    if (f.failed or rid is None or name is None or moment is None or setup is None
            or vid is None or variation is None or steps is None):
        return None
    if rounds > 1 and len(steps) % 2:
        # The steps alternate breaths: an odd list repeated would move every step to the
        # other breath in the next round.
        f.problem("steps", f"{len(steps)} steps x {rounds} rounds",
                  "an even number of steps when rounds is more than 1, so each step keeps "
                  "its breath")
        return None
    ritual = Ritual(
        id=rid, name=name.strip(), moment=moment.strip(), builds_on=vid, setup=setup.strip(),
        steps=tuple(s.strip() for s in steps), rounds=rounds, cue=cue,
        at=tuple(sorted(set(at))), fits=fits,
    )
    for step, beat in step_beats(ritual, variation):
        if speech_seconds(beat.say[0], REFERENCE_WPM) > beat.seconds + BREATH_SLACK:
            f.problem("steps", step, f"a step short enough to say in its {beat.seconds:g}-second "
                      f"{'in' if beat.breath is Breath.IN else 'out'}-breath")
            return None
    seconds = total_seconds(ritual, variation, REFERENCE_WPM)
    lo, hi = RITUAL_SECONDS
    if not lo <= seconds <= hi:
        f.problem("steps", f"{len(steps)} steps x {rounds} rounds = {seconds:.0f} s",
                  f"steps and rounds that take {lo:.0f} to {hi:.0f} seconds")
        return None
    return ritual


def _has_variation(library: Library, vid: object) -> bool:
    if not isinstance(vid, str):
        return False
    try:
        library.variation(vid)
    except KeyError:
        return False
    return True
