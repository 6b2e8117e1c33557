"""The kiosk's entry point: the ``kiosk`` command and ``python -m kiosk``.

It switches on the cache of dataclass methods (kiosk/bytecode.py) before any kiosk module makes
its dataclasses, then hands over to the command line (kiosk/cli.py). This is the one place that
switches it on: ``import kiosk``, the tests and other programs importing kiosk modules compile
dataclasses exactly as Python does. It must import nothing of the kiosk before ``install()``.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from kiosk import bytecode

    bytecode.install()
    from kiosk.cli import main as cli_main

    return cli_main(argv)
