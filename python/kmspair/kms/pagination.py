"""Limit / Marker / Truncated / NextMarker pagination, as the KMS List operations do it."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .errors import KMSError

T = TypeVar("T")

DEFAULT_LIMIT = 100


def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], dict[str, Any]]:
    """The page of ``items`` that ``params`` (Limit, Marker) asks for, and the members
    ``Truncated`` and, when truncated, ``NextMarker`` to merge into the response. ``items``
    must be sorted by ``key``.

    The marker names the last item returned rather than an offset, so items added or removed
    between two calls neither repeat nor vanish from the listing.
    """
    limit = params.get("Limit") or DEFAULT_LIMIT
    start = 0
    marker = params.get("Marker")
    if marker is not None:
        after = _decode(marker)
        start = next((i + 1 for i, item in enumerate(items) if key(item) == after), -1)
        if start < 0:
            start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    chunk = list(items[start : start + limit])
    if start + limit < len(items):
        return chunk, {"Truncated": True, "NextMarker": _encode(key(chunk[-1]))}
    return chunk, {"Truncated": False}


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def _decode(marker: str) -> str:
    try:
        # validate: without it, characters outside the alphabet are skipped, and a marker of
        # nothing but those ("!!!!") would silently restart the listing.
        return base64.b64decode(marker, altchars=b"-_", validate=True).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError both are
        raise KMSError("InvalidMarkerException", "Invalid marker.") from None
