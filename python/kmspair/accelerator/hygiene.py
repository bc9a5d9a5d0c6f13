"""Keeping a generated private key from outliving its use where Python lets us.

Python cannot wipe ``bytes``. What can be done, and is done here:

* the handler's own copy of the key is a ``bytearray``, and that same object is what botocore
  is given as ``Encrypt``'s ``Plaintext``; it is zeroed as soon as the call is over, so any
  botocore frame, history record or exception that still references the parameters sees zeros;
* an exception escaping ``Encrypt`` (a timeout, a dropped connection) loses the tracebacks of its
  chain, whose botocore frames hold the serialized request, and its ``request`` attribute
  (botocore's ``HTTPClientError`` keeps the prepared request, body and all).

What remains is stated in docs/accelerator.md: the ``bytes`` the key generator returned (freed at
once, not zeroed), botocore's serialized and signed request body (base64 of the key), and the
``PrivateKeyPlaintext`` handed to the caller.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, HTTPClientError


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
