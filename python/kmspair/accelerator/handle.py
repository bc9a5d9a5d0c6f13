"""Registering the handler on clients and sessions, and the handle that takes it all back."""

from __future__ import annotations

import threading
import uuid
import weakref
from types import TracebackType
from typing import Any

from .handler import PairGenerator
from .target import Target

_CLIENT_CLASS_EVENT = "creating-client-class.kms"
_BEFORE_CALL = "before-call"


class AccelerationHandle:
    """What :func:`kmspair.accelerate` returns: :meth:`undo` restores the real operations.

    For a client, undo unregisters its handlers. For a session, undo stops accelerating the KMS
    clients it creates from then on, and un-accelerates those it created since
    :func:`~kmspair.accelerate`. Undo is idempotent and thread-safe; the handle is also a context
    manager that undoes on exit.
    """

    def __init__(self, target: Target) -> None:
        self._id = f"kmspair-accelerator-{uuid.uuid4().hex}"
        # Its own ID: a client made by an accelerated session starts with a copy of the
        # session's emitter, whose creating-client-class handler already holds self._id, and
        # botocore silently skips a registration whose unique ID is taken.
        self._handler_id = f"{self._id}-before-call"
        self._lock = threading.Lock()
        self._active = True
        # Weak: undoing needs the clients that are still alive, and nothing must keep one alive.
        self._clients: weakref.WeakSet[Any] = weakref.WeakSet()
        self._session = target.session
        if target.client is not None:
            self._attach(target.client)
        else:
            self._session.register(_CLIENT_CLASS_EVENT, self._add_mixin, unique_id=self._id)

    @property
    def active(self) -> bool:
        """Whether the accelerator is still in place (``False`` once undone)."""
        return self._active

    def undo(self) -> None:
        """Put the real GenerateDataKeyPair(WithoutPlaintext) back. Safe to call again."""
        with self._lock:
            if not self._active:
                return
            self._active = False
            if self._session is not None:
                self._session.unregister(_CLIENT_CLASS_EVENT, unique_id=self._id)
            clients = list(self._clients)
            self._clients.clear()
        for client in clients:
            client.meta.events.unregister(_BEFORE_CALL, unique_id=self._handler_id)

    def __enter__(self) -> AccelerationHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.undo()

    def __repr__(self) -> str:
        target = "session" if self._session is not None else "client"
        state = "active" if self._active else "undone"
        return f"<AccelerationHandle {target} {state}>"

    def _attach(self, client: Any) -> None:
        with self._lock:
            if not self._active:
                return
            # On the least specific before-call event, and last on it: botocore calls handlers
            # from the most specific event to the least and stops at the first answer, so every
            # handler the caller registers for these calls (before-call, before-call.kms, the
            # operation's own event, before or after accelerate()) still sees them, and a
            # Stubber's answer comes first.
            client.meta.events.register_last(
                _BEFORE_CALL, PairGenerator(client), unique_id=self._handler_id
            )
            self._clients.add(client)

    def _add_mixin(self, base_classes: list[type], **_kwargs: Any) -> None:
        # botocore builds a new client class for every client, from these bases: a mixin whose
        # __init__ attaches the handler is the one hook that sees each new client instance.
        base_classes.insert(0, _mixin_for(self))


def _mixin_for(handle: AccelerationHandle) -> type:
    class KmspairAccelerated:
        """Attaches the kmspair accelerator to each KMS client of an accelerated session."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            handle._attach(self)

    return KmspairAccelerated
