"""Tell systemd how the kiosk is doing: a tiny ``sd_notify`` in pure Python, with no dependency.

Under ``systemd/kiosk.service`` (``Type=notify``, ``WatchdogSec=30``) systemd waits for
``READY=1`` before it counts the kiosk as started, and restarts it when ``WATCHDOG=1`` stops
arriving, which is how a frozen frame loop gets noticed on a Pi that nobody is watching.

Outside systemd (a developer's laptop, the tests, ``kiosk demo``) there is no ``NOTIFY_SOCKET``
and every method does nothing, so callers never need to ask whether they run under systemd. A
notifier never raises: the watchdog exists to keep the kiosk up, so a failure to reach systemd
is logged once and the kiosk runs on.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


# Seconds systemd waits for the next sign of life during a long start (``starting``).
STARTING_GRACE = 60.0

class Notifier:
    """Sends state changes to systemd's notification socket, or nothing when there is none.

    Use :meth:`from_env` in the app. Call :meth:`ready` once the loop is up, :meth:`ping` every
    :meth:`interval` seconds from the main loop (never from another thread: a ping must prove that
    the loop itself still turns), :meth:`status` for the line ``systemctl status`` shows, and
    :meth:`stopping` on the way out.
    """

    def __init__(self, address: str | None = None, *, watchdog_usec: int | None = None) -> None:
        # A leading '@' names a socket in the abstract namespace, which the kernel spells '\0'.
        if address and address.startswith("@"):
            address = "\0" + address[1:]
        self._address = address or None
        self._watchdog_usec = watchdog_usec
        self._sock: socket.socket | None = None
        self._failed = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """The notifier systemd asked for through ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET"), watchdog_usec=_watchdog_usec(env))

    def interval(self) -> float | None:
        """Seconds between pings (half of systemd's timeout, as sd_watchdog_enabled advises),
        or None when no watchdog is armed."""
        if self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 2_000_000

    def ready(self) -> None:
        self._send("READY=1")

    def ping(self) -> None:
        self._send("WATCHDOG=1")

    def status(self, text: str) -> None:
        # The protocol is one assignment per line: a newline in the text would start a new one.
        self._send("STATUS=" + " ".join(text.splitlines()))

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def starting(self, status: str) -> None:
        """Before READY=1: still busy, and why. Each call gives systemd ``STARTING_GRACE`` more
        seconds past TimeoutStartSec, so a first start that brings years of history up to date
        on a slow board is not killed and restarted in a loop, while a start that truly hangs
        (no call for that long) still is."""
        usec = int(STARTING_GRACE * 1_000_000)
        self._send(f"EXTEND_TIMEOUT_USEC={usec}")
        self.status(status)

    def close(self) -> None:
        """Release the socket; safe to call twice, and the notifier reopens it if used again."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _send(self, message: str) -> None:
        if self._address is None:
            return
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sock.sendto(message.encode("utf-8", "replace"), self._address)
        except Exception as exc:  # the watchdog must never be what takes the kiosk down
            self.close()
            if not self._failed:
                self._failed = True
                log.warning(
                    "could not notify systemd at %r (%s); the kiosk runs on, but systemd may "
                    "restart it when the watchdog times out",
                    self._address.replace("\0", "@"),
                    exc,
                )


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    """WATCHDOG_USEC as a positive int, or None: unset, malformed, or meant for another process."""
    # systemd sets WATCHDOG_PID when the watchdog is for one process only; a child that inherited
    # the environment (a helper the kiosk started) must not think the watchdog is its own.
    pid = env.get("WATCHDOG_PID")
    if pid is not None and pid.strip() != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None
