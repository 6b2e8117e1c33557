"""`kiosk check`: the config, the display, the speaker, the voice, the GPIO and the data
directory, each said in one line, and every problem named with its path and its fix. It exits
non-zero when something the kiosk needs is missing or broken, and says the degraded mode the
kiosk would run in."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kiosk.config import Config
from kiosk.errors import ConfigError, KioskError
from kiosk.terminal import say


def _data_dir(args: argparse.Namespace, cfg: Config) -> Path:
    return Path(args.data_dir) if args.data_dir else cfg.data_dir


def cmd_check(
    args: argparse.Namespace, cfg: Config, problems: list[ConfigError], *,
    free_bytes: Callable[[Path], int] | None = None,
) -> int:
    """``free_bytes`` reads how many bytes are free for the kiosk's user on the disk of a path
    (``statvfs``; a test hands in a nearly full disk)."""
    from kiosk.io.buttons import is_raspberry_pi

    ok = True
    print(f"config: {cfg.source}")
    if problems:
        ok = False
        for problem in problems:
            print(f"  PROBLEM {problem}")
        if any(p.key == "(file)" for p in problems):
            print("  the kiosk would use the packaged default settings instead")
        else:
            print("  the kiosk would use the default for each of these keys")
    else:
        print(f"  ok ({len(cfg.library.families)} exercise families, "
              f"{len(cfg.rituals.rituals)} daily rituals)")
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    dri = sorted(str(p) for p in Path("/dev/dri").glob("card*"))
    found = display or ", ".join(dri)
    print(f"display: {'found ' + found if found else 'none (the kiosk runs headless)'}")
    audio, audio_ok = _audio_status()
    print(f"audio: {audio}")
    ok = ok and audio_ok
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    print(f"tts: {'espeak-ng at ' + espeak if espeak else 'NOT FOUND (install espeak-ng)'}")
    voice, voice_ok = _voice_status(cfg)
    print(f"voice: {voice}")
    if voice_ok and cfg.voice.engine == "piper":
        room = _room_for_the_cut_voice(cfg, _data_dir(args, cfg), free_bytes or _free_bytes)
        if room:
            print(f"  note: {room}")
    ok = ok and voice_ok
    if is_raspberry_pi():
        from kiosk.io.buttons import make_factory

        factory, note = make_factory(False)
        factory.close()
        print(f"gpio: {note or 'ok'}")
        ok = ok and note is None
    else:
        print("gpio: no Raspberry Pi GPIO (mock buttons will be used)")
    data_ok = _check_data_dir(_data_dir(args, cfg))
    safety, program = _safety_status(args, cfg)
    say(f"safety: {safety}")
    say(f"program: {program}")
    return 0 if ok and data_ok else 1


def _voice_status(cfg: Config) -> tuple[str, bool]:
    """Which voice the kiosk will speak in; with the neural voice configured, it is loaded for
    real (a few seconds), and if it cannot be, why. The kiosk would speak in espeak-ng then."""
    if cfg.voice.engine != "piper":
        return "espeak-ng", True
    from kiosk.errors import HardwareError
    from kiosk.io import piper

    why = piper.why_not(cfg.voice.model)
    path = piper.model_path(cfg.voice.model)
    if why is None and path is not None:
        synth = piper.PiperSynth(path, cfg.voice.length_scale)
        try:
            return f"piper ({synth.load()})", True
        except HardwareError as e:
            why = str(e)
        finally:
            synth.close()
    return f"espeak-ng (piper is configured but cannot load: {why})", False


def _room_for_the_cut_voice(
    cfg: Config, data_dir: Path, free_bytes: Callable[[Path], int]
) -> str | None:
    """Why the neural voice will render whole (in about 30 MB more memory) when the kiosk
    starts: no room in the data directory to cut it in two (kiosk.io.piper_parts); None when
    it is cut already, or there is room. Not a problem: the kiosk speaks all the same."""
    from kiosk.io import piper, piper_parts
    from kiosk.io.tts import cache_dir_for
    from kiosk.io.voice import neural_folders

    model = piper.model_path(cfg.voice.model)
    if model is None:
        return None
    _, parts = neural_folders(cache_dir_for(data_dir), model, cfg.voice.length_scale)
    try:
        if piper_parts.made(model, parts):
            return None
        size = model.stat().st_size
        free = free_bytes(_nearest_existing(data_dir))
    except OSError:
        return None  # the data directory's own check says what is wrong with it
    if free >= size + FREE_SPACE_NEEDED:
        return None
    return (f"the neural voice is cut in two in {parts} ({size // 2**20} MiB) to render in "
            f"less memory, and {free // 2**20} MiB is free there: it will render whole, in "
            "about 30 MB more, until there is room")


def _free_bytes(path: Path) -> int:
    usage = os.statvfs(path)
    return usage.f_bavail * usage.f_frsize


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


FREE_SPACE_NEEDED = 20 * 1024 * 1024  # years of history and the voice cache, with room to spare


def _check_data_dir(data_dir: Path) -> bool:
    """Print whether the kiosk can keep its history in ``data_dir``; change nothing there."""
    from kiosk.store.readonly import read_history

    say(f"data: {data_dir}")
    problems = _data_dir_problems(data_dir)
    if not problems and data_dir.is_dir():
        try:
            snapshot = read_history(data_dir)
        except KioskError as e:
            problems.append(str(e))
        else:
            if snapshot.notes:
                problems += snapshot.notes
            else:
                say(f"  ok: the history reads ({len(snapshot.sessions)} sessions)")
    for problem in problems:
        say(f"  PROBLEM {problem}")
    return not problems


def _data_dir_problems(data_dir: Path) -> list[str]:
    import stat

    from kiosk.store.atomic import kind_of

    try:
        st = os.lstat(data_dir)
    except FileNotFoundError:
        parent = next(p for p in data_dir.parents if p.exists())
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            say("  not made yet: the kiosk makes it when it first starts")
            return _space_problems(parent)
        return [f"{data_dir} does not exist and cannot be made in {parent}; make it "
                "(install -d -m 0700 -o kiosk -g kiosk ...) or give --data-dir a folder"]
    except OSError as e:
        return [f"{data_dir}: cannot look at it ({e.strerror}); check its permissions"]
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(data_dir) if data_dir.exists() else st
    if not stat.S_ISDIR(st.st_mode):
        return [f"{data_dir} is {kind_of(st.st_mode)}, not a folder; remove it, or give "
                "--data-dir (or [storage] data_dir) a folder"]
    problems = _space_problems(data_dir)
    if os.geteuid() == 0 and st.st_uid != 0:
        # Checked by root for the kiosk's user: that user owns the folder, and everything in
        # it must be theirs too, or the kiosk cannot replace it.
        owner = _user_name(st.st_uid)
        if st.st_mode & 0o300 != 0o300:
            problems.append(f"{data_dir}: its owner {owner} cannot write it; chmod u+rwx it")
        for path in _contents(data_dir):
            if path.lstat().st_uid != st.st_uid:
                problems.append(f"{path} belongs to {_user_name(path.lstat().st_uid)}, not "
                                f"{owner}; the kiosk cannot replace it: "
                                f"chown -R {owner}: {data_dir}")
                break
    elif not os.access(data_dir, os.W_OK | os.X_OK):
        problems.append(f"{data_dir}: this user cannot write it; run check as the kiosk's "
                        "user, or make the folder writable")
    return problems


def _space_problems(path: Path) -> list[str]:
    try:
        usage = os.statvfs(path)
    except OSError as e:
        return [f"{path}: cannot tell the free space ({e.strerror})"]
    if usage.f_flag & os.ST_RDONLY:
        return [f"{path} is on a read-only file system; no session could be saved: remount it "
                "read-write, or give --data-dir a folder on a writable disk"]
    free = usage.f_bavail * usage.f_frsize
    if free < FREE_SPACE_NEEDED:
        return [f"{path}: only {free // 1024} KiB free; the kiosk needs "
                f"{FREE_SPACE_NEEDED // (1024 * 1024)} MiB: free some space"]
    say(f"  ok: {free / 1024**3:.1f} GiB free")
    return []


def _contents(data_dir: Path) -> list[Path]:
    """What the kiosk writes in ``data_dir``: its top level, backups/ and voice-cache/."""
    found = []
    for folder in (data_dir, data_dir / "backups", data_dir / "voice-cache"):
        try:
            found += list(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []
        except OSError:
            continue
    return found


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def _safety_status(args: argparse.Namespace, cfg: Config) -> tuple[str, str]:
    """Whether exercise waits for a clinician's clearance (docs/safety.md), the config's or the
    program's (the later counts), and the clinician's program in force (docs/program.md)."""
    from kiosk.coaching import safety_checks
    from kiosk.config.program import terms_of
    from kiosk.core.coach.safety import clearance_state
    from kiosk.core.data.records import Record
    from kiosk.store.readonly import stream_history

    notes: list[str] = []  # the data line above has said what is wrong with the history
    records: list[Record] = []
    try:
        records = list(stream_history(_data_dir(args, cfg), notes))
    except KioskError:
        pass
    terms = terms_of(records, cfg.library)
    days = [d for d in (cfg.safety.cleared_on, terms.cleared_on) if d is not None]
    safety = clearance_state(safety_checks(records), date.today(), max(days) if days else None)
    if terms.record is None:
        program = "the kiosk's own (config/program.toml); no clinician's program loaded"
    else:
        at = f"{terms.at:%Y-%m-%d}" if terms.at is not None else "?"
        review = (f", review due {terms.review_on.isoformat()}"
                  if terms.review_on is not None else "")
        program = f"a clinician's, loaded {at}{review} (kiosk program show)"
    return safety, program


def _audio_status() -> tuple[str, bool]:
    """The sound card, and whether there is one. The kiosk is led by voice: with no card it
    runs on, silent, showing every line on the screen, which a person 2 m away cannot follow,
    so check names it as a problem. ``KIOSK_SOUND_CARDS`` names the file that lists the cards
    (/proc/asound/cards), for a test to stand in another machine's."""
    cards = Path(os.environ.get("KIOSK_SOUND_CARDS") or "/proc/asound/cards")
    try:
        text = cards.read_text().strip()
    except OSError:
        text = ""
    if not text or "no soundcards" in text:
        return ("PROBLEM no sound card found: the kiosk would run silently, every line shown on "
                "the screen only (and with no screen, nothing to follow); fit a speaker or a "
                "USB sound card, then run kiosk check again", False)
    return "found: " + text.splitlines()[0].strip(), True
