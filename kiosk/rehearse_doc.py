"""``python -m kiosk.rehearse_doc``: the worked 12-week tables of docs/progression.md, from
``kiosk rehearse`` with the packaged config (tests/test_docs_progression.py keeps them current).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "progression.md"
BEGIN, END = "<!-- rehearse:begin -->", "<!-- rehearse:end -->"
RHYTHMS = (("mon,wed,fri", "Three days a week (Mon, Wed, Fri)"),
           ("5-per-week", "Five days a week (Mon to Fri)"),
           ("7-per-week", "Seven days a week"))


def tables() -> str:
    from kiosk.config import load_config
    from kiosk.config.files import DEFAULT_CONFIG
    from kiosk.rehearse import as_grid, from_config

    cfg = load_config(DEFAULT_CONFIG).config
    names = {f.id: f.name for f in cfg.library.families}
    parts = []
    for days, title in RHYTHMS:
        r = from_config(cfg, weeks=12, days=days, user="steady")
        parts.append(f"### {title}\n\n`kiosk rehearse --weeks 12 --days {days} --user steady`"
                     f"\n\n{as_grid(r.rows, lambda f: names.get(f, f))}")
    return "\n".join(parts)


def with_tables(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables()}{END}{tail}"


def main() -> int:
    DOC.write_text(with_tables(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
