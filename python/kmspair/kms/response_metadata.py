"""The values every response carries besides its body: a request ID and the HTTP ``Date``.

Each front end (the in-process client, the botocore-served client, the HTTP endpoint) makes both
for every request, so both are made here cheaply: the request ID without ``uuid.UUID``'s object,
and the date formatted once per second rather than once per response.
"""

from __future__ import annotations

import email.utils
import os
import time


def new_request_id() -> str:
    """A random (version 4) UUID in its usual text form, as ``str(uuid.uuid4())`` gives, in a
    fraction of its time: one is made for every request."""
    text = os.urandom(16).hex()
    # The version nibble becomes 4 and the top two bits of the variant nibble 10, as uuid4 sets.
    variant = "89ab"[int(text[16], 16) & 3]
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{variant}{text[17:20]}-{text[20:]}"


# (second, its formatted date), replaced as a whole so threads never see half an update.
_date_cache: tuple[int, str] = (-1, "")


def http_date(second: int | None = None) -> str:
    """The RFC 7231 date of ``second`` (default: now), as ``email.utils.formatdate(usegmt=True)``
    gives it; a date has a resolution of one second, so it is formatted once per second."""
    global _date_cache
    if second is None:
        second = int(time.time())
    cached_second, text = _date_cache
    if cached_second != second:
        text = email.utils.formatdate(second, usegmt=True)
        _date_cache = (second, text)
    return text
