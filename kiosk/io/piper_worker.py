"""The neural voice's worker process: loads one Piper voice, renders lines on request.

Run by ``kiosk.io.piper.PiperSynth`` as ``python -m kiosk.io.piper_worker --model M --parts
DIR``, never by hand. One JSON object a line on stdin asks for a line (``{"text": ...,
"out": PATH}``); one on stdout answers it:

* ``{"ready": NAME}`` once the voice is loaded, before the first request;
* ``{"ok": SECONDS}`` when ``out`` holds the line, trimmed and normalised (kiosk.io.loudness);
* ``{"error": WHY}`` when that one line failed;
* ``{"fatal": WHY}`` just before it exits: the voice did not load, or memory ran out.

Why a process and not a thread: onnxruntime takes about 175 MB (with the voice cut in two,
``kiosk.io.piper_parts``) and a long line's inference several seconds on a Pi Zero 2 W. In a
process of its own, at a lower priority and on one thread, it never holds the frame loop's
interpreter lock, and when it runs out of memory the kernel kills the worker, not the kiosk:
the kiosk then speaks with espeak-ng.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import wave
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from kiosk.io.loudness import normalise_file, trim, write_pcm
from kiosk.io.piper_parts import DECODER_FIRST_WEIGHT, WindowedSession, forget, split
from kiosk.io.worker import until_the_kiosk_goes

NICENESS = 10  # below the frame loop: a render may wait, a frame may not
CLAUSE = re.compile(r"(?<=[.,;:?!])\s+")
PAUSES = {",": 0.15, ";": 0.25, ":": 0.25, ".": 0.35, "?": 0.35, "!": 0.35}  # seconds


def load(model: Path, parts_dir: Path | None = None) -> Any:
    """The Piper voice at ``model`` (with ``model.json`` beside it), on one CPU thread, set to
    keep this process's peak memory low (docs/voice.md, "Memory").

    With ``parts_dir``, the voice is cut in two there (``kiosk.io.piper_parts``, once for each
    model file) and its decoder renders a clause in windows: the worker's memory no longer grows
    with the clause. Where the voice cannot be cut, or the parts cannot be written, it renders
    whole, as it does without ``parts_dir``.
    """
    import ctypes

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    with open(f"{model}.json", encoding="utf-8") as fh:
        config = PiperConfig.from_dict(json.load(fh))
    options = onnxruntime.SessionOptions()
    # One thread: the kiosk's own loop keeps a core to itself on every Pi, even a two-core
    # development machine. The rendering is ahead of time, so its speed matters little.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only, in the journal
    # No memory arena: onnxruntime's arena keeps every block it ever used, grown in powers of
    # two, and a long clause's tensors left it 25 MB above what the clause needs. Without it,
    # each tensor is malloc'd and freed, and glibc gives every block of 128 kB or more a mapping
    # of its own, handed back to the system when freed. Left to itself, glibc raises that
    # threshold to 32 MB as big blocks are freed, and then the heap fragments: worse than the
    # arena. Together: the worker's peak over a day's lines 246 -> 204 MB, the speech the same
    # sample for sample, the rendering 1.7 times the CPU (every tensor's pages are new).
    options.enable_cpu_mem_arena = False
    try:  # glibc's mallopt(M_MMAP_THRESHOLD, 128 kB), as MALLOC_MMAP_THRESHOLD_=131072 would
        ctypes.CDLL(None).mallopt(-3, 128 * 1024)  # -3 is M_MMAP_THRESHOLD (malloc.h)
    except (AttributeError, OSError):
        pass  # not glibc: its own allocator decides

    def session(path: Path) -> Any:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    parts = None
    if parts_dir is not None:
        try:
            parts = split(model, parts_dir)
        except (OSError, ValueError) as e:
            print(f"piper worker: {model.name} renders whole, in more memory: its parts could "
                  f"not be made in {parts_dir} ({e})", file=sys.stderr, flush=True)
        else:
            if parts is None:
                print(f"piper worker: {model.name} renders whole, in more memory: it has no "
                      f"decoder to cut off ({DECODER_FIRST_WEIGHT})", file=sys.stderr, flush=True)
    if parts is not None:
        try:
            windowed = WindowedSession(session(parts.encoder), session(parts.decoder),
                                       parts.latent)
        except Exception as e:  # damaged on disk: made again at the next start
            forget(parts)
            print(f"piper worker: {model.name} renders whole, in more memory, until the next "
                  f"start: its parts in {parts_dir} did not load ({e})", file=sys.stderr,
                  flush=True)
        else:
            return PiperVoice(session=windowed, config=config)
    return PiperVoice(session=session(model), config=config)


def clauses(text: str) -> list[str]:
    """``text`` cut after each comma and full stop: the pieces rendered one at a time."""
    return [part for part in CLAUSE.split(text.strip()) if part]


def render(voice: Any, text: str, out: Path, length_scale: float) -> float:
    """Render ``text`` clause by clause, joined by short pauses, then normalise it.

    onnxruntime's memory grows with the longest piece it renders at once: a whole long
    sentence took the worker past 350 MB, one clause at a time keeps it near 220 MB. Each
    clause keeps its punctuation, so it is still said as the middle or the end of a sentence.
    """
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=length_scale)
    rate = voice.config.sample_rate
    pcm = array("h")
    for part in clauses(text):
        audio = array("h")
        for chunk in voice.synthesize(part, syn_config=config):
            audio.frombytes(chunk.audio_int16_bytes)
        pcm += trim(audio, rate)
        pause = PAUSES.get(part[-1], PAUSES["."]) * length_scale
        pcm += array("h", bytes(2 * round(pause * rate)))
    write_pcm(out, pcm, rate)
    normalise_file(out)
    with wave.open(str(out), "rb") as w:
        return w.getnframes() / w.getframerate()


def _answer(stream: TextIO, **reply: object) -> None:
    stream.write(json.dumps(reply) + "\n")
    stream.flush()


def _out_of_memory(e: BaseException) -> bool:
    text = str(e).lower()
    return isinstance(e, MemoryError) or "bad_alloc" in text or "failed to allocate" in text


def serve(model: Path, length_scale: float, requests: TextIO, replies: TextIO,
          parts_dir: Path | None = None) -> int:
    try:
        voice = load(model, parts_dir)
    except BaseException as e:  # whatever stops the load is reported, then exit
        _answer(replies, fatal=f"{type(e).__name__}: {e}")
        return 1
    _answer(replies, ready=model.name.removesuffix(".onnx"))
    for line in requests:
        try:
            request = json.loads(line)
            seconds = render(voice, request["text"], Path(request["out"]), length_scale)
        except BaseException as e:  # one line fails, the worker goes on
            if _out_of_memory(e) or isinstance(e, KeyboardInterrupt):
                _answer(replies, fatal=f"{type(e).__name__}: {e}")
                return 3
            _answer(replies, error=f"{type(e).__name__}: {e}")
            continue
        _answer(replies, ok=seconds)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.io.piper_worker")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--length-scale", type=float, default=1.0)
    parser.add_argument("--parts", type=Path, help="where the voice's two parts are kept")
    args = parser.parse_args(argv)
    try:
        os.nice(NICENESS)
    except OSError:
        pass  # already lower, or not allowed: it renders all the same
    # The answers get stdout to themselves: anything a library prints goes to stderr (the log).
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return until_the_kiosk_goes(
        lambda: serve(args.model, args.length_scale, sys.stdin, replies, args.parts), replies)


if __name__ == "__main__":
    sys.exit(main())
