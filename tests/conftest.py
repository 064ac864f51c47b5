"""Test isolation: a temporary CAUSERIE_HOME, no API keys from the developer's shell, and no real network."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from causerie.testing.fake_openai import FakeOpenAI
from tests.markup_guard import guard

_ENV_TO_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "CAUSERIE_MODEL",
    "CAUSERIE_PROFILE",
    "CAUSERIE_THEME",
    "CAUSERIE_CONFIG",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
)


@pytest.fixture(autouse=True)
def causerie_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and config directories, never the developer's."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "causerie-home"
    monkeypatch.setenv("CAUSERIE_HOME", str(home))
    return home


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost",):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # AF_UNIX sockets are local


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """A loopback OpenAI-compatible server, scripted per test."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(autouse=True)
def markup_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails a test in which Textual or Rich parsed outside text as markup (see tests/markup_guard.py)."""
    found = guard(monkeypatch)
    yield found
    assert not found, f"outside text was parsed as markup: {sorted(set(found))[:5]!r}"
