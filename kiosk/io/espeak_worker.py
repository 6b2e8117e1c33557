"""espeak-ng's worker process: renders lines with pyttsx3, trims and normalises them.

Run by ``kiosk.io.espeak.EspeakWorker`` as ``python -m kiosk.io.espeak_worker``, never by hand.
One JSON object a line on stdin asks for a line (``{"text", "voice", "rate", "out"}``); one on
stdout answers it:

* ``{"ready": true}`` once espeak-ng is loaded, before the first request;
* ``{"ok": SECONDS}`` when ``out`` holds the line, trimmed and normalised (kiosk.io.loudness);
* ``{"unknown_voice": WHY}`` when espeak-ng has no such voice (the kiosk falls back to its
  default voice, as it does in its own process);
* ``{"error": WHY}`` when that one line failed;
* ``{"fatal": WHY}`` just before it exits: espeak-ng would not load.

Why a process: pyttsx3's callbacks and the pure-Python loudness normalisation hold the
interpreter lock. On the kiosk's render thread they stretched the frame loop's gaps to 60-80 ms
at a Pi Zero 2 W's speed while a new day's lines rendered (docs/voice.md). Here they hold only
this process's lock. It exits when its requests end (the kiosk lets it go once idle).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

from kiosk.errors import HardwareError
from kiosk.io.espeak_engine import UnknownVoice, espeak_synth
from kiosk.io.loudness import normalise_file
from kiosk.io.tts import check_wav
from kiosk.io.worker import until_the_kiosk_goes

NICENESS = 10  # below the frame loop: a render may wait, a frame may not


def render(text: str, voice: str, rate: int, out: Path) -> float:
    """One line into ``out``, checked, trimmed and normalised; its length in seconds."""
    espeak_synth(text, voice, rate, out)
    check_wav(out)  # what the engine wrote, before it is rewritten
    normalise_file(out)
    return check_wav(out)


def _answer(stream: TextIO, **reply: object) -> None:
    stream.write(json.dumps(reply) + "\n")
    stream.flush()


def serve(requests: TextIO, replies: TextIO) -> int:
    from kiosk.io import espeak_engine

    try:
        espeak_engine.engine()  # loads pyttsx3 and espeak-ng once, for every line
    except HardwareError as e:
        _answer(replies, fatal=str(e))
        return 1
    _answer(replies, ready=True)
    for line in requests:
        try:
            r = json.loads(line)
            seconds = render(r["text"], r["voice"], int(r["rate"]), Path(r["out"]))
        except UnknownVoice as e:
            _answer(replies, unknown_voice=str(e))
        except HardwareError as e:  # espeak-ng hung: this process is no use any more
            _answer(replies, fatal=str(e))
            return 2
        except Exception as e:  # one line fails, the worker goes on
            _answer(replies, error=f"{type(e).__name__}: {e}")
        else:
            _answer(replies, ok=seconds)
    return 0


def main() -> int:
    try:
        os.nice(NICENESS)
    except OSError:
        pass  # not allowed under the unit's filter (@resources): it renders all the same
    # The answers get stdout to themselves: anything a library prints goes to stderr (the log).
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return until_the_kiosk_goes(lambda: serve(sys.stdin, replies), replies)


if __name__ == "__main__":
    sys.exit(main())
