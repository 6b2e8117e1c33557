"""No import circle anywhere in ``kiosk/`` (issue 25, item 2): each module can be read with only
what it imports, and the rooms of the core stay a layering a newcomer can follow. Imports inside
functions count too: a lazy import is still an arrow back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "kiosk"


def imports() -> dict[str, set[str]]:
    mods = {}
    for p in ROOT.rglob("*.py"):
        name = ".".join(p.relative_to(ROOT.parent).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = p
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    target = full if full in mods else node.module
                    if target in mods:
                        edges[m].add(target)
            elif isinstance(node, ast.Import):
                edges[m].update(a.name for a in node.names if a.name in mods)
    # A module importing from its own package's ``__init__`` (which gathers the package's
    # names) is how packages are written, not a circle between two modules.
    return {m: {t for t in targets if not m.startswith(f"{t}.")} for m, targets in edges.items()}


def circle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    """A path of imports from ``start`` back to itself, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in edges[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_module_imports_itself_back() -> None:
    edges = imports()
    assert "kiosk.core.flows.session" in edges  # the walk found the modules
    circles = [c for m in sorted(edges) if (c := circle_from(m, edges))]
    assert circles == []


def test_the_check_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circle_from("a", edges) == ["a", "b", "c", "a"]
    assert circle_from("d", edges) is None


# The rooms the flows stand on: the coaching rules, the words, the records and the presses. A
# flow runs them; none of them may reach up into a flow, lazily or not (the reports read a flow's
# own names, psfs.flags, and are not among them).
BELOW_THE_FLOWS = ("kiosk.core.coach", "kiosk.core.words", "kiosk.core.data",
                   "kiosk.core.presses")


def arrows_up(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every import from a room below the flows into ``kiosk.core.flows``."""
    return sorted((m, t) for m, targets in edges.items() for t in targets
                  if m.startswith(BELOW_THE_FLOWS) and t.startswith("kiosk.core.flows"))


def test_the_coaching_rules_words_records_and_presses_never_import_a_flow() -> None:
    edges = imports()
    assert "kiosk.core.coach.rituals" in edges and "kiosk.core.words.phrases" in edges[
        "kiosk.core.coach.rituals"]  # the walk sees the coach's imports
    assert arrows_up(edges) == []


def test_the_check_finds_an_arrow_up() -> None:
    edges = {"kiosk.core.coach.rituals": {"kiosk.core.flows.session"},
             "kiosk.core.flows.session": {"kiosk.core.coach.rituals"}}
    assert arrows_up(edges) == [("kiosk.core.coach.rituals", "kiosk.core.flows.session")]
