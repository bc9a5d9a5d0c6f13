"""Whether single RSA pairs yield the cores to shorter requests.

An RSA pair that the key pool cannot supply costs a prime search: 50 ms to over a second of one
core. In a server, at normal priority, each search in progress takes its share of the cores from
requests a thousand times shorter (ECC pairs, Decrypt), whose latency then grows with the RSA
load. ``kmspair serve`` therefore runs those searches on threads of background priority (nice
10, as the pool's own threads), so a short request gets a core as soon as it needs one; with no
short request waiting, an RSA search runs as fast as before (its thread costs tens of
microseconds to start). Library callers keep the default: their RSA pair is generated on the
calling thread at its own priority.

Linux only (elsewhere a thread's priority is its process's); a no-op with the pure-Python
backend.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .backend import load_native
from .exceptions import BackendUnavailableError


@contextlib.contextmanager
def slow_keys_in_background() -> Iterator[None]:
    """Within the block, this process generates single RSA pairs at background priority; after
    it, as before it."""
    try:
        native = load_native()
    except BackendUnavailableError:
        yield
        return
    previous = native.set_slow_keys_in_background(True)
    try:
        yield
    finally:
        native.set_slow_keys_in_background(previous)
