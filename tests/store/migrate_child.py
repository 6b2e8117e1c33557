"""Start the monthly store on a data directory, saying each step of a migration as it goes.

Run by tests/store/test_migration_kills.py, which kills it after a step it picks at random."""

from __future__ import annotations

import os
import sys

from kiosk.store.months import WholeHistory


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def main() -> None:
    with WholeHistory(sys.argv[1], on_step=lambda step: say(f"step {step}")):
        say("done")


if __name__ == "__main__":
    main()
