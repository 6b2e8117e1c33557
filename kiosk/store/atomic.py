"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own ``JSONStorage`` rewrites its file in place, so a power cut in the middle of a write
leaves a truncated or zero-filled file and the whole history is gone. Here every write goes to a
temporary file in the same directory, is flushed and fsync'd, and then replaces the old file with
``os.replace``, which is atomic on POSIX: after a crash the file is either the old version or the
new one, never a mixture. The directory is fsync'd last so that the rename itself survives.

Each write still rewrites the whole database (that is how TinyDB storages work), so callers must
write rarely: the kiosk writes once per finished session, from a background thread.

``replacing`` is the kiosk's one atomic write in its data directory; the rendered voice lines
(io/tts.py) are written through it too. Exports go wherever the user asks, so they have their
own, stricter, writer (``export.write_file``). ``read_regular`` is the one way to read a file
the kiosk keeps: it refuses anything but a regular file, without opening it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"
PRIVATE_DIR = 0o700  # the history is health data: only the kiosk's user may list or read it
Fsync = Callable[[int], None]


class NotAFile(OSError):
    """The path exists but is not a regular file (a folder, FIFO, device, socket or symlink)."""


def kind_of(mode: int) -> str:
    """In words, what kind of file ``mode`` (from ``lstat``) describes."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return name
    return "a file"


def read_regular(path: Path) -> bytes:
    """The bytes of ``path``, which must be a regular file; never follows a symbolic link.

    Anything else raises ``NotAFile`` before it is opened for reading, so a FIFO planted in its
    place cannot hang the reader and a link cannot send it into another file. ``OSError`` (with
    ``FileNotFoundError``) as usual when it cannot be read.
    """
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotAFile(errno.EINVAL, f"is {kind_of(mode)}, not a file", str(path))
    # O_NOFOLLOW and O_NONBLOCK close the gap between lstat and open: a link or FIFO swapped in
    # meanwhile fails or returns at once, and fstat below sees what was really opened.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(errno.EINVAL, f"is {kind_of(mode)}, not a file", str(path))
        return f.read()


def make_private_dir(directory: Path, *, may_be_link: bool = False) -> None:
    """Make ``directory`` (and its missing parents) if need be; the last one is made 0700.

    Raises ``FileExistsError`` when something other than a folder is in the way, and
    ``NotAFile`` when it is a symbolic link (to a folder or not): a folder inside the data
    directory is never followed elsewhere. Only the data directory itself ``may_be_link``.
    """
    missing = []
    here = directory
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for made in missing:  # each folder made here is 0700, whatever the umask
        with suppress(OSError):
            os.chmod(made, PRIVATE_DIR, follow_symlinks=False)
    if not may_be_link:
        mode = os.lstat(directory).st_mode
        if not stat.S_ISDIR(mode):
            raise NotAFile(errno.ENOTDIR, f"is {kind_of(mode)}, not a folder", str(directory))


@contextmanager
def replacing(
    path: Path, *, suffix: str = TEMP_SUFFIX, private: bool = True, fsync: Fsync | None = None
) -> Iterator[Path]:
    """Write the new ``path`` into the temporary file this yields; when the block ends, it
    replaces ``path`` so that a crash leaves either the old or the new file, never a mixture.

    The temporary file is hidden, beside ``path`` (a rename never crosses file systems), named
    ``.<name>.<random><suffix>``, and created empty with mode 0600 (``private``; otherwise the
    mode a new file gets from the umask). If the block raises, it is removed and ``path`` is
    left as it was. ``fsync`` stands in for ``os.fsync`` (a test makes the disk slow).
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    if private:
        os.fchmod(fd, 0o600)  # mkstemp asks for 0600, which a strict umask would cut further
    os.close(fd)
    tmp = Path(name)
    try:
        if not private:
            tmp.chmod(0o666 & ~_umask())
        yield tmp
        # The data first: a renamed but empty file is the classic power-cut loss.
        _fsync_file(tmp, fsync or os.fsync)
        os.replace(tmp, path)
    except BaseException:
        # A full disk leaves a partial temp file: remove it so the space comes back.
        with suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent, fsync=fsync)


def write_atomically(path: Path, data: bytes, *, fsync: Fsync | None = None) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    with replacing(path, fsync=fsync) as tmp:
        tmp.write_bytes(data)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


def _fsync_file(path: Path, fsync: Fsync) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path, *, fsync: Fsync | None = None) -> None:
    """Make a rename in ``directory`` durable: the new name lives in the directory's own data."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        (fsync or os.fsync)(fd)
    except OSError as e:
        # Some file systems cannot fsync a directory; the rename is then as durable as they allow.
        if e.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def remove_stale_temps(directory: Path, name_glob: str) -> None:
    """Delete temp files a crash left behind for files matching ``name_glob`` in ``directory``.

    Only call this while nothing is writing there: the kiosk runs one writer, at start-up.
    """
    for stale in directory.glob(f".{name_glob}.*{TEMP_SUFFIX}"):
        with suppress(OSError):
            stale.unlink()


class AtomicJSONStorage(Storage):
    """Store the database as one JSON file, replaced atomically on every write.

    Unlike ``JSONStorage`` it keeps no file open and does not create the file up front: a missing
    file reads as an empty database, and the first write creates it (and its directory).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)

    @staticmethod
    def fsync(fd: int) -> None:
        """Flush ``fd`` to the disk; a test storage overrides it to make the disk slow."""
        os.fsync(fd)

    @staticmethod
    def read_file(path: Path) -> bytes:
        """The bytes of a history file (``read_regular``): each month's file, as the writer
        and the history's readers load it. A test storage overrides it to make the card fail
        on reading, or to see which months are read, and on which thread."""
        return read_regular(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.read_file(self.path)
        except FileNotFoundError:
            return None
        if not raw:
            return None
        data: dict[str, dict[str, Any]] = json.loads(raw)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        make_private_dir(self.path.parent)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        write_atomically(self.path, text.encode("utf-8"), fsync=self.fsync)
