"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own ``JSONStorage`` rewrites its file in place, so a power cut in the middle of a write
leaves a truncated or zero-filled file and the whole history is gone. Here every write goes to a
temporary file in the same directory, is flushed and fsync'd, and then replaces the old file with
``os.replace``, which is atomic on POSIX: after a crash the file is either the old version or the
new one, never a mixture. The directory is fsync'd last so that the rename itself survives.

Each write still rewrites the whole database (that is how TinyDB storages work), so callers must
write rarely: the kiosk writes once per finished session, from a background thread.

``replacing`` is the kiosk's one atomic write; the rendered voice lines (io/tts.py) and the
exports (cli.py) are written through it too.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


@contextmanager
def replacing(
    path: Path, *, suffix: str = TEMP_SUFFIX, private: bool = True
) -> Iterator[Path]:
    """Write the new ``path`` into the temporary file this yields; when the block ends, it
    replaces ``path`` so that a crash leaves either the old or the new file, never a mixture.

    The temporary file is hidden, beside ``path`` (a rename never crosses file systems), named
    ``.<name>.<random><suffix>``, and created empty with mode 0600 (``private``; otherwise the
    mode a new file gets from the umask). If the block raises, it is removed and ``path`` is
    left as it was.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        if not private:
            tmp.chmod(0o666 & ~_umask())
        yield tmp
        _fsync_file(tmp)  # the data first: a renamed but empty file is the classic power-cut loss
        os.replace(tmp, path)
    except BaseException:
        # A full disk leaves a partial temp file: remove it so the space comes back.
        with suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable: the new name lives in the directory's own data."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
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

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        data: dict[str, dict[str, Any]] = json.loads(raw)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        write_atomically(self.path, text.encode("utf-8"))
