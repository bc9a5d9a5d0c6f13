"""The end of a key's deletion waiting period: the key is deleted, as AWS deletes it.

ScheduleKeyDeletion leaves a key PendingDeletion until its DeletionDate; then AWS deletes the
key with its key material, grants and aliases, and every later request naming it, or
decrypting a ciphertext made under it, finds no key. kmspair runs no background job for this:
each local KMS looks for such keys on its first request and then at most once a minute (one
small read, a write only when a key is due), so a deleted key is gone within a minute of its
DeletionDate. Until then it behaves as pending deletion, which refuses every cryptographic use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from .store import KeyStore

SWEEP_INTERVAL_SECONDS = 60.0


class DeletionSweep:
    """Deletes the keys whose deletion date has passed, when a sweep is due."""

    def __init__(self, store: KeyStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._due = 0.0  # time.monotonic() of the next sweep: the first request sweeps

    def run_if_due(self) -> None:
        """Sweep if the last sweep is more than a minute old (a check of the clock otherwise)."""
        started = time.monotonic()
        if started < self._due:
            return
        # Set first: a concurrent request of the same local KMS does not sweep again.
        self._due = started + SWEEP_INTERVAL_SECONDS
        self._store.delete_keys_past_deletion(self._now())
