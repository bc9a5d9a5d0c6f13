"""What every operation runs with: the keystore, the caller, the crypto backend, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ..backend import Backend, Sealer
from .caller import Caller
from .errors import KMSError
from .records import KeyRecord, MaterialRecord
from .store import KeyStore


@dataclass(frozen=True)
class Runtime:
    store: KeyStore
    caller: Caller
    backend: Backend

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def current_sealer(self, key: KeyRecord) -> tuple[MaterialRecord, Sealer]:
        """The key's current material, ready to seal with."""
        current = self.store.current_material(key.arn)
        if current is None:
            # A symmetric key without material is PendingImport, refused before we get here.
            raise KMSError("KMSInternalException", f"{key.arn} has no key material.")
        record, material = current
        return record, self.backend.SealingKey(material)

    def sealer(self, key: KeyRecord, material_id: str) -> Sealer | None:
        """The sealer of one generation of the key's material, if it exists."""
        material = self.store.material(key.arn, material_id)
        return None if material is None else self.backend.SealingKey(material)
