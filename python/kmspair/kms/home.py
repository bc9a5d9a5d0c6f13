"""Where the embedded keystore lives when the caller does not say."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENVIRONMENT_VARIABLE = "KMSPAIR_HOME"
_DIRECTORY_NAME = "kmspair"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The keystore's home directory, as an absolute path (it may not exist yet).

    The first of these that is given wins:

    1. ``home``, the argument;
    2. ``$KMSPAIR_HOME``;
    3. the per-user data directory:

       - Linux and other Unix: ``$XDG_DATA_HOME/kmspair``, else ``~/.local/share/kmspair``;
       - macOS: ``$XDG_DATA_HOME/kmspair`` if set, else
         ``~/Library/Application Support/kmspair``;
       - Windows: ``%LOCALAPPDATA%\\kmspair``, else ``~\\AppData\\Local\\kmspair``.

    Empty environment variables count as unset, and a relative ``$XDG_DATA_HOME`` is ignored,
    as the XDG Base Directory specification asks. ``~`` is expanded in the argument and in
    ``$KMSPAIR_HOME``.
    """
    if home is not None:
        return _absolute(Path(home))
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_environment:
        return _absolute(Path(from_environment))
    return _absolute(_user_data_directory() / _DIRECTORY_NAME)


def _user_data_directory() -> Path:
    if sys.platform == "win32":
        local_app_data = os.environ.get("LOCALAPPDATA")
        return Path(local_app_data) if local_app_data else Path.home() / "AppData" / "Local"
    xdg_data_home = os.environ.get("XDG_DATA_HOME")
    if xdg_data_home and Path(xdg_data_home).is_absolute():
        return Path(xdg_data_home)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path.home() / ".local" / "share"


def _absolute(path: Path) -> Path:
    # Absolute now, so that a later chdir cannot move the keystore under the caller's feet.
    return path.expanduser().absolute()
