"""The KMS JSON protocol (awsJson1_1) codec: request bodies in, response and error bodies out.

Requests are decoded along the operation's input shape, because only the shape says which JSON
strings are base64 blobs and which numbers are timestamps. A JSON value of the wrong type is kept
as it is, so that validation reports it as a ``SerializationException`` naming the member; this
codec only rejects what it cannot decode at all (bad JSON, a non-object body, bad base64).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any

from .errors import KMSError
from .model import member_path, operation_model
from .model import operation_names as _model_operation_names


def operation_names() -> list[str]:
    """Every operation name the KMS service model defines (``X-Amz-Target`` suffixes)."""
    return _model_operation_names()


def decode_request(operation: str, body: bytes) -> dict[str, Any]:
    """Decode an awsJson1_1 request body for ``operation`` into native values.

    Base64 blobs become ``bytes`` and epoch-second timestamps tz-aware UTC ``datetime``; every
    other value stays as JSON gave it. An empty body is an empty request. Raises
    ``KMSError('SerializationException')`` for malformed JSON, a body that is not a JSON object
    or invalid base64, and ``KMSError('UnknownOperationException')`` for an unknown operation.
    """
    shape = operation_model(operation).input_shape
    if not body.strip():
        return {}
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise KMSError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise KMSError("SerializationException", "The request body must be a JSON object.")
    if shape is None:
        return document
    decoded = _decode(shape, document, "")
    assert isinstance(decoded, dict)
    return decoded


def encode_response(operation: str, response: dict[str, Any]) -> bytes:
    """Encode ``operation``'s response (native values) as an awsJson1_1 body.

    ``bytes`` become standard padded base64 and ``datetime`` epoch seconds, as botocore parses
    them. ``operation`` is checked against the model so a typo cannot produce a silent body.
    """
    operation_model(operation)
    return _dump(_encode(response))


def encode_error(error: KMSError) -> bytes:
    """The error body AWS sends: ``{"__type": code, "message": text}``, or no ``message`` at all
    when the error has none (spec §1, e.g. InvalidCiphertextException)."""
    body: dict[str, str] = {"__type": error.code}
    if error.message is not None:
        body["message"] = error.message
    return _dump(body)


def _dump(document: object) -> bytes:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # An unpaired surrogate (which validation refuses, but a key stored before it did may
        # hold one) has no UTF-8 form; JSON's \u escape carries it, as a Java service writes it.
        return json.dumps(document, separators=(",", ":")).encode("ascii")


def _decode(shape: Any, value: Any, path: str) -> Any:
    type_name = shape.type_name
    if type_name == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise KMSError(
                "SerializationException", f"Value at '{path}' is not valid base64."
            ) from None
    if type_name == "timestamp" and _is_number(value):
        try:
            return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
        except (OverflowError, ValueError, OSError):  # NaN, infinite, or past year 9999
            raise KMSError(
                "SerializationException", f"Value at '{path}' is not a valid timestamp."
            ) from None
    if type_name == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            name: _decode(members[name], item, _join(path, name)) if name in members else item
            for name, item in value.items()
        }
    if type_name == "list" and isinstance(value, list):
        return [
            _decode(shape.member, item, f"{path}.{i}.member") for i, item in enumerate(value, 1)
        ]
    if type_name == "map" and isinstance(value, dict):
        return {
            key: _decode(shape.value, item, f"{path}.{i}.value")
            for i, (key, item) in enumerate(value.items(), 1)
        }
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _join(parent: str, name: str) -> str:
    child = member_path(name)
    return child if not parent else f"{parent}.{child}"


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            # Naive datetimes in our responses are UTC by convention; never the host's zone.
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value
