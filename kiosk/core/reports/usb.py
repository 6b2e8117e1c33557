"""Copying the report and every export to a USB stick: what can happen, and what is said.

Pure. The shell (kiosk/usb.py) does the copying off the frame loop and reports one ``Outcome``;
the kiosk says its words (a kiosk with no screen still hears how it went). A failure says what
to do about it, in the person's words, never an error code.
"""

from __future__ import annotations

from enum import StrEnum

FOLDER = "backcare-kiosk"  # on the stick, one folder per copy inside it, named by date and time


class Outcome(StrEnum):
    DONE = "done"
    NO_DRIVE = "no-drive"
    READ_ONLY = "read-only"
    FULL = "full"
    FAILED = "failed"


STARTING = "Copying your report to the USB stick. This takes a moment."
BUSY = "Still copying to the USB stick. Please wait."

WORDS = {
    Outcome.DONE: ("Done. Your report and your history are on the USB stick, in the folder "
                   "backcare kiosk. You can take the stick out now."),
    Outcome.NO_DRIVE: ("No USB stick found. Put a stick in a USB port, wait a few seconds, "
                       "then try again."),
    Outcome.READ_ONLY: ("The USB stick cannot be written to. It may be locked: check the "
                        "little switch on its side, or try another stick."),
    Outcome.FULL: ("The USB stick is full. Nothing was left half done. Make some room on it, "
                   "or try another stick."),
    Outcome.FAILED: ("Copying to the USB stick did not work. Nothing was left half done. "
                     "Try again, or try another stick."),
}


def words(outcome: Outcome) -> str:
    return WORDS[outcome]


# ``kiosk export --usb`` exits with these, so the kiosk can run it as a child and know why.
EXIT_CODES = {Outcome.DONE: 0, Outcome.FAILED: 1, Outcome.NO_DRIVE: 3, Outcome.READ_ONLY: 4,
              Outcome.FULL: 5}


def from_exit_code(code: int) -> Outcome:
    return next((o for o, c in EXIT_CODES.items() if c == code), Outcome.FAILED)
