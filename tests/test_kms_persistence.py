"""The local KMS survives restarts and is shared safely between threads and processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import kmspair
from conftest import ACCOUNT, REGION


def in_new_process(home: Path, code: str, **inputs: str) -> Any:
    """Run ``code`` in another interpreter with a fresh ``kms`` client on ``home`` and the
    ``inputs`` dict; it sets ``result``, which comes back through JSON."""
    script = (
        "import json, sys, kmspair\n"
        "inputs = json.loads(sys.argv[1])\n"
        f"kms = kmspair.client(region_name={REGION!r}, account_id={ACCOUNT!r}, "
        f"home={str(home)!r})\n" + textwrap.dedent(code) + "\nprint(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(inputs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_new_process_sees_keys_aliases_states_grants_and_opens_blobs_from_before_a_rotation(
    tmp_path: Path,
) -> None:
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    key = kms.create_key(Description="orders")["KeyMetadata"]
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    grant = kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal="arn:aws:iam::444455556666:root",
        Operations=["Decrypt"],
    )
    pair = kms.generate_data_key_pair(
        KeyId="alias/orders", KeyPairSpec="ECC_NIST_P256", EncryptionContext={"order": "42"}
    )
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    kms.close()

    seen = in_new_process(
        tmp_path,
        """
        key, disabled = inputs["key"], inputs["disabled"]
        blob = bytes.fromhex(inputs["blob"])
        opened = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"order": "42"})
        fresh = kms.generate_data_key_pair(KeyId="alias/orders", KeyPairSpec="ECC_NIST_P256")
        result = {
            "description": kms.describe_key(KeyId="alias/orders")["KeyMetadata"]["Description"],
            "disabled_state": kms.describe_key(KeyId=disabled)["KeyMetadata"]["KeyState"],
            "grants": [g["GrantId"] for g in kms.list_grants(KeyId=key)["Grants"]],
            "rotations": len(kms.list_key_rotations(KeyId=key)["Rotations"]),
            "plaintext": opened["Plaintext"].hex(),
            "new_material": fresh["KeyMaterialId"],
        }
        """,
        key=key["KeyId"],
        disabled=disabled["KeyId"],
        blob=pair["PrivateKeyCiphertextBlob"].hex(),
    )
    assert seen["description"] == "orders"
    assert seen["disabled_state"] == "Disabled"
    assert seen["grants"] == [grant["GrantId"]]
    assert seen["rotations"] == 1
    assert bytes.fromhex(seen["plaintext"]) == pair["PrivateKeyPlaintext"]
    assert seen["new_material"] != pair["KeyMaterialId"]


def test_every_call_sees_what_another_client_did_to_the_key_just_before(tmp_path: Path) -> None:
    # Two clients on one home hold separate keystore connections, as two processes do.
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    other = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    calls: dict[str, Callable[[], dict[str, Any]]] = {
        "pair": lambda: kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256"),
        "data key": lambda: kms.generate_data_key(KeyId=key, KeySpec="AES_256"),
        "encrypt": lambda: kms.encrypt(KeyId=key, Plaintext=b"secret"),
    }
    for name, call in calls.items():
        before = call()["KeyId"]
        other.disable_key(KeyId=key)
        with pytest.raises(kms.exceptions.DisabledException):
            call()
        other.enable_key(KeyId=key)
        assert call()["KeyId"] == before, name
    material = calls["pair"]()["KeyMaterialId"]
    other.rotate_key_on_demand(KeyId=key)
    rotated = calls["pair"]()["KeyMaterialId"]
    assert rotated != material
    assert calls["data key"]()["KeyMaterialId"] == rotated
    other.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    for call in calls.values():
        with pytest.raises(kms.exceptions.KMSInvalidStateException):
            call()
    kms.close()
    other.close()


def test_threads_creating_keys_and_aliases_and_generating_pairs_at_once_stay_consistent(
    tmp_path: Path,
) -> None:
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    shared = kms.create_key()["KeyMetadata"]["KeyId"]

    def work(worker: int) -> list[bytes]:
        key = kms.create_key(Description=f"worker {worker}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/worker-{worker}", TargetKeyId=key)
        blobs = []
        for spec in ("ECC_NIST_P256", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"):
            for key_id in (shared, f"alias/worker-{worker}"):
                pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)
                assert (
                    kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
                    == pair["PrivateKeyPlaintext"]
                )
                blobs.append(pair["PrivateKeyCiphertextBlob"])
        return blobs

    with ThreadPoolExecutor(max_workers=8) as pool:
        blobs = [b for chunk in pool.map(work, range(16)) for b in chunk]
    assert len(set(blobs)) == 16 * 6
    assert len(kms.list_keys(Limit=1000)["Keys"]) == 17
    aliases = kms.list_aliases(Limit=100)["Aliases"]
    assert sorted(a["AliasName"] for a in aliases) == sorted(f"alias/worker-{i}" for i in range(16))


def test_processes_racing_for_one_alias_leave_exactly_one_winner_and_every_key(
    tmp_path: Path,
) -> None:
    kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path).close()
    code = """
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        try:
            kms.create_alias(AliasName="alias/contested", TargetKeyId=key)
            won = True
        except kms.exceptions.AlreadyExistsException:
            won = False
        pair = kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P384")
        opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
        result = {"key": key, "won": won, "ok": opened == pair["PrivateKeyPlaintext"]}
    """
    script = (
        "import json, kmspair\n"
        f"kms = kmspair.client(region_name={REGION!r}, account_id={ACCOUNT!r}, "
        f"home={str(tmp_path)!r})\n" + textwrap.dedent(code) + "\nprint(json.dumps(result))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    results = [json.loads(p.communicate()[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(r["won"] for r in results) == 1
    assert all(r["ok"] for r in results)
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}
    assert listed == {r["key"] for r in results}
    winner = next(r["key"] for r in results if r["won"])
    assert kms.describe_key(KeyId="alias/contested")["KeyMetadata"]["KeyId"] == winner
