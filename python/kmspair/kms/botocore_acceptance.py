"""A fast yes to parameters that botocore's validator would pass, for the in-process client.

``botocore.validate.validate_parameters`` builds a validator and an error report and dispatches
on every member's type by name, on every call: a fifth of an in-process request. Per input
shape, this module compiles the same rules (botocore 1.x ``ParamValidator``: required and
unknown members, Python types, ``min`` of strings, lists and numbers, and a host label's
implied minimum of 1) into nested closures that only answer whether the parameters pass.

A yes means botocore would have reported nothing; a no means "ask botocore", which then
raises its ``ParamValidationError`` with its own wording. Whatever this module does not model
(timestamps, documents, JSON-value headers, tagged unions) is a no, so it can only make the
common case faster, never change an answer. ``tests/test_botocore_acceptance.py`` checks the
yes answers against botocore's validator over every KMS input shape.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from typing import Any

from botocore.utils import is_json_value_header

from .model import operation_model

Acceptor = Callable[[Any], bool]

# botocore's ParamValidator.SCALAR_TYPES and CONTAINER_TYPES.
_NUMBER_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "long": (int,),
    "float": (float, decimal.Decimal, int),
    "double": (float, decimal.Decimal, int),
}


def accepts(operation: str, params: dict[str, Any]) -> bool:
    """Whether botocore's validator passes ``params`` for ``operation`` (False: ask it)."""
    return _operation_acceptor(operation)(params)


@functools.cache
def _operation_acceptor(operation: str) -> Acceptor:
    shape = operation_model(operation).input_shape
    if shape is None:
        return _never
    return acceptor(shape)


def acceptor(shape: Any, depth: int = 0) -> Acceptor:
    """The acceptor of one shape (and, through closures, of everything it contains)."""
    if depth > 32:
        return _never  # a recursive shape: leave it to botocore
    if is_json_value_header(shape):
        return _never
    type_name = shape.type_name
    if type_name == "structure":
        if shape.is_document_type or shape.is_tagged_union:
            return _never
        return _structure(shape, depth)
    if type_name == "string":
        return _string(_minimum(shape))
    if type_name == "list":
        return _list(shape, depth)
    if type_name == "map":
        return _map(shape, depth)
    if type_name == "boolean":
        return _is_bool
    if type_name == "blob":
        return _is_blob
    if type_name in _NUMBER_TYPES:
        return _number(_NUMBER_TYPES[type_name], _minimum(shape))
    return _never  # timestamps (which botocore parses) and anything newer


def _minimum(shape: Any) -> float:
    """botocore's ``range_check`` lower bound: the ``min`` trait, else 1 for a host label."""
    if "min" in shape.metadata:
        return float(shape.metadata["min"])
    serialization = getattr(shape, "serialization", None)
    if serialization and serialization.get("hostLabel"):
        return 1.0
    return float("-inf")


def _structure(shape: Any, depth: int) -> Acceptor:
    members = {name: acceptor(member, depth + 1) for name, member in shape.members.items()}
    required = tuple(shape.metadata.get("required", ()))

    def accept_structure(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            check = members.get(name)
            if check is None or not check(item):
                return False
        return True

    return accept_structure


def _string(minimum: float) -> Acceptor:
    def accept_string(value: Any) -> bool:
        return isinstance(value, str) and len(value) >= minimum

    return accept_string


def _list(shape: Any, depth: int) -> Acceptor:
    minimum = _minimum(shape)
    check = acceptor(shape.member, depth + 1)

    def accept_list(value: Any) -> bool:
        return (
            isinstance(value, (list, tuple))
            and len(value) >= minimum
            and all(check(item) for item in value)
        )

    return accept_list


def _map(shape: Any, depth: int) -> Acceptor:
    check_key = acceptor(shape.key, depth + 1)
    check_value = acceptor(shape.value, depth + 1)

    def accept_map(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        return all(check_key(key) and check_value(item) for key, item in value.items())

    return accept_map


def _number(kinds: tuple[type, ...], minimum: float) -> Acceptor:
    def accept_number(value: Any) -> bool:
        # bool passes as int, as in botocore (isinstance(True, int)).
        number: Any = value
        return isinstance(value, kinds) and bool(number >= minimum)

    return accept_number


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_blob(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")


def _never(_value: Any) -> bool:
    return False
