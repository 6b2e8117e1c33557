"""The exercise library, config/exercises.toml: families, each a ladder of variations.

A broken file falls back to the packaged library, whole: a ladder half replaced by defaults
would be one nobody has read. Every problem in the file is still reported.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config.files import DEFAULT_EXERCISES, Raw, read_toml
from kiosk.config.values import (
    BAD,
    Fields,
    Invalid,
    Spec,
    boolean,
    choice,
    ident,
    in_range,
    is_id,
    items,
    line,
    lines,
    table,
    text,
    whole,
)
from kiosk.core.data.model import DIRECTIONS, Family, Library, Step, Variation
from kiosk.errors import ConfigError

POSITIONS = ("lying", "side-lying", "all-fours", "kneeling", "seated", "standing", "loaded")
SIDES = ("none", "alternate", "each")
UNITS = ("reps", "minutes")
STEPS = tuple(s.value for s in Step)


def load_library(path: Path, problems: list[ConfigError] | None = None) -> Library:
    """Load the exercise ladders. A broken file falls back to the packaged library, whole."""
    problems = problems if problems is not None else []
    before = len(problems)
    raw = read_toml(path, problems)
    library = _parse_library(str(path), raw, problems) if raw is not None else None
    if library is not None and len(problems) == before:
        return library
    if path != DEFAULT_EXERCISES:
        fallback = read_toml(DEFAULT_EXERCISES, [])
        parsed = _parse_library(str(DEFAULT_EXERCISES), fallback or {}, [])
        if parsed is not None:
            return parsed
    return library or Library(())


def _parse_library(file: str, raw: Raw, problems: list[ConfigError]) -> Library | None:
    fams = items(raw.get("family"))
    if not fams:
        problems.append(ConfigError(file, "family", raw.get("family"),
                                    "one or more [[family]] tables"))
        return None
    families: list[Family] = []
    ids: set[str] = set()
    for i, entry in enumerate(fams):
        where = f"family[{i}]"
        fam = table(entry)
        if fam is None:
            problems.append(ConfigError(file, where, entry, "a [[family]] table"))
            continue
        fid, name = fam.get("id"), fam.get("name")
        if not is_id(fid) or fid in ids:
            problems.append(ConfigError(file, f"{where}.id", fid, "a unique lower-case id"))
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(ConfigError(file, f"{where}.name", name, "a non-empty name"))
            continue
        rungs = items(fam.get("variation"))
        if not rungs:  # 5 or "x" or one table: not a ladder
            problems.append(ConfigError(file, f"{where}.variation", fam.get("variation"),
                                        "one or more [[family.variation]] tables"))
            continue
        read = [_variation(file, f"{where}.variation[{j}]", v, ids, problems)
                for j, v in enumerate(rungs)]
        ladder = [v for v in read if v is not None]
        if len(ladder) < len(read):
            continue
        if not _steps_change_what_they_say(file, where, ladder, problems):
            continue
        ids.add(fid)
        families.append(Family(fid, name.strip(), tuple(ladder)))
    return Library(tuple(families)) if families else None


def _steps_change_what_they_say(
    file: str, where: str, ladder: list[Variation], problems: list[ConfigError]
) -> bool:
    """A rung that says it holds longer must hold longer, one that says it is slower must be
    slower: the reason the kiosk speaks for a step comes from ``step``, so it must be true."""
    ok = True
    for j, (below, v) in enumerate(zip(ladder, ladder[1:], strict=False), start=1):
        key = f"{where}.variation[{j}].step"
        if v.step == "hold" and v.hold_breaths <= below.hold_breaths:
            problems.append(ConfigError(file, key, v.step,
                                        f"more hold_breaths than the rung below ({below.id})"))
            ok = False
        if v.step == "tempo" and sum(v.tempo) <= sum(below.tempo):
            problems.append(ConfigError(file, key, v.step,
                                        f"a slower tempo than the rung below ({below.id})"))
            ok = False
    if ladder and ladder[0].step != "start":
        problems.append(ConfigError(file, f"{where}.variation[0].step", ladder[0].step,
                                    '"start" (the first rung changes nothing)'))
        ok = False
    return ok


def _tempo(v: object) -> tuple[float, float] | Invalid:
    got = items(v)
    if got is None or len(got) != 2:
        return BAD
    inhale, exhale = got
    if not (in_range(inhale, 1, 12) and in_range(exhale, 1, 12)):
        return BAD
    return float(inhale), float(exhale)


def _cues(v: object) -> tuple[str, ...] | Invalid:
    got = lines(v, 1, 3, 200)
    return BAD if got is None else got


TEMPO = Spec(_tempo, "[inhale seconds, exhale seconds], each from 1 to 12")
CUES = Spec(_cues, "a list of one to three cues")


def _directions(v: object) -> tuple[str, ...] | Invalid:
    got = items(v)
    if got is None or len(got) > len(DIRECTIONS):
        return BAD
    named = tuple(d for d in got if isinstance(d, str) and d in DIRECTIONS)
    return named if len(named) == len(got) == len(set(named)) else BAD


DIRECTIONS_SPEC = Spec(_directions, "a list of the directions the rung loads, each at most "
                       f"once, from: {', '.join(DIRECTIONS)} ([] for a neutral spine)")


def _variation(
    file: str, where: str, entry: object, ids: set[str], problems: list[ConfigError]
) -> Variation | None:
    raw = table(entry)
    if raw is None:
        problems.append(ConfigError(file, where, entry, "a [[family.variation]] table"))
        return None
    f = Fields(file, where, raw, problems)
    words = line(200, "non-empty text")
    vid = f.need("id", ident())
    if vid is not None and vid in ids:
        f.problem("id", vid, "an id not used elsewhere")
    name = f.need("name", words)
    position = f.need("position", choice(POSITIONS, f"one of {', '.join(POSITIONS)}"))
    effort = f.need("effort", choice(("exhale", "inhale"), '"exhale" or "inhale"'))
    move = f.need("move", words)
    back = f.need("back", words)
    tempo = f.need("tempo", TEMPO)
    cues = f.need("cues", CUES)
    start_reps = f.need("start_reps", whole(1, 30))
    max_reps = f.need("max_reps", whole(1, 30))
    side = f.get("side", choice(SIDES, f"one of {', '.join(SIDES)}"), "none")
    hold_breaths = f.get("hold_breaths", whole(0, 6), 0)
    fray_tip = f.need("fray_tip", words)
    step = f.get("step", choice(STEPS, f"one of {', '.join(STEPS)}"), "start")
    step_note = f.get("step_note", text(80), "")
    unit = f.get("unit", choice(UNITS, f"one of {', '.join(UNITS)}"), "reps")
    load = f.get("load", text(60), "")
    if "hold" in raw:
        f.problem("hold", raw["hold"], "hold_breaths: whole breaths held, not seconds")
    gentle = f.get("gentle", boolean(), False)
    directions = f.get("directions", DIRECTIONS_SPEC, ())
    starts = f.get("starts", choice(("move", "back"), '"move" or "back"'), "move")
    if gentle and position == "loaded":
        f.problem("gentle", gentle, "false for a loaded variation: the gentle path adds no load")
    if start_reps is not None and max_reps is not None and start_reps > max_reps:
        f.problem("start_reps", start_reps, f"at most max_reps ({max_reps})")
    if step == "load" and not load:
        f.problem("load", load, 'what to hold, e.g. "a light weight" (step = "load")')
    if (f.failed or vid is None or name is None or position is None or effort is None
            or move is None or back is None or tempo is None or cues is None
            or start_reps is None or max_reps is None or fray_tip is None):
        return None
    ids.add(vid)
    return Variation(
        id=vid, name=name.strip(), position=position, effort=effort, move=move, back=back,
        tempo=tempo, cues=cues, start_reps=start_reps, max_reps=max_reps, side=side,
        hold_breaths=hold_breaths, fray_tip=fray_tip.strip(), step=step,
        step_note=step_note.strip(), unit=unit, load=load.strip(), gentle=gentle,
        directions=directions, starts=starts,
    )
