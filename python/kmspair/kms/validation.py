"""Server-side (Coral) request validation, driven by botocore's KMS service model.

AWS checks a request in two stages and so do we. Deserialization comes first: a member of the
wrong type fails the whole request with ``SerializationException`` before any constraint is looked
at (spec §1, our choice of message). Then every constraint of every member is checked, and all
violations are reported in one ``ValidationException``, in the order of the model's members::

    2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must
    not be null; Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: ...

Choices AWS does not settle publicly, recorded here:

* Within one member the checks run enum, pattern, length, range: the order AWS's own combined
  messages show (pattern before length).
* A pattern must match the whole value (Java ``Matcher.matches``), with ASCII ``\\w``, ``\\d``,
  ``\\s`` as in Java.
* String length counts code points (Smithy's definition of ``length``).
* Blob and sensitive values are never echoed (``Value at 'plaintext' ...``), as AWS does for
  blobs and for sensitive strings; a list or map value is echoed as Java prints it
  (``[a, b]``, ``{k=v}``).
* A list element's path is ``member.N.member`` (1-based), a map entry's ``member.N.key`` and
  ``member.N.value``, a nested structure member's ``parent.child``.
* Unknown members are ignored, as AWS ignores unknown JSON members; ``None`` is an absent member.
  A null inside a list or a map is not absent but a value of the wrong type.
* A string must be Unicode text: JSON's ``"\\ud800"`` escape decodes to an unpaired surrogate, which
  no UTF-8 sink (the keystore, a response echoing it) can carry, so it fails deserialization.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Callable
from typing import Any

from .errors import KMSError
from .model import enum_values, member_path, operation_model, service_model

_EXPECTED: dict[str, str] = {
    "structure": "an object",
    "map": "an object",
    "list": "an array",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "blob": "base64-encoded binary data",
    "timestamp": "a timestamp",
}


def validate(operation: str, params: dict[str, Any]) -> None:
    """Check ``params`` (native values keyed by member name) against ``operation``'s input shape.

    Raises ``KMSError('SerializationException')`` for the first member of the wrong type, else
    ``KMSError('ValidationException')`` listing every constraint violation in Coral's form.
    """
    # Nearly every request is valid: a compiled yes/no comes first, and only a no pays for
    # the walk that words the errors.
    if not accepts(operation, params):
        check_in_full(operation, params)


def accepts(operation: str, params: dict[str, Any]) -> bool:
    """Whether ``params`` pass every check :func:`validate` makes."""
    return _operation_acceptor(operation)(params)


def check_in_full(operation: str, params: dict[str, Any]) -> None:
    """The walk that finds and words every error; :func:`validate` without its fast yes."""
    shape = operation_model(operation).input_shape
    if shape is None:
        return
    if params is not None and not isinstance(params, dict):
        raise _wrong_type(shape, params, "")
    # One walk does both stages: it visits members in the order a walk for types alone would,
    # and a type error raises at once, dropping the violations found so far, so the first
    # member of the wrong type still wins over every constraint violation.
    violations: list[str] = []
    _check_structure(shape, params, "", violations)
    if violations:
        count = len(violations)
        noun = "error" if count == 1 else "errors"
        raise KMSError(
            "ValidationException",
            f"{count} validation {noun} detected: " + "; ".join(violations),
        )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _has_type(type_name: str, value: object) -> bool:
    # bool is an int subclass in Python but never a number in JSON.
    if type_name == "string":
        return isinstance(value, str) and (value.isascii() or _is_unicode_text(value))
    if type_name in ("structure", "map"):
        return isinstance(value, dict)
    if type_name == "list":
        return isinstance(value, (list, tuple))
    if type_name in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "blob":
        return isinstance(value, (bytes, bytearray))
    if type_name == "timestamp":
        return isinstance(value, datetime.datetime)
    return True


def _is_unicode_text(value: str) -> bool:
    """False for a string holding an unpaired surrogate, which has no UTF-8 form."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wrong_type(shape: Any, value: object, path: str) -> KMSError:
    where = f" at '{path}'" if path else ""
    if shape.type_name == "string" and isinstance(value, str):
        return KMSError(
            "SerializationException", f"Invalid string{where}: it holds an unpaired surrogate."
        )
    return KMSError(
        "SerializationException",
        f"Expected {_EXPECTED.get(shape.type_name, shape.type_name)}{where}, "
        f"got {_json_type(value)}.",
    )


@functools.cache
def _members(structure_name: str) -> tuple[tuple[str, Any, str, bool], ...]:
    """(name, shape, Coral path segment, required) of each member of a structure, in model
    order: read from the model once, as validation runs on every call."""
    shape = service_model().shape_for(structure_name)
    required = shape.required_members
    return tuple(
        (name, member, member_path(name), name in required)
        for name, member in shape.members.items()
    )


def _check_structure(shape: Any, value: dict[str, Any], path: str, out: list[str]) -> None:
    for name, member, segment, required in _members(shape.name):
        member_value = value.get(name)
        child = f"{path}.{segment}" if path else segment
        if member_value is None:
            if required:
                out.append(f"Value null at '{child}' failed to satisfy constraint: {_NOT_NULL}")
            continue
        _check_value(member, member_value, child, out)


_NOT_NULL = "Member must not be null"


def _check_value(shape: Any, value: Any, path: str, out: list[str]) -> None:
    """Check a present value: its type (raising at once), then its constraints, then what
    it contains."""
    type_name = shape.type_name
    if not _has_type(type_name, value):
        raise _wrong_type(shape, value, path)
    for constraint in _constraints(shape, value):
        out.append(f"{_echo(shape, value)} at '{path}' failed to satisfy constraint: {constraint}")
    if type_name == "structure":
        _check_structure(shape, value, path, out)
    elif type_name == "list":
        for index, item in enumerate(value, start=1):
            _check_value(shape.member, item, f"{path}.{index}.member", out)
    elif type_name == "map":
        for index, (key, item) in enumerate(value.items(), start=1):
            _check_value(shape.key, key, f"{path}.{index}.key", out)
            _check_value(shape.value, item, f"{path}.{index}.value", out)


def _constraints(shape: Any, value: Any) -> list[str]:
    rules = _rules(shape.name)
    failed: list[str] = []
    if rules.enum is not None and value not in rules.enum:
        failed.append(rules.enum_message)
    if rules.pattern is not None and rules.pattern.fullmatch(value) is None:
        failed.append(rules.pattern_message)
    if rules.measure is not None:
        size = len(value) if rules.measure == "length" else value
        if rules.maximum is not None and size > rules.maximum:
            failed.append(f"Member must have {rules.measure} less than or equal to {rules.maximum}")
        if rules.minimum is not None and size < rules.minimum:
            failed.append(
                f"Member must have {rules.measure} greater than or equal to {rules.minimum}"
            )
    return failed


@dataclasses.dataclass(frozen=True)
class _Rules:
    """A shape's constraints, read from the model once (validation runs on every call)."""

    enum: frozenset[str] | None = None
    enum_message: str = ""
    pattern: re.Pattern[str] | None = None
    pattern_message: str = ""
    measure: str | None = None  # "length" or "value": what min and max bound
    minimum: float | None = None
    maximum: float | None = None


@functools.cache
def _rules(shape_name: str) -> _Rules:
    shape = service_model().shape_for(shape_name)
    metadata = shape.metadata
    rules: dict[str, Any] = {}
    if shape.type_name == "string" and shape.enum:
        allowed = enum_values(shape_name)
        rules["enum"] = frozenset(allowed)
        rules["enum_message"] = f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    pattern = metadata.get("pattern")
    if shape.type_name == "string" and pattern is not None:
        rules["pattern"] = _compile(pattern)
        rules["pattern_message"] = f"Member must satisfy regular expression pattern: {pattern}"
    if shape.type_name in ("string", "blob", "list", "map"):
        rules["measure"] = "length"
    elif shape.type_name in ("integer", "long", "float", "double"):
        rules["measure"] = "value"
    rules["minimum"] = metadata.get("min")
    rules["maximum"] = metadata.get("max")
    return _Rules(**rules)


@functools.cache
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.ASCII)
    except re.error:  # pragma: no cover - every KMS pattern compiles (tested)
        # A Java-only construct we cannot express: skip the check rather than reject valid input.
        return None


def _echo(shape: Any, value: Any) -> str:
    if shape.type_name == "blob" or shape.metadata.get("sensitive"):
        return "Value"
    return f"Value '{_java_str(value)}'"


def _java_str(value: Any) -> str:
    # Coral echoes the deserialized Java object, so collections print the way Java prints them.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_str(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_java_str(k)}={_java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    if value is None:
        return "null"
    return str(value)


# -- the fast yes ---------------------------------------------------------------------------------

_Acceptor = Callable[[Any], bool]


@functools.cache
def _operation_acceptor(operation: str) -> _Acceptor:
    shape = operation_model(operation).input_shape
    if shape is None:
        return _always
    return _acceptor(shape, 0)


def _acceptor(shape: Any, depth: int) -> _Acceptor:
    """Compiled from the same ``_members`` and ``_rules`` as the walk, checking the same."""
    if depth > 32:
        return _never  # a recursive shape: leave it to the walk
    type_name = shape.type_name
    rules = _rules(shape.name)
    if type_name == "structure":
        members = tuple(
            (name, _acceptor(member, depth + 1), required)
            for name, member, _, required in _members(shape.name)
        )
        return functools.partial(_accept_structure, members)
    if type_name == "list":
        item = _acceptor(shape.member, depth + 1)
        return functools.partial(_accept_list, rules, item)
    if type_name == "map":
        key, value = _acceptor(shape.key, depth + 1), _acceptor(shape.value, depth + 1)
        return functools.partial(_accept_map, rules, key, value)
    if type_name not in _EXPECTED:
        return _never
    return functools.partial(_accept_scalar, type_name, rules)


def _accept_structure(members: tuple[tuple[str, _Acceptor, bool], ...], value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    for name, accept, required in members:
        item = value.get(name)
        if item is None:
            if required:
                return False
        elif not accept(item):
            return False
    return True


def _accept_list(rules: _Rules, item: _Acceptor, value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and _within(rules, len(value))
        and all(item(entry) for entry in value)
    )


def _accept_map(rules: _Rules, key: _Acceptor, item: _Acceptor, value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _within(rules, len(value))
        and all(key(k) and item(v) for k, v in value.items())
    )


def _accept_scalar(type_name: str, rules: _Rules, value: Any) -> bool:
    if not _has_type(type_name, value):
        return False
    if rules.enum is not None and value not in rules.enum:
        return False
    if rules.pattern is not None and rules.pattern.fullmatch(value) is None:
        return False
    if rules.measure is None:
        return True
    return _within(rules, len(value) if rules.measure == "length" else value)


def _within(rules: _Rules, size: float) -> bool:
    return (rules.maximum is None or size <= rules.maximum) and (
        rules.minimum is None or size >= rules.minimum
    )


def _always(_value: Any) -> bool:
    return True


def _never(_value: Any) -> bool:
    return False
