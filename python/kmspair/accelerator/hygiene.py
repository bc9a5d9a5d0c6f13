"""Keeping a generated private key from outliving its use where Python lets us.

Python cannot wipe ``bytes``. What can be done, and is done here:

* the handler's own copy of the key is a ``bytearray``, and that same object is what botocore
  is given as ``Encrypt``'s ``Plaintext``; it is zeroed as soon as the call is over, so any
  botocore frame, history record or exception that still references the parameters sees zeros;
* an exception escaping ``Encrypt`` (a timeout, a dropped connection) loses the tracebacks of its
  chain, whose botocore frames hold the serialized request, and its ``request`` attribute
  (botocore's ``HTTPClientError`` keeps the prepared request, body and all);
* botocore's DEBUG record of the request it is about to send (``botocore.endpoint``: "Making
  request ... with params", the body in full) is redacted for that ``Encrypt``: the operation
  the caller called, GenerateDataKeyPairWithoutPlaintext above all, never carries the private
  key in a request, so without this a DEBUG log would hold a key the real call never logs.

What remains is stated in docs/accelerator.md: the ``bytes`` the key generator returned (freed at
once, not zeroed), botocore's serialized and signed request body (base64 of the key), and the
``PrivateKeyPlaintext`` handed to the caller.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, HTTPClientError

#: Set while this thread (or task) sends an Encrypt whose Plaintext is a generated private key.
_SENDING_A_KEY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kmspair_sending_a_key", default=False
)
_REDACTED_BODY = b"<redacted by kmspair: the Plaintext is a generated private key>"


def wipe(secret: bytearray) -> None:
    """Overwrite ``secret`` with zeros in place (its length is kept)."""
    secret[:] = bytes(len(secret))


def scrub(error: BaseException) -> BaseException:
    """``error`` without tracebacks or request objects anywhere in its chain; returns it."""
    seen: set[int] = set()
    current: BaseException | None = error
    pending: list[BaseException] = []
    while current is not None:
        if id(current) not in seen:
            seen.add(id(current))
            current.__traceback__ = None
            if isinstance(current, HTTPClientError):
                current.request = None
            linked: list[object] = [current.__cause__, current.__context__]
            if isinstance(current, BotoCoreError):
                # botocore keeps the underlying exception in kwargs["error"], not only as context.
                linked.extend(current.kwargs.values())
            pending.extend(item for item in linked if isinstance(item, BaseException))
        current = pending.pop() if pending else None
    return error


class _RedactKeyRequests(logging.Filter):
    """Replaces the body in botocore's "Making request" record while a key is being sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SENDING_A_KEY.get() and isinstance(record.args, tuple) and len(record.args) == 2:
            model, request = record.args
            if isinstance(request, dict) and "body" in request:
                record.args = (model, {**request, "body": _REDACTED_BODY})
        return True


_REDACTOR = _RedactKeyRequests()


@contextlib.contextmanager
def unlogged_request() -> Iterator[None]:
    """While inside, botocore's DEBUG log of a request being sent shows no body."""
    logger = logging.getLogger("botocore.endpoint")
    if _REDACTOR not in logger.filters:
        logger.addFilter(_REDACTOR)  # once per process; inert outside this context
    token = _SENDING_A_KEY.set(True)
    try:
        yield
    finally:
        _SENDING_A_KEY.reset(token)
