"""The program: config/program.toml, or a clinician's own file in the same format (issue 28,
docs/program.md), read and checked; the active program among the history's records; and the
rhythm rules' settings built from it and [progression].

One loader for both: ``parse_program`` reads a program's text. Bad input never stops the kiosk:
a bad value is one ``ConfigError`` naming the file, the key, the value and what is allowed, and
is left out. config/program.toml that cannot be read falls back to the packaged one. A
clinician's file is checked before it is kept (``kiosk program check``, the menu's "Load
program from USB"): it is kept only when it has no problem at all.

A file saved on Windows reads as plain text: a byte-order mark is dropped and CRLF line endings
read as LF (``program_text``); that text is what a ``ProgramRecord`` keeps, with its checksum.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from kiosk.config.exercises import POSITIONS
from kiosk.config.files import DEFAULT_PROGRAM, Raw, read_file, read_or_packaged
from kiosk.config.settings import ProgressionConfig
from kiosk.config.values import is_int, items, table
from kiosk.core.coach.program import (
    Limits,
    Program,
    ProgramReader,
    Rhythm,
    Terms,
    walk_capped,
    with_loads,
)
from kiosk.core.data.model import DIRECTIONS, Library, SessionSettings
from kiosk.core.data.records import ProgramRecord, Record, checksum, programs_of
from kiosk.errors import ConfigError

# The keys of config/program.toml, then those a clinician's program adds (docs/program.md).
DEFAULT_KEYS = ("families", "follows", "loads_kg", "cleared", "clinician", "starts")
CLINICIAN_KEYS = ("family", "sessions_per_week", "avoid_directions", "avoid_positions",
                  "avoid_loads", "review_on", "cleared_on", "contact", "note")
KEYS: tuple[str, ...] = (*DEFAULT_KEYS, *CLINICIAN_KEYS)
LIMIT_KEYS = ("first", "last", "max_reps")
MOST_KG = 50.0
MOST_REPS = 60  # a rep cap above any ladder's max_reps is a slip, not a plan
MOST_BYTES = 64_000  # a program is ten lines; a stick's file this big is something else
CONTACT_CHARS = 120
NOTE_CHARS = 300
STICK_NAME = "backcare-program.toml"  # at the top of the USB stick


@dataclass(frozen=True)
class ProgramFile:
    """A program as written: the families and their bounds (``program``) and what the rest of
    the kiosk reads from it. The clinician's keys are None or empty in config/program.toml."""

    program: Program
    loads_kg: Mapping[str, float] = field(default_factory=dict)  # variation id -> kg
    cleared: Mapping[str, date] = field(default_factory=dict)  # family id -> day cleared
    sessions_per_week: int | None = None  # replaces [rhythm] weekly_target when set
    review_on: date | None = None  # from this day, "due for review" once a week
    cleared_on: date | None = None  # the safety questions' background group, cleared
    contact: str = ""  # said after "contact your clinician"
    note: str = ""  # said once: "Your clinician's note: ..."

    def terms(self, record: ProgramRecord | None = None) -> Terms:
        """What the kiosk says and counts from it (kiosk.core.coach.program.Terms)."""
        return Terms(None if record is None else record.id, None if record is None else
                     record.at, "" if record is None else record.source,
                     self.sessions_per_week, self.review_on, self.cleared_on, self.contact,
                     self.note)


@dataclass(frozen=True)
class ProgramVersion:
    """One version of the program: the record that brought it (None: config/program.toml,
    the program before any was loaded) and what it says."""

    record: ProgramRecord | None
    file: ProgramFile


@dataclass(frozen=True)
class ActiveProgram:
    """The program in force (``current``: the newest record's, else config/program.toml) and
    every version the history holds, oldest first, config/program.toml's first; ``current`` is
    the last. ``problems``: what a saved program no longer satisfies (an exercise library
    changed since): said by ``kiosk check``, and left out as a bad value is."""

    current: ProgramVersion
    history: tuple[ProgramVersion, ...]
    problems: tuple[ConfigError, ...] = ()

    @property
    def previous(self) -> ProgramVersion | None:
        """The version before the current one (``kiosk program load --previous``)."""
        return self.history[-2] if len(self.history) > 1 else None


def program_text(data: bytes) -> str:
    """A program file's bytes as text: UTF-8, a byte-order mark dropped, CRLF (and a lone CR)
    read as LF. ``UnicodeDecodeError`` when it is not UTF-8."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_program_text(path: Path, problems: list[ConfigError]) -> str | None:
    """A clinician's program file as text, or None and one problem saying why not."""
    file = str(path)
    try:
        data = read_file(path)
    except FileNotFoundError:
        problems.append(ConfigError(file, "(file)", "missing", f"an existing file, e.g. "
                                    f"{STICK_NAME}"))
        return None
    except OSError as exc:
        problems.append(ConfigError(file, "(file)", exc.strerror, "a readable program file"))
        return None
    if len(data) > MOST_BYTES:
        problems.append(ConfigError(file, "(file)", f"{len(data)} bytes",
                                    f"a program file of at most {MOST_BYTES // 1000} kB"))
        return None
    try:
        return program_text(data)
    except UnicodeDecodeError:
        problems.append(ConfigError(file, "(file)", "not UTF-8 text", "a text file in UTF-8, as "
                                    "any text editor saves it"))
        return None


def parse_program(
    text: str, file: str, library: Library, problems: list[ConfigError], *,
    clinician: bool = True,
) -> ProgramFile:
    """A program from its text. ``clinician``: a clinician's own file, whose families are
    required and whose program offers no other family (``clinician = false`` written in it
    says otherwise); config/program.toml is read with it False."""
    try:
        raw: Raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        problems.append(ConfigError(file, "(file)", str(exc), "valid TOML (docs/program.md)"))
        return ProgramFile(Program((), clinician=clinician))
    return _read(raw, file, library, problems, clinician)


def load_program(
    path: Path, library: Library, problems: list[ConfigError] | None = None
) -> ProgramFile:
    """config/program.toml: an unreadable file falls back to the packaged program, with one
    problem. A family not in the library is left out, with one problem."""
    problems = problems if problems is not None else []
    read = read_or_packaged(path, DEFAULT_PROGRAM, "the packaged program is", problems)
    path, raw = read if read is not None else (path, {})
    # The packaged program beside someone's own exercise list: a family or rung that list
    # does not have is left out quietly, as a packaged ritual is; nobody wrote it wrong.
    problems = problems if path != DEFAULT_PROGRAM else []
    return _read(raw, str(path), library, problems, False)


def _read(
    raw: Raw, file: str, library: Library, problems: list[ConfigError], clinician: bool
) -> ProgramFile:
    def bad(key: str, value: object, allowed: str) -> None:
        problems.append(ConfigError(file, key, value, allowed))

    for key in raw:
        if key not in KEYS:
            bad(key, raw[key], f"one of: {', '.join(KEYS)}")
    ids = {f.id for f in library.families}
    families: list[str] = []
    if "families" in raw or not clinician:
        written = raw.get("families", [f.id for f in library.families])
        listed = items(written)
        if listed is None:
            bad("families", written, "a list of family ids")
            listed = []
        for fid in listed:
            if isinstance(fid, str) and fid in ids and fid not in families:
                families.append(fid)
            else:
                bad("families", fid, "a family id from the exercise library, once "
                    "(`kiosk program template` lists them)")
        if clinician and not listed and isinstance(written, list):
            bad("families", written, "at least one family id")
    else:
        bad("families", "missing", 'a list of family ids, e.g. families = ["bridge", "walking"]')
    follows: dict[str, str] = {}
    for key, value in _table(file, raw, "follows", problems).items():
        if key in ids and isinstance(value, str) and value in ids and key != value:
            follows[key] = value
        else:
            bad(f"follows.{key}", value, "a family id from the exercise library, following "
                "another")
    loaded = {v.id for f in library.families for v in f.ladder if v.load}
    loads: dict[str, float] = {}
    for key, value in _table(file, raw, "loads_kg", problems).items():
        kg = float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else None
        if key in loaded and kg is not None and 0 < kg <= MOST_KG:
            loads[key] = kg
        else:
            bad(f"loads_kg.{key}", value, f"kilograms, above 0 and at most {MOST_KG:g}, for a "
                "loaded variation of the library")
    cleared: dict[str, date] = {}
    for key, value in _table(file, raw, "cleared", problems).items():
        if key in ids and isinstance(value, date) and not isinstance(value, datetime):
            cleared[key] = value
        else:
            bad(f"cleared.{key}", value, "a date (YYYY-MM-DD, no quotes) for a family id")
    starts: dict[str, str] = {}
    for key, value in _table(file, raw, "starts", problems).items():
        rungs = [v.id for f in library.families if f.id == key for v in f.ladder]
        if isinstance(value, str) and value in rungs:
            starts[key] = value
        else:
            bad(f"starts.{key}", value, "the id of a variation of that family")
    said = raw.get("clinician", clinician)
    if not isinstance(said, bool):
        bad("clinician", said, "true or false")
        said = clinician
    limits = _limits(raw, file, library, families, problems)
    avoid_dirs = _words(raw, "avoid_directions", DIRECTIONS, file, problems)
    avoid_pos = _words(raw, "avoid_positions", POSITIONS, file, problems)
    avoid_loads = raw.get("avoid_loads", False)
    if not isinstance(avoid_loads, bool):
        bad("avoid_loads", avoid_loads, "true or false: true leaves out every rung with a load")
        avoid_loads = False
    program = Program(tuple(families), follows, said, starts, limits, avoid_dirs, avoid_pos,
                      avoid_loads)
    for fid in families:
        if not program.rungs(library.family(fid)):
            bad("families", fid, "a family with at least one variation left: every variation "
                "of it between its first and last is done in an avoided direction, position or "
                "load (`kiosk program template` lists their tags)")
    left = tuple(f for f in families if program.rungs(library.family(f)))
    per_week = raw.get("sessions_per_week")
    if per_week is not None and not (is_int(per_week) and 1 <= per_week <= 7):
        bad("sessions_per_week", per_week, "a whole number of sessions a week, from 1 to 7")
        per_week = None
    return ProgramFile(
        replace(program, families=left), loads, cleared,
        sessions_per_week=per_week if is_int(per_week) else None,
        review_on=_day(raw, "review_on", "the day the program is due for review", file,
                       problems),
        cleared_on=_day(raw, "cleared_on", "the day a clinician cleared the safety questions' "
                        "background answers", file, problems),
        contact=_line(raw, "contact", CONTACT_CHARS, 'what to say after "contact your '
                      'clinician", e.g. "Ring the practice on 01234 567890"', file, problems),
        note=_line(raw, "note", NOTE_CHARS, "a short note, said once", file, problems),
    )


def _limits(
    raw: Raw, file: str, library: Library, families: list[str], problems: list[ConfigError]
) -> dict[str, Limits]:
    out: dict[str, Limits] = {}
    for fid, value in _table(file, raw, "family", problems).items():
        where = f"family.{fid}"
        if fid not in families:
            problems.append(ConfigError(file, f"[{where}]", fid, "a family listed in families"))
            continue
        found = table(value)
        if found is None:
            problems.append(ConfigError(file, f"[{where}]", value, "a table of first, last "
                                        "and max_reps"))
            continue
        ladder = [v.id for v in library.family(fid).ladder]
        rungs: dict[str, str | None] = {"first": None, "last": None}
        for key, x in found.items():
            if key not in LIMIT_KEYS:
                problems.append(ConfigError(file, f"{where}.{key}", x,
                                            f"one of: {', '.join(LIMIT_KEYS)}"))
            elif key in rungs:
                if isinstance(x, str) and x in ladder:
                    rungs[key] = x
                else:
                    problems.append(ConfigError(file, f"{where}.{key}", x, "a variation of "
                                                f"{fid}: {', '.join(ladder)}"))
        first, last = rungs["first"], rungs["last"]
        if first is not None and last is not None and ladder.index(first) > ladder.index(last):
            problems.append(ConfigError(file, f"{where}.last", last, f"a variation of {fid} "
                                        f"no easier than first ({first})"))
            last = None
        cap = found.get("max_reps")
        if cap is not None and not (is_int(cap) and 1 <= cap <= MOST_REPS):
            problems.append(ConfigError(file, f"{where}.max_reps", cap, "a whole number of "
                                        f"reps (minutes for walking) from 1 to {MOST_REPS}"))
            cap = None
        out[fid] = Limits(first, last, cap if is_int(cap) else None)
    return out


def _words(
    raw: Raw, key: str, allowed: tuple[str, ...], file: str, problems: list[ConfigError]
) -> frozenset[str]:
    value = raw.get(key, [])
    listed = items(value)
    if listed is None:
        problems.append(ConfigError(file, key, value, f"a list of: {', '.join(allowed)}"))
        return frozenset()
    out = set()
    for word in listed:
        if isinstance(word, str) and word in allowed:
            out.add(word)
        else:
            problems.append(ConfigError(file, key, word, f"one of: {', '.join(allowed)}"))
    return frozenset(out)


def _day(raw: Raw, key: str, what: str, file: str, problems: list[ConfigError]) -> date | None:
    value = raw.get(key)
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    problems.append(ConfigError(file, key, value, f"a date written as 2027-03-01 (no quotes): "
                                f"{what}"))
    return None


def _line(
    raw: Raw, key: str, most: int, what: str, file: str, problems: list[ConfigError]
) -> str:
    value = raw.get(key, "")
    if isinstance(value, str) and len(value.strip()) <= most and "\n" not in value.strip():
        return value.strip()
    problems.append(ConfigError(file, key, value, f"one line of text of up to {most} "
                                f"characters: {what}"))
    return ""


def _table(file: str, raw: Raw, name: str, problems: list[ConfigError]) -> dict[str, object]:
    value = raw.get(name, {})
    found = table(value)
    if found is None:
        problems.append(ConfigError(file, f"[{name}]", value, "a table"))
        return {}
    return found


# --- the program in force: the newest record, else config/program.toml -----------------------
def program_record(text: str, at: datetime, source: str = "file") -> ProgramRecord:
    """The record that keeps an accepted program's text."""
    return ProgramRecord(id=f"program-{uuid.uuid4().hex[:12]}", at=at, text=text,
                         checksum=checksum(text), source=source)


def active_program(
    records: Iterable[Record], library: Library, default: ProgramFile
) -> ActiveProgram:
    """The program in force and its history of versions: every ``ProgramRecord`` among
    ``records`` (oldest first), after ``default`` (config/program.toml, read by
    ``load_program``). A saved program is read as it was checked when accepted; what the
    library no longer has is left out, and said in ``problems``."""
    problems: list[ConfigError] = []
    versions = [ProgramVersion(None, default)]
    for record in programs_of(records):
        read = file_of(record, library)
        if read is not None:
            parse_program(record.text, f"program {record.id}", library, problems)
        versions.append(ProgramVersion(record, read if read is not None else default))
    return ActiveProgram(versions[-1], tuple(versions), tuple(problems))


def file_of(record: ProgramRecord, library: Library) -> ProgramFile | None:
    """A saved program as it reads now: what the library no longer has is left out (and said
    by ``active_program``), its program in force from when it was loaded. None for a record
    with no text: the way back to config/program.toml."""
    if not record.text.strip():
        return None
    found = parse_program(record.text, f"program {record.id}", library, [])
    program = replace(found.program, since=record.at, loads_kg=dict(found.loads_kg))
    return replace(found, program=program)


def reader(library: Library) -> ProgramReader:
    """How the replay reads a program saved in the history (``Rhythm.read``): the rhythm
    under it, from the config's. Its [cleared] days join the config's (the later one counts)."""
    def read(base: Rhythm, record: ProgramRecord) -> Rhythm:
        found = file_of(record, library)
        if found is None:
            return base
        cleared = dict(base.cleared)
        for fid, day in found.cleared.items():
            cleared[fid] = max(day, cleared.get(fid, day))
        program = found.program if found.program.families else base.program
        return replace(base, program=program, cleared=cleared)

    return read


def terms_of(records: Iterable[Record], library: Library) -> Terms:
    """The terms of the program in force: the newest program record's, else none."""
    found = programs_of(records)
    read = file_of(found[-1], library) if found else None
    return read.terms(found[-1]) if read is not None else Terms()


def load_rhythm(
    path: Path, library: Library, p: ProgressionConfig, session: SessionSettings,
    problems: list[ConfigError],
) -> tuple[Library, Rhythm]:
    """The program (config/program.toml) and the rhythm rules' settings; the library as the
    program shapes it: walking up to ``walk_cap_minutes``, loads named in kg."""
    return shape(load_program(path, library, problems), library, p, session, problems)


def shape(
    found: ProgramFile, library: Library, p: ProgressionConfig, session: SessionSettings,
    problems: list[ConfigError],
) -> tuple[Library, Rhythm]:
    """The rhythm rules' settings under ``found``, and the library as it shapes it."""
    program = found.program if found.program.families else None  # none known: the rotation
    shaped = with_loads(walk_capped(library, p.walk_cap_minutes), found.loads_kg)
    days = (p.reentry_days, p.away_two_steps_days, p.away_rung_start_days, p.away_restart_days)
    away: tuple[int, int, int] = (days[1], days[2], days[3])
    if list(days) != sorted(set(days)):
        problems.append(ConfigError(
            "[progression]", "reentry_days < away_two_steps_days < away_rung_start_days < "
            "away_restart_days", list(days), "days that grow; until then the defaults"))
        away = Rhythm().away_days
    rhythm = Rhythm(program=program, away_days=away, wait_hurts=p.wait_hurts,
                    wait_of=max(p.wait_of, p.wait_hurts), cleared=found.cleared,
                    meet_after=p.meet_after, flare_rise=session.pain_rise_stop,
                    walk_away_minutes=p.walk_away_minutes, read=reader(library))
    return shaped, rhythm


# --- checking a program before it is kept, and saying it back -----------------------------------
DIRECTION_WORDS = {"flexion": "bending forward", "extension": "bending backward",
                   "rotation": "twisting", "side-bend": "bending to the side"}
POSITION_WORDS = {"lying": "lying down", "side-lying": "lying on your side",
                  "all-fours": "on all fours", "kneeling": "kneeling", "seated": "sitting",
                  "standing": "standing", "loaded": "holding a weight"}
BACK_TO_DEFAULT = ""  # a ProgramRecord with no text: config/program.toml again (going back)


@dataclass(frozen=True)
class Checked:
    """A program text checked before it is kept: every problem (none: it may be kept), and
    what it says, in plain words, to say back before the person accepts it."""

    text: str
    problems: tuple[ConfigError, ...]
    file: ProgramFile | None = None
    words: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and self.file is not None

    @property
    def sum(self) -> str:
        return checksum(self.text)


def check_text(text: str, name: str, library: Library) -> Checked:
    """``text`` checked as a clinician's program; ``name`` is how problems name the file."""
    problems: list[ConfigError] = []
    if len(text.encode("utf-8")) > MOST_BYTES:
        problems.append(ConfigError(name, "(file)", f"{len(text)} characters",
                                    f"a program file of at most {MOST_BYTES // 1000} kB"))
        return Checked(text, tuple(problems))
    found = parse_program(text, name, library, problems)
    if problems:
        return Checked(text, tuple(problems))
    return Checked(text, (), found, describe(found, library))


def check_file(path: Path, library: Library) -> Checked:
    """The file at ``path`` read (a BOM dropped, CRLF as LF) and checked."""
    problems: list[ConfigError] = []
    text = read_program_text(path, problems)
    if text is None:
        return Checked("", tuple(problems))
    return check_text(text, str(path), library)


def problem_line(problem: ConfigError) -> str:
    """One problem in one sentence, for the voice: the key, the value and what is allowed."""
    if problem.key == "(file)":
        return f"The program file cannot be used: {problem.value}; it needs {problem.allowed}."
    return (f"The program file has a problem: {problem.key} is {problem.value!r:.60}, and it "
            f"needs {problem.allowed}.")


def describe(found: ProgramFile, library: Library) -> tuple[str, ...]:
    """The program in plain words, as the kiosk says it back before it is kept: "Your new
    program has five exercises, three days a week: ..." """
    from kiosk.core.words.phrases import number

    fams = [library.family(f) for f in found.program.families]
    names = [f.name.lower() for f in fams]
    count = f"{number(len(fams))} exercise{'' if len(fams) == 1 else 's'}"
    per_week = found.sessions_per_week
    days = f", {number(per_week)} day{'' if per_week == 1 else 's'} a week" if per_week else ""
    lines = [f"Your new program has {count}{days}: {_listed(names)}."]
    for f in fams:
        limits = found.program.limits.get(f.id)
        if limits is None:
            continue
        said = []
        if limits.first:
            said.append(f"starting at {library.variation(limits.first)[1].name.lower()}")
        if limits.last:
            said.append(f"going no further than {library.variation(limits.last)[1].name.lower()}")
        if limits.max_reps:
            unit = "minutes" if f.ladder[0].unit == "minutes" else "reps"
            said.append(f"at most {number(limits.max_reps)} {unit}")
        if said:
            lines.append(f"{f.name}: {_listed(said)}.")
    p = found.program
    avoid = [DIRECTION_WORDS[d] for d in sorted(p.avoid_directions)]
    avoid += [POSITION_WORDS.get(x, x) for x in sorted(p.avoid_positions)]
    if p.avoid_loads:
        avoid.append("weights")
    if avoid:
        lines.append(f"It avoids {_listed(avoid)}.")
    if found.review_on is not None:
        lines.append(f"Review with your clinician by {found.review_on.day} "
                     f"{found.review_on:%B %Y}.")
    if found.note:
        lines.append(f"Your clinician's note: {found.note}")
    return tuple(lines)


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
