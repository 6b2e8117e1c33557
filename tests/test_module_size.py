"""Issue 25: no module in kiosk/ over 600 lines, unless its docstring says why it is one piece.
Merges grow modules without anyone deciding to; this says so the moment one crosses."""

from __future__ import annotations

import ast
from pathlib import Path

import kiosk

MOST = 600


def test_no_module_in_kiosk_is_over_600_lines_unless_it_says_why() -> None:
    root = Path(kiosk.__file__).parent
    over = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text("utf-8")
        if text.count("\n") <= MOST:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if "one piece" not in doc:
            over.append(f"{path.relative_to(root)}: {text.count(chr(10))} lines")
    assert not over, "split these, or say why each is one piece: " + ", ".join(over)
