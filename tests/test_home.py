"""Where the keystore lives: the argument, else $KMSPAIR_HOME, else the per-user data directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kmspair.kms.home import resolve_home


@pytest.fixture(autouse=True)
def user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment whose home directory is ``tmp_path / "user"``."""
    for name in ("KMSPAIR_HOME", "XDG_DATA_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    user_home = tmp_path / "user"
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.setenv("USERPROFILE", str(user_home))
    return user_home


def test_the_argument_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KMSPAIR_HOME", str(tmp_path / "from-env"))
    assert resolve_home(tmp_path / "given") == tmp_path / "given"


def test_kmspair_home_comes_next(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KMSPAIR_HOME", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_home(None) == tmp_path / "from-env"


def test_an_empty_kmspair_home_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KMSPAIR_HOME", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_home(None) == tmp_path / "xdg" / "kmspair"


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_xdg_data_home_comes_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_home(None) == tmp_path / "xdg" / "kmspair"


def test_a_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch, user: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert resolve_home(None) == user / ".local" / "share" / "kmspair"


def test_linux_defaults_to_local_share(monkeypatch: pytest.MonkeyPatch, user: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert resolve_home(None) == user / ".local" / "share" / "kmspair"


def test_macos_defaults_to_application_support(monkeypatch: pytest.MonkeyPatch, user: Path) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert resolve_home(None) == user / "Library" / "Application Support" / "kmspair"


def test_windows_uses_local_app_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # not a Windows convention
    assert resolve_home(None) == tmp_path / "local" / "kmspair"


def test_a_relative_home_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_home("here") == tmp_path / "here"


def test_a_tilde_is_expanded(user: Path) -> None:
    assert resolve_home("~/keys") == user / "keys"
