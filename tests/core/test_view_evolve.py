"""``evolve`` is ``dataclasses.replace`` for a View, only cheaper: the same view, every time."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.data.model import Button
from kiosk.core.data.view import View, evolve

BASE = View(screen="set", title="Bridge", lines=("one",), rep=3, target=6,
            buttons={Button.GREEN: "Clean rep"}, caption="Breathe in")

changes = st.fixed_dictionaries({}, optional={
    "title": st.text(max_size=10),
    "rep": st.none() | st.integers(0, 30),
    "caption": st.text(max_size=20),
    "hint": st.lists(st.text(max_size=5), max_size=3).map(tuple),
    "side": st.sampled_from([None, "left", "right"]),
    "buttons": st.just({Button.RED: "Pain / stop"}),
})


@given(changes)
def test_evolve_gives_what_replace_gives(change: dict[str, object]) -> None:
    mine, theirs = evolve(BASE, **change), replace(BASE, **change)  # type: ignore[arg-type]
    assert mine == theirs
    assert [getattr(mine, f.name) for f in fields(View)] == [
        getattr(theirs, f.name) for f in fields(View)]
    assert BASE == View(screen="set", title="Bridge", lines=("one",), rep=3, target=6,
                        buttons={Button.GREEN: "Clean rep"}, caption="Breathe in")


def test_evolve_refuses_a_field_a_view_does_not_have() -> None:
    with pytest.raises(TypeError, match="'titel'"):
        evolve(BASE, titel="Bridge")


def test_an_evolved_view_is_still_frozen() -> None:
    with pytest.raises(AttributeError):
        evolve(BASE, title="x").title = "y"  # type: ignore[misc]
