"""The per-process sealer cache (kms/runtime.py) never changes what a request does: the current
material is the keystore's, rotated by another process or client, and a key disabled or pending
deletion elsewhere is refused even though its sealer is cached here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, REGION
from kmspair.backend import resolve
from kmspair.kms.errors import KMSError
from kmspair.kms.runtime import SealerCache, sealer_cache
from kmspair.kms.service import LocalKMS
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.server import Server
from server_helpers import kms_client


def local(store: SQLiteKeyStore) -> LocalKMS:
    return LocalKMS(store, region=REGION, account_id=ACCOUNT)


def in_other_process(home: Path, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """``operation`` run by a separate Python process on the keystore in ``home``."""
    script = (
        "import json, sys\n"
        "from kmspair.kms.service import open_local_kms\n"
        f"kms = open_local_kms(region={REGION!r}, account_id={ACCOUNT!r}, home=sys.argv[1])\n"
        "print(json.dumps(kms.call(sys.argv[2], json.loads(sys.argv[3])), default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(home), operation, json.dumps(params)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KMSPAIR_HOME": str(home)},
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def pair(kms: LocalKMS, key: str) -> dict[str, Any]:
    return kms.call("GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"})


def test_a_rotation_in_another_process_is_used_at_once(home: Path, store: SQLiteKeyStore) -> None:
    kms = local(store)
    key = kms.call("CreateKey", {})["KeyMetadata"]["Arn"]
    first = pair(kms, key)["KeyMaterialId"]
    old_blob = kms.call("Encrypt", {"KeyId": key, "Plaintext": b"old"})["CiphertextBlob"]
    assert len(sealer_cache(store)) == 1

    in_other_process(home, "RotateKeyOnDemand", {"KeyId": key})
    current = kms.call("DescribeKey", {"KeyId": key})["KeyMetadata"]["CurrentKeyMaterialId"]

    assert current != first
    assert pair(kms, key)["KeyMaterialId"] == current
    new_blob = kms.call("Encrypt", {"KeyId": key, "Plaintext": b"new"})["CiphertextBlob"]
    # Both generations still open, each with its own material.
    assert kms.call("Decrypt", {"CiphertextBlob": old_blob})["Plaintext"] == b"old"
    assert kms.call("Decrypt", {"CiphertextBlob": new_blob})["KeyMaterialId"] == current
    assert len(sealer_cache(store)) == 2


def test_a_key_disabled_in_another_process_is_refused(home: Path, store: SQLiteKeyStore) -> None:
    kms = local(store)
    key = kms.call("CreateKey", {})["KeyMetadata"]["Arn"]
    blob = kms.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})["CiphertextBlob"]
    pair(kms, key)  # its sealer is cached now

    in_other_process(home, "DisableKey", {"KeyId": key})

    requests: list[tuple[str, dict[str, Any]]] = [
        ("GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"}),
        ("Decrypt", {"CiphertextBlob": blob}),
        ("Encrypt", {"KeyId": key, "Plaintext": b"x"}),
    ]
    for operation, params in requests:
        with pytest.raises(KMSError) as refused:
            kms.call(operation, params)
        assert refused.value.code == "DisabledException"


def test_a_key_pending_deletion_elsewhere_is_refused(home: Path, store: SQLiteKeyStore) -> None:
    kms = local(store)
    key = kms.call("CreateKey", {})["KeyMetadata"]["Arn"]
    pair(kms, key)

    in_other_process(home, "ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7})

    with pytest.raises(KMSError) as refused:
        pair(kms, key)
    assert refused.value.code == "KMSInvalidStateException"
    assert "pending deletion" in str(refused.value.message)


def test_the_cache_belongs_to_one_keystore_object(home: Path, store: SQLiteKeyStore) -> None:
    kms = local(store)
    key = kms.call("CreateKey", {})["KeyMetadata"]["Arn"]
    pair(kms, key)
    with SQLiteKeyStore.open(home) as other:
        assert len(sealer_cache(other)) == 0
        pair(local(other), key)
        assert sealer_cache(other) is not sealer_cache(store)


def test_the_cache_is_a_bounded_lru() -> None:
    backend = resolve()
    cache = SealerCache(size=2)
    sealers = [backend.SealingKey(bytes([n]) * 32) for n in range(3)]
    cache.put(backend, "a", "1", sealers[0])
    cache.put(backend, "b", "1", sealers[1])
    assert cache.get(backend, "a", "1") is sealers[0]  # now the most recently used
    cache.put(backend, "c", "1", sealers[2])
    assert cache.get(backend, "b", "1") is None
    assert cache.get(backend, "a", "1") is sealers[0]
    assert cache.get(backend, "c", "1") is sealers[2]
    # A sealer only works with its own backend's functions: another backend misses.
    assert cache.get(resolve("python"), "a", "1") is None


def test_the_endpoint_uses_a_rotation_made_by_another_process(home: Path) -> None:
    with Server(port=0, home=home).start() as server:
        client = kms_client(server.url)
        key = client.create_key()["KeyMetadata"]["Arn"]
        first = client.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256")
        in_other_process(home, "RotateKeyOnDemand", {"KeyId": key})
        second = client.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256")
        current = client.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"]
        assert first["KeyMaterialId"] != current == second["KeyMaterialId"]

        in_other_process(home, "DisableKey", {"KeyId": key})
        with pytest.raises(client.exceptions.DisabledException):
            client.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256")
