"""``importlib.metadata``, imported the first time something uses it rather than at import.

gpiozero imports ``entry_points`` from ``importlib.metadata`` when it is imported, to look pin
factories up by name. The kiosk never looks one up: it makes its factory itself
(kiosk/io/buttons.py). But importing ``importlib.metadata`` brings in ``email``, ``zipfile``,
``csv`` and more: about 30 ms of every start here, 0.15 to 0.3 s on a Pi Zero 2 W, before the
kiosk can answer a button.

``import_gpiozero()`` imports gpiozero with a stand-in under that name in ``sys.modules``, and
takes the stand-in away again right after: nothing else in the process ever sees it, and
``import kiosk`` changes nothing in the standard library. gpiozero keeps the stand-in's
``entry_points``, which imports the real module at first use (by then, the ordinary import)
and hands the call on, so gpiozero sees the same results as with the real module. A process
that has already imported the real module (pytest, pip) keeps it, and gpiozero gets the real
one.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

NAME = "importlib.metadata"
_lock = threading.Lock()


def _real() -> types.ModuleType:
    """The real module, imported now if the stand-in is still in its place."""
    with _lock:
        module = sys.modules.get(NAME)
        if module is None or isinstance(module, _StandIn):
            standing_in = module is not None
            sys.modules.pop(NAME, None)
            try:
                module = importlib.import_module(NAME)
            except BaseException:
                if standing_in:
                    sys.modules[NAME] = _STAND_IN
                raise
        return module


class _StandIn(types.ModuleType):
    """Forwards everything to the real ``importlib.metadata``, importing it on first use."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real(), name)

    def __dir__(self) -> list[str]:
        return dir(_real())


def entry_points(**params: Any) -> Any:
    """``importlib.metadata.entry_points``; defined here, so ``from ... import entry_points``
    costs nothing until it is called."""
    return _real().entry_points(**params)


_STAND_IN = _StandIn(NAME, "stand-in for importlib.metadata until first use (kiosk)")
_STAND_IN.entry_points = entry_points  # type: ignore[attr-defined]
# `from importlib.metadata import x` asks whether it is a package first; it is, and there.
_STAND_IN.__path__ = [os.path.join(os.path.dirname(importlib.__file__), "metadata")]


@contextmanager
def standing_in() -> Iterator[bool]:
    """The stand-in under ``importlib.metadata`` for the ``with`` block only, unless the real
    module is already imported; yields whether it stood in. Whatever the block does, the stand-in
    is gone after it (the real module, if the block imported it, stays)."""
    if NAME in sys.modules:
        yield False
        return
    sys.modules[NAME] = _STAND_IN
    importlib.metadata = _STAND_IN  # `import importlib.metadata` reads it from the package
    try:
        yield True
    finally:
        if sys.modules.get(NAME) is _STAND_IN:
            del sys.modules[NAME]
        if vars(importlib).get("metadata") is _STAND_IN:
            del importlib.metadata


def import_gpiozero() -> None:
    """Import gpiozero (once a process) without importing ``importlib.metadata`` for it. Call it
    before any ``from gpiozero ... import``."""
    if "gpiozero" in sys.modules:
        return
    with standing_in():
        import gpiozero.devices  # noqa: F401  # the module that imports entry_points
