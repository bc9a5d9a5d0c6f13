"""Turning command-line text into the API's values, shape by shape, as the aws CLI v2 does.

Scalars are typed by their shape; blobs are ``fileb://path`` or base64 text (v2's default
``cli_binary_format``); maps, structures and lists of them are JSON or shorthand; any value may
be ``file://path`` to read it from a file.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from .errors import CommandError, UsageError
from .shorthand import parse_shorthand

_COMPLEX = ("structure", "map", "list")


def read_file_argument(text: str) -> str:
    """``text``, or the content of the file it names as ``file://path``."""
    if text.startswith("file://"):
        path = Path(text[len("file://") :]).expanduser()
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Error parsing parameter: Unable to load paramfile {text}: {error}"
            ) from None
    return text


def from_command_line(shape: Any, raw: str | list[str] | bool, option: str) -> Any:
    """The value of option ``option`` (``--encryption-context``) given as ``raw``."""
    if isinstance(raw, bool):  # --dry-run / --no-dry-run
        return raw
    if shape.type_name == "list" and isinstance(raw, list):
        if len(raw) == 1 and raw[0].lstrip().startswith("["):
            return coerce(shape, _json(read_file_argument(raw[0]), option), option)
        return [from_command_line(shape.member, item, option) for item in raw]
    assert isinstance(raw, str)
    if shape.type_name == "blob":
        return _blob(raw, option)
    text = read_file_argument(raw)
    if shape.type_name in _COMPLEX:
        stripped = text.lstrip()
        parsed: Any = (
            _json(text, option) if stripped.startswith(("{", "[")) else parse_shorthand(text)
        )
        return coerce(shape, parsed, option)
    return coerce(shape, text, option)


def coerce(shape: Any, value: Any, option: str) -> Any:
    """``value`` (from JSON, YAML or shorthand) with scalars typed as ``shape`` says.

    Values of the wrong kind are left alone for botocore's validation to report in its words.
    """
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            name: coerce(shape.members[name], item, option) if name in shape.members else item
            for name, item in value.items()
        }
    if kind == "map" and isinstance(value, dict):
        return {key: coerce(shape.value, item, option) for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [coerce(shape.member, item, option) for item in value]
    if not isinstance(value, str):
        return value
    if kind == "blob":
        return _blob(value, option)
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
            raise CommandError(
                f"Error parsing parameter '{option}': Unable to load paramfile {text}: {error}"
            ) from None
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise UsageError(
            f"Invalid base64: {text!r} (in {option}); give a blob as base64 text or fileb://path"
        ) from None


def _json(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"Error parsing parameter '{option}': Invalid JSON: {error.msg}\nJSON received: {text}"
        ) from None
