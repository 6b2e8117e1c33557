"""The movement signature, config/signature.toml: the screening's probes and the tuning rules
(docs/signature.md).

A bad value takes its default and a bad probe or rule is left out, each with one problem; an
unreadable file falls back to the packaged one (and that one failing means no screening at all,
never a crash).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config.exercises import POSITIONS
from kiosk.config.files import DEFAULT_SIGNATURE, read_or_packaged
from kiosk.config.values import (
    BAD,
    BREATH_SLACK,
    REFERENCE_WPM,
    Fields,
    Invalid,
    Spec,
    boolean,
    choice,
    ident,
    in_range,
    is_line,
    items,
    line,
    lines,
    table,
    whole,
)
from kiosk.core.coach.signature import LOWER, WHEN, Probe, ProbeStep, Rule, SignatureSetup
from kiosk.core.data.model import DIRECTIONS, Library
from kiosk.core.words.phrases import speech_seconds
from kiosk.errors import ConfigError

RULE_KEYS = ("probe", "when", "family", "reason", "early", "start", "first_side", "extra_reps",
             "hold", "max_position", "direction")
PROBE_KEYS = ("id", "label", "sides", "setup", "steps")


def load_signature(
    path: Path, library: Library, problems: list[ConfigError] | None = None
) -> SignatureSetup:
    """Load config/signature.toml; never raises for bad content (see the module doc)."""
    problems = problems if problems is not None else []
    read = read_or_packaged(path, DEFAULT_SIGNATURE, "the packaged signature is", problems)
    if read is None:
        return SignatureSetup(first_run=False)
    path, raw = read
    file = str(path)
    for name in raw:
        if name not in ("screening", "probe", "rule"):
            problems.append(ConfigError(file, name, raw[name], "one of screening, probe, rule"))
    every, first = _screening(file, raw.get("screening", {}), problems)
    probes = _probes(file, raw.get("probe", []), problems)
    # The packaged rules beside someone's own exercise list: a rule on a family (or rung) that
    # list does not have is left out quietly, as a packaged ritual is; nobody wrote it wrong.
    strict = path != DEFAULT_SIGNATURE
    rules = _rules(file, raw.get("rule", []), probes, library, problems if strict else [])
    loads = {f.id: frozenset(d for v in f.ladder for d in v.directions)
             for f in library.families}
    return SignatureSetup(probes, rules, every, first, loads)


def _screening(file: str, value: object, problems: list[ConfigError]) -> tuple[int, bool]:
    d = SignatureSetup()
    values = table(value)
    if values is None:
        problems.append(ConfigError(file, "[screening]", value, "a table of settings"))
        return d.every_days, d.first_run
    f = Fields(file, "screening", values, problems)
    every, first = d.every_days, d.first_run
    for key in values:  # in the order written
        if key == "every_days":
            every = f.get(key, whole(
                0, 365, "a whole number of days, 0 to 365 (0: only asked)"), every)
        elif key == "first_run":
            first = f.get(key, boolean(), first)
        else:
            f.problem(key, values[key], "one of: every_days, first_run")
    return every, first


def _probe_step(v: object) -> ProbeStep | None:
    s = table(v)
    if s is None or set(s) != {"say", "seconds"}:
        return None
    say, seconds = s["say"], s["seconds"]
    if not (is_line(say, 120) and in_range(seconds, 1, 30)):
        return None
    return ProbeStep(say, float(seconds))


def _probe_steps(v: object) -> tuple[ProbeStep, ...] | Invalid:
    got = items(v)
    if got is None or not 1 <= len(got) <= 8:
        return BAD
    steps = tuple(s for s in map(_probe_step, got) if s is not None)
    return steps if len(steps) == len(got) else BAD


def _setup(v: object) -> tuple[str, ...] | Invalid:
    got = lines(v, 1, 4, 120)
    return BAD if got is None else got


SETUP = Spec(_setup, "a list of one to four short lines")
STEPS = Spec(_probe_steps, 'a list of one to eight {say = "...", seconds = 1-30}')


def _probes(file: str, value: object, problems: list[ConfigError]) -> tuple[Probe, ...]:
    entries = items(value)
    if entries is None:
        problems.append(ConfigError(file, "probe", value, "[[probe]] tables"))
        return ()
    out: list[Probe] = []
    for i, entry in enumerate(entries):
        where = f"probe[{i}]"
        raw = table(entry)
        if raw is None:
            problems.append(ConfigError(file, where, entry, "a [[probe]] table"))
            continue
        f = Fields(file, where, raw, problems)
        f.unknown(PROBE_KEYS, f"one of: {', '.join(PROBE_KEYS)}")
        pid = f.need("id", ident(taken={p.id for p in out}))
        label = f.need("label", line(40, "non-empty text of up to 40 characters"))
        sides = f.get("sides", boolean(), False)
        setup = f.need("setup", SETUP)
        steps = f.need("steps", STEPS)
        for step in steps if steps is not None and not f.failed else ():
            # A line must be said within its breath, or the voice runs behind the movement.
            if speech_seconds(step.say, REFERENCE_WPM) > step.seconds + BREATH_SLACK:
                f.problem("steps", step.say,
                          f"a line short enough to say in its {step.seconds:g} seconds")
                break
        if f.failed or pid is None or label is None or setup is None or steps is None:
            continue
        out.append(Probe(pid, label.strip(), sides, tuple(s.strip() for s in setup),
                         tuple(ProbeStep(s.say.strip(), s.seconds) for s in steps)))
    return tuple(out)


def _rules(
    file: str, value: object, probes: tuple[Probe, ...], library: Library,
    problems: list[ConfigError],
) -> tuple[Rule, ...]:
    entries = items(value)
    if entries is None:
        problems.append(ConfigError(file, "rule", value, "[[rule]] tables"))
        return ()
    out: list[Rule] = []
    families = {f.id: f for f in library.families}
    for i, entry in enumerate(entries):
        where = f"rule[{i}]"
        raw = table(entry)
        if raw is None:
            problems.append(ConfigError(file, where, entry, "a [[rule]] table"))
            continue
        f = Fields(file, where, raw, problems)
        f.unknown(RULE_KEYS, f"one of: {', '.join(RULE_KEYS)}")
        probe = f.need("probe", choice({p.id for p in probes},
                                       "the id of a [[probe]] in this file"))
        when = f.need("when", choice(WHEN, f"one of: {', '.join(WHEN)}"))
        direction = f.get("direction", choice(DIRECTIONS, f"one of: {', '.join(DIRECTIONS)}"),
                          None)
        if direction is not None and "family" not in raw:
            family: str | None = ""  # a direction's rule holds every family that loads it
        else:
            family = f.need("family", choice(families,
                                             "the id of a family in the exercise library"))
        reason = f.need("reason", line(200, "non-empty text of up to 200 characters"))
        early = f.get("early", boolean(), False)
        fam = families.get(family) if family is not None else None
        rungs = {x.id for x in fam.ladder} if fam is not None else set()
        start = f.get("start", choice({*rungs, LOWER}, f'"{LOWER}" (one rung below where the '
                                      "program starts it), or the id of a variation of the "
                                      "rule's family"), None)
        first_side = f.get("first_side", choice(("stiffer",), '"stiffer"'), None)
        extra = f.get("extra_reps", whole(0, 3, "a whole number, 0 to 3"), 0)
        hold = f.get("hold", boolean(), False)
        max_pos = f.get("max_position", choice(POSITIONS, f"one of: {', '.join(POSITIONS)}"),
                        None)
        if hold and when != "painful":
            f.problem("hold", hold, 'hold only with when = "painful": only pain holds back')
        if direction is not None and not hold:
            f.problem("direction", direction, "a direction only with hold = true: it holds back "
                      "the families that load it")
        if first_side and when != "uneven":
            f.problem("first_side", first_side, 'first_side only with when = "uneven"')
        if f.failed or probe is None or when is None or family is None or reason is None:
            continue
        out.append(Rule(probe, when, family, reason.strip(), early, start, first_side, extra,
                        hold, max_pos, direction))
    return tuple(out)
