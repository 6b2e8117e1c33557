"""What the kiosk says about itself, and its red-flag questions: config/safety.toml
(docs/safety.md).

A broken file falls back to the packaged wording, whole: a question set half replaced by
defaults would be one nobody has read. Every problem in the file is still reported.
"""

from __future__ import annotations

import functools
from pathlib import Path

from kiosk.config.files import DEFAULT_SAFETY, Raw, read_toml
from kiosk.config.values import is_id, is_line, items, lines, table
from kiosk.core.coach.safety import GROUPS, Group, Question, Wording
from kiosk.errors import ConfigError

LINE = "non-empty text"
LINES = "a list of one to four lines of text"


@functools.cache  # type: ignore[misc]  # typeshed's Callable[..., T]
def packaged_wording() -> Wording:
    """The packaged config/safety.toml; what a missing or broken safety.toml falls back to."""
    wording = _parse_wording(str(DEFAULT_SAFETY), read_toml(DEFAULT_SAFETY, []) or {}, [])
    assert wording is not None, f"the packaged {DEFAULT_SAFETY} must load"
    return wording


def load_wording(path: Path, problems: list[ConfigError] | None = None) -> Wording:
    """Load config/safety.toml; the packaged wording, whole, when anything in it is wrong."""
    problems = problems if problems is not None else []
    before = len(problems)
    raw = read_toml(path, problems)
    wording = _parse_wording(str(path), raw, problems) if raw is not None else None
    if wording is not None and len(problems) == before:
        return wording
    return packaged_wording()


def _parse_wording(file: str, raw: Raw, problems: list[ConfigError]) -> Wording | None:
    start = len(problems)

    def line(values: Raw, key: str, where: str) -> str:
        value = values.get(key)
        if is_line(value, 300):
            return value
        problems.append(ConfigError(file, where, value, LINE))
        return ""

    def four_lines(key: str) -> tuple[str, ...]:
        got = lines(raw.get(key), 1, 4, 300)
        if got is None:
            problems.append(ConfigError(file, key, raw.get(key), LINES))
        return got or ()

    welcome = four_lines("welcome")
    buttons = four_lines("buttons")
    intro = line(raw, "intro", "intro")
    all_clear = line(raw, "all_clear", "all_clear")
    advice_raw = table(raw.get("advice"))
    if advice_raw is None:
        problems.append(ConfigError(file, "[advice]", raw.get("advice"),
                                    "a table of advice lines"))
        advice_raw = {}
    advice = {g: line(advice_raw, g.value, f"advice.{g.value}") for g in GROUPS}
    cleared = line(advice_raw, "cleared", "advice.cleared")
    questions = _questions(file, raw.get("question"), problems)
    if len(problems) > start:
        return None
    return Wording(
        welcome=welcome, buttons=buttons, intro=intro, all_clear=all_clear,
        advice=advice, cleared=cleared, questions=questions,
    )


MAX_QUESTIONS = 100


def _questions(file: str, value: object, problems: list[ConfigError]) -> tuple[Question, ...]:
    entries = items(value)
    if not entries:
        problems.append(ConfigError(file, "question", value, "one or more [[question]] tables"))
        return ()
    if len(entries) > MAX_QUESTIONS:  # each is asked aloud: a hundred is already too many
        problems.append(ConfigError(file, "question", f"{len(entries)} questions",
                                    f"at most {MAX_QUESTIONS} [[question]] tables"))
        return ()
    groups = [g.value for g in GROUPS]
    out: list[Question] = []
    for i, entry in enumerate(entries):
        where = f"question[{i}]"
        q = table(entry)
        if q is None:
            problems.append(ConfigError(file, where, entry, "a [[question]] table"))
            continue
        qid, group, text = q.get("id"), q.get("group"), q.get("text")
        if not is_id(qid) or qid in {x.id for x in out}:
            problems.append(ConfigError(file, f"{where}.id", qid, "a unique lower-case id"))
        elif not isinstance(group, str) or group not in groups:
            problems.append(ConfigError(file, f"{where}.group", group,
                                        "one of " + ", ".join(groups)))
        elif not is_line(text, 200):
            problems.append(ConfigError(file, f"{where}.text", text, "a question of up to 200 "
                                        "characters"))
        else:
            out.append(Question(qid, Group(group), text.strip()))
    for g in GROUPS:
        if out and not any(q.group is g for q in out):
            problems.append(ConfigError(file, "question", f"no {g.value} question",
                                        "at least one question in each group"))
    return tuple(out)
