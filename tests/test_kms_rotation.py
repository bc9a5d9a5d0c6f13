"""Rotation of a key's material as AWS KMS does it (behaviour spec §6): RotateKeyOnDemand makes new
material, new data is sealed under it, older ciphertexts keep decrypting, ListKeyRotations lists
every rotation.

Every test runs through ``kmspair.client`` and ``kmspair.boto3_client`` (the ``kms`` fixture).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conftest import create, describe, error_of

MATERIAL_ID = re.compile(r"^[0-9a-f]{64}$")


def material_of(kms: Any, key_id: str) -> str:
    """The KeyMaterialId the key seals new data under now."""
    material: str = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")["KeyMaterialId"]
    return material


def test_rotate_key_on_demand_returns_the_key_arn(kms: Any) -> None:
    key = create(kms)
    assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["Arn"]


def test_rotate_key_on_demand_changes_the_key_material_id(kms: Any) -> None:
    key = create(kms)
    before = material_of(kms, key["KeyId"])
    assert before == key["CurrentKeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    after = material_of(kms, key["KeyId"])
    assert MATERIAL_ID.match(after)
    assert after != before
    assert describe(kms, key["KeyId"])["CurrentKeyMaterialId"] == after


def test_ciphertexts_from_before_a_rotation_still_decrypt_with_their_own_key_material_id(
    kms: Any,
) -> None:
    key = create(kms)
    blobs = []
    for round_ in range(3):
        made = kms.generate_data_key(
            KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext={"round": str(round_)}
        )
        blobs.append((round_, made))
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
    assert len({made["KeyMaterialId"] for _, made in blobs}) == 3
    for round_, made in blobs:
        opened = kms.decrypt(
            CiphertextBlob=made["CiphertextBlob"], EncryptionContext={"round": str(round_)}
        )
        assert opened["Plaintext"] == made["Plaintext"]
        assert opened["KeyMaterialId"] == made["KeyMaterialId"]


def test_list_key_rotations_lists_each_on_demand_rotation(kms: Any) -> None:
    key = create(kms)
    original = key["CurrentKeyMaterialId"]
    assert kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"] == []
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    first = material_of(kms, key["KeyId"])
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    second = material_of(kms, key["KeyId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["KeyMaterialId"] for r in rotations] == [first, second]
    assert original not in [r["KeyMaterialId"] for r in rotations]
    assert {r["RotationType"] for r in rotations} == {"ON_DEMAND"}
    assert {r["KeyId"] for r in rotations} == {key["KeyId"]}
    assert all(isinstance(r["RotationDate"], datetime) for r in rotations)
    assert [r["KeyMaterialState"] for r in rotations] == ["NON_CURRENT", "CURRENT"]


def test_list_key_rotations_with_all_key_material_includes_the_original(kms: Any) -> None:
    key = create(kms)
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")
    ids = [r["KeyMaterialId"] for r in rotations["Rotations"]]
    assert ids[0] == key["CurrentKeyMaterialId"]
    assert len(ids) == 2


def test_list_key_rotations_pages_with_limit_and_marker(kms: Any) -> None:
    key = create(kms)
    for _ in range(3):
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
    first = kms.list_key_rotations(KeyId=key["KeyId"], Limit=2)
    assert (len(first["Rotations"]), first["Truncated"]) == (2, True)
    second = kms.list_key_rotations(KeyId=key["KeyId"], Limit=2, Marker=first["NextMarker"])
    assert (len(second["Rotations"]), second["Truncated"]) == (1, False)
    ids = [r["KeyMaterialId"] for r in first["Rotations"] + second["Rotations"]]
    assert len(set(ids)) == 3


def test_rotate_key_on_demand_refuses_an_asymmetric_key(kms: Any) -> None:
    key = create(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    code, _ = error_of(lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]))
    assert code == "UnsupportedOperationException"
