"""Turning command-line text into the API's values, shape by shape, as the aws CLI v2 does.

Scalars are typed by their shape; blobs are ``fileb://path`` or base64 text (v2's default
``cli_binary_format``); maps, structures and lists of them are JSON or shorthand; any value may
be ``file://path`` to read it from a file. A blob's value is never quoted back in an error: it
may be a secret (``--plaintext``).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from .errors import ParamError, UsageError
from .shorthand import parse_shorthand

_COMPLEX = ("structure", "map", "list")


def read_file_argument(text: str, option: str) -> str:
    """``text``, or the content of the file it names as ``file://path``."""
    if text.startswith("file://"):
        path = Path(text[len("file://") :]).expanduser()
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise _unloadable(text, option, error) from None
    return text


def _unloadable(text: str, option: str, error: OSError) -> ParamError:
    """aws's error for a ``file://`` or ``fileb://`` path it cannot read."""
    return ParamError(
        f"Error parsing parameter '{option}': Unable to load paramfile {text}: {error}"
    )


def from_command_line(shape: Any, raw: str | list[str] | bool, option: str) -> Any:
    """The value of option ``option`` (``--encryption-context``) given as ``raw``."""
    if isinstance(raw, bool):  # --dry-run / --no-dry-run
        return raw
    if shape.type_name == "list" and isinstance(raw, list):
        if len(raw) == 1 and raw[0].lstrip().startswith("["):
            return coerce(shape, _json(read_file_argument(raw[0], option), option), option)
        return [from_command_line(shape.member, item, option) for item in raw]
    assert isinstance(raw, str)
    if shape.type_name == "blob":
        return _blob(raw, option)
    text = read_file_argument(raw, option)
    if shape.type_name in _COMPLEX:
        stripped = text.lstrip()
        parsed: Any = (
            _json(text, option)
            if stripped.startswith(("{", "["))
            else parse_shorthand(text, option)
        )
        return coerce(shape, parsed, option)
    return coerce(shape, text, option)


def coerce(shape: Any, value: Any, option: str, *, scalars: bool = True) -> Any:
    """``value`` (from JSON, YAML or shorthand) with blobs decoded and, unless ``scalars`` is
    false, other scalars given as text typed as ``shape`` says (``"5"`` for an integer).

    A document (``--cli-input-json``) passes ``scalars=False``: its JSON types are its own, and
    a string where a number belongs is botocore's validation error, as with aws. Values of the
    wrong kind are left alone for botocore's validation to report in its words.
    """
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            name: coerce(shape.members[name], item, option, scalars=scalars)
            if name in shape.members
            else item
            for name, item in value.items()
        }
    if kind == "map" and isinstance(value, dict):
        return {
            key: coerce(shape.value, item, option, scalars=scalars) for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [coerce(shape.member, item, option, scalars=scalars) for item in value]
    if not isinstance(value, str):
        return value
    if kind == "blob":
        return _blob(value, option)
    if not scalars:
        return value
    if kind in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"invalid literal for int() with base 10: {value!r}") from None
    if kind == "boolean":
        lowered = value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    return value


def _blob(text: str, option: str) -> bytes:
    if text.startswith("fileb://"):
        path = Path(text[len("fileb://") :]).expanduser()
        try:
            return path.read_bytes()
        except OSError as error:
            raise _unloadable(text, option, error) from None
    if text.startswith("file://"):
        text = read_file_argument(text, option).strip()  # base64 text, often with a newline
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ParamError(
            f"Error parsing parameter '{option}': Invalid base64: give a blob as base64 text, "
            "file://path to base64 text, or fileb://path to its bytes"
        ) from None


def _json(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParamError(
            f"Error parsing parameter '{option}': Invalid JSON: {error}\nJSON received: {text}"
        ) from None
