"""What every operation runs with: the keystore, the caller, the crypto backend, the clock.

Sealers (the key material of one generation, ready to seal and open with) are cached per
process and per keystore, keyed by backend, key ARN and key material ID. That is safe because a
generation's material never changes once stored, and no row of it is ever deleted: the cache can
only lack an entry, never hold a wrong one. Which generation is *current* is still asked of the
keystore on every request, so a rotation by another process (or another client of this one) is
used at once (it is read with the key, see ``keyid.resolve_key_for_sealing``; the keystore
answers from its own cache only while the database is unchanged, see ``keystore_cache.py``),
and the key's state (disabled, pending deletion) is checked on that freshly read key before any
sealer is looked up. What the cache saves is the per-request opening of the material
under the root key and the setting up of a new sealing key.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone

from ..backend import Backend, Sealer
from .caller import Caller
from .errors import KMSError
from .records import KeyRecord
from .store import KeyStore

# Sealers kept per keystore: each is the expanded key of one generation, so a bound keeps the
# memory (and the material held in the clear) small when a keystore has many keys.
SEALER_CACHE_SIZE = 1024


class SealerCache:
    """A bounded, thread-safe LRU of sealers by (backend, key ARN, key material ID)."""

    def __init__(self, size: int = SEALER_CACHE_SIZE) -> None:
        self._size = size
        self._sealers: OrderedDict[tuple[int, str, str], Sealer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, backend: Backend, arn: str, material_id: str) -> Sealer | None:
        """The cached sealer, or None."""
        # A sealer only works with functions of the backend that made it, hence the backend.
        entry = (id(backend), arn, material_id)
        with self._lock:
            sealer = self._sealers.get(entry)
            if sealer is not None:
                self._sealers.move_to_end(entry)
            return sealer

    def put(self, backend: Backend, arn: str, material_id: str, sealer: Sealer) -> None:
        with self._lock:
            self._sealers[(id(backend), arn, material_id)] = sealer
            while len(self._sealers) > self._size:
                self._sealers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._sealers.clear()

    def __len__(self) -> int:
        return len(self._sealers)


_caches: weakref.WeakKeyDictionary[KeyStore, SealerCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def sealer_cache(store: KeyStore) -> SealerCache:
    """The sealer cache of ``store`` (one per keystore object, gone with it)."""
    cache = _caches.get(store)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(store, SealerCache())
    return cache


@dataclass(frozen=True)
class Runtime:
    store: KeyStore
    caller: Caller
    backend: Backend

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def current_sealer(self, key: KeyRecord, material_id: str | None) -> tuple[str, Sealer]:
        """The ID and the sealer of the key's current material, whose ID ``material_id`` was
        read with the key itself (:func:`~kmspair.kms.keyid.resolve_key_for_sealing`)."""
        if material_id is None:
            # A symmetric key without material is PendingImport, refused before we get here.
            raise KMSError("KMSInternalException", f"{key.arn} has no key material.")
        sealer = self.sealer(key, material_id)
        if sealer is None:
            # Material rows are never deleted, so the current one cannot vanish meanwhile.
            raise KMSError("KMSInternalException", f"{key.arn} has no key material.")
        return material_id, sealer

    def sealer(self, key: KeyRecord, material_id: str) -> Sealer | None:
        """The sealer of one generation of the key's material, if it exists."""
        cache = sealer_cache(self.store)
        sealer = cache.get(self.backend, key.arn, material_id)
        if sealer is None:
            material = self.store.material(key.arn, material_id)
            if material is None:
                return None
            sealer = self.backend.SealingKey(material)
            cache.put(self.backend, key.arn, material_id, sealer)
        return sealer
