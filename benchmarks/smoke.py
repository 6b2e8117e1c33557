"""The ``--smoke`` mode every benchmark has: a short run that fails when it measured nothing.

A benchmark that nobody runs rots unseen: ``bench_latency.py`` once printed "no samples" for
months, after the kiosk began to start with the welcome and the safety questions. So each script
in benchmarks/ takes ``--smoke``: the same code on a small load (a few presses, a month of
history, a handful of lines), ending with :func:`check`. That prints the figures that must have
been measured as one line, ``smoke figures: {...}`` (JSON), and fails, with the names of the
empty ones, when any is missing, zero, negative or not a number. ``tests/test_benchmarks.py``
runs every smoke mode, so ``make test`` does too.

A smoke run says that the benchmark still measures something, never how fast the kiosk is:
no figure is compared with a target, and nothing here depends on the machine's speed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping

PREFIX = "smoke figures: "
HELP = ("a short run (seconds) that fails when it measures nothing: for make test "
        "(tests/test_benchmarks.py)")


def add_flag(parser: argparse.ArgumentParser) -> None:
    """The one ``--smoke`` flag, worded the same in every benchmark."""
    parser.add_argument("--smoke", action="store_true", help=HELP)


def empty(value: object) -> bool:
    """True when ``value`` is not a measurement: None, not a number, NaN, infinite, zero or
    less. Counts (samples, records, lines) and durations alike must be above zero."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return not math.isfinite(value) or value <= 0


def check(name: str, figures: Mapping[str, object]) -> int:
    """Print ``figures`` on one line and return 0, or say which were not measured and return 1.

    ``figures`` holds only what a working run always measures above zero: sample counts, medians,
    sizes. A figure that may rightly be zero (the CPU of an idle second) does not belong here."""
    missing = sorted(key for key, value in figures.items() if empty(value))
    if not figures:
        missing = ["(no figures at all)"]
    shown = {k: (float(f"{v:.4g}") if isinstance(v, float) and math.isfinite(v)
                 else v if isinstance(v, int) and not isinstance(v, bool) else str(v))
             for k, v in figures.items()}  # four figures are plenty; "nan" stays a string
    print(PREFIX + json.dumps(shown, sort_keys=True), flush=True)
    if missing:
        print(f"{name} --smoke: FAILED, measured nothing for: {', '.join(missing)}",
              file=sys.stderr, flush=True)
        return 1
    return 0
