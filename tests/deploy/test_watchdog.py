"""The sd_notify client, against a real AF_UNIX datagram socket standing in for systemd."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.io.watchdog import Notifier


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A bound datagram socket, as systemd's notification socket, and its path."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_each_state_reaches_systemd_in_its_own_datagram(systemd: tuple[str, socket.socket]) -> None:
    path, sock = systemd
    notifier = Notifier.from_env({"NOTIFY_SOCKET": path})

    notifier.ready()
    notifier.ping()
    notifier.status("Session 3 of the week: breathing")
    notifier.stopping()

    assert [received(sock) for _ in range(4)] == [
        "READY=1",
        "WATCHDOG=1",
        "STATUS=Session 3 of the week: breathing",
        "STOPPING=1",
    ]
    notifier.close()
    notifier.close()  # closing twice is harmless


def test_a_long_start_asks_systemd_for_more_time_and_says_why(
        systemd: tuple[str, socket.socket]) -> None:
    path, sock = systemd
    Notifier(path).starting("Bringing the history up to date (2016-04, 3 of 121)")
    assert received(sock) == "EXTEND_TIMEOUT_USEC=60000000"
    assert received(sock) == "STATUS=Bringing the history up to date (2016-04, 3 of 121)"


def test_a_status_with_newlines_stays_one_assignment(systemd: tuple[str, socket.socket]) -> None:
    path, sock = systemd
    Notifier(path).status("resting\nREADY=1")
    assert received(sock) == "STATUS=resting READY=1"


def test_abstract_socket_names_start_with_at() -> None:
    name = f"backcare-kiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        Notifier.from_env({"NOTIFY_SOCKET": "@" + name}).ready()
        assert received(sock) == "READY=1"


def test_outside_systemd_everything_is_a_quiet_no_op(caplog: pytest.LogCaptureFixture) -> None:
    notifier = Notifier.from_env({})
    assert notifier.interval() is None
    with caplog.at_level(logging.DEBUG):
        notifier.ready()
        notifier.ping()
        notifier.status("x")
        notifier.stopping()
    assert caplog.records == []


def test_interval_is_half_the_watchdog_timeout() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}
    assert Notifier.from_env(env).interval() == 15.0
    env["WATCHDOG_PID"] = str(os.getpid())
    assert Notifier.from_env(env).interval() == 15.0


@pytest.mark.parametrize(
    "env",
    [
        {"WATCHDOG_USEC": "0"},
        {"WATCHDOG_USEC": "soon"},
        {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)},
    ],
    ids=["zero", "malformed", "another-process"],
)
def test_no_watchdog_when_it_is_off_malformed_or_not_ours(env: dict[str, str]) -> None:
    assert Notifier.from_env(env).interval() is None


def test_a_missing_socket_is_logged_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier(str(tmp_path / "gone"))
    with caplog.at_level(logging.WARNING, logger="kiosk.io.watchdog"):
        for _ in range(3):
            notifier.ping()
    assert len(caplog.records) == 1
    assert "gone" in caplog.records[0].getMessage()


def test_it_recovers_when_systemd_comes_back(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    notifier = Notifier(path)
    notifier.ping()  # nobody listening yet
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        notifier.ping()
        assert received(sock) == "WATCHDOG=1"
