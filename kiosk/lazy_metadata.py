"""``importlib.metadata``, imported the first time something uses it rather than at import.

gpiozero imports ``entry_points`` from ``importlib.metadata`` when it is imported, to look pin
factories up by name. The kiosk never looks one up: it makes its factory itself
(kiosk/io/buttons.py). But importing ``importlib.metadata`` brings in ``email``, ``zipfile``,
``csv`` and more: about 30 ms of every start here, 0.15 to 0.3 s on a Pi Zero 2 W, before the
kiosk can answer a button.

``install()`` puts a stand-in under that name in ``sys.modules``. Its ``entry_points`` and every
other attribute import the real module at first use, put it in the stand-in's place, and hand
the call or attribute on, so a caller sees the same results as with the real module. A process
that has already imported the real module (pytest, pip) keeps it: ``install()`` then does
nothing.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types
from typing import Any

NAME = "importlib.metadata"
_lock = threading.Lock()


def _real() -> types.ModuleType:
    """The real module, imported now if the stand-in is still in its place."""
    with _lock:
        module = sys.modules.get(NAME)
        if isinstance(module, _StandIn):
            del sys.modules[NAME]
            try:
                module = importlib.import_module(NAME)
            except BaseException:
                sys.modules[NAME] = _STAND_IN
                raise
        assert module is not None
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


def install() -> bool:
    """Put the stand-in in place unless the real module is already imported; True if it was."""
    if NAME in sys.modules:
        return False
    sys.modules[NAME] = _STAND_IN
    # `import importlib.metadata` finds it in sys.modules, then reads it from the package.
    importlib.metadata = _STAND_IN
    return True
