"""Key management as AWS KMS does it (behaviour spec §3, §4): CreateKey, DescribeKey, ListKeys,
EnableKey / DisableKey, key deletion (rotation: test_kms_rotation.py; key policies:
test_kms_policies.py).

Every test runs through ``kmspair.client`` and ``kmspair.boto3_client`` (the ``kms`` fixture).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
import pytest

from conftest import ACCOUNT, REGION, create, describe, error_of

KEY_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MATERIAL_ID = re.compile(r"^[0-9a-f]{64}$")

# Spec §4: the KeySpec enum list exactly as real AWS printed it (2023), in its order.
REAL_KEY_SPEC_ORDER = (
    "RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, "
    "ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512"
)


# CreateKey


def test_create_key_defaults_to_an_enabled_symmetric_encryption_key(kms: Any) -> None:
    key = create(kms)
    assert key["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert key["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert key["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert key["Enabled"] is True
    assert key["KeyState"] == "Enabled"
    assert key["KeyManager"] == "CUSTOMER"
    assert key["Origin"] == "AWS_KMS"
    assert key["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert key["MultiRegion"] is False
    assert key["AWSAccountId"] == ACCOUNT


def test_create_key_returns_a_uuid_key_id_and_its_arn(kms: Any) -> None:
    key = create(kms)
    assert KEY_ID.match(key["KeyId"])
    assert key["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key['KeyId']}"


def test_create_key_sets_creation_date_to_now(kms: Any) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    key = create(kms)
    assert before <= key["CreationDate"] <= datetime.now(timezone.utc) + timedelta(seconds=5)


def test_create_key_keeps_the_description(kms: Any) -> None:
    key = create(kms, Description="orders")
    assert key["Description"] == "orders"
    assert describe(kms, key["KeyId"])["Description"] == "orders"


def test_create_key_gives_a_symmetric_key_a_current_key_material_id(kms: Any) -> None:
    key = create(kms)
    assert MATERIAL_ID.match(key["CurrentKeyMaterialId"])


def test_each_created_key_is_a_new_key(kms: Any) -> None:
    assert len({create(kms)["KeyId"] for _ in range(5)}) == 5


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1", "HMAC_256"])
def test_create_key_refuses_an_asymmetric_or_hmac_key_without_key_usage(
    kms: Any, spec: str
) -> None:
    assert error_of(lambda: kms.create_key(KeySpec=spec)) == (
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    )


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
        ("HMAC_256", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "KEY_AGREEMENT"),
        ("RSA_4096", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
        ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
        ("ECC_NIST_EDWARDS25519", "ENCRYPT_DECRYPT"),
    ],
)
def test_create_key_refuses_a_key_usage_incompatible_with_the_key_spec(
    kms: Any, spec: str, usage: str
) -> None:
    assert error_of(lambda: kms.create_key(KeySpec=spec, KeyUsage=usage)) == (
        "ValidationException",
        f"KeyUsage {usage} is not compatible with KeySpec {spec}.",
    )


@pytest.mark.parametrize(
    ("spec", "usage", "algorithms"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT", {"EncryptionAlgorithms"}),
        ("RSA_3072", "SIGN_VERIFY", {"SigningAlgorithms"}),
        ("ECC_NIST_P256", "SIGN_VERIFY", {"SigningAlgorithms"}),
        ("ECC_NIST_P384", "KEY_AGREEMENT", {"KeyAgreementAlgorithms"}),
        ("ECC_SECG_P256K1", "SIGN_VERIFY", {"SigningAlgorithms"}),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", {"SigningAlgorithms"}),
        ("HMAC_512", "GENERATE_VERIFY_MAC", {"MacAlgorithms"}),
    ],
)
def test_create_key_accepts_a_valid_key_spec_and_usage_pair_and_lists_its_algorithms(
    kms: Any, spec: str, usage: str, algorithms: set[str]
) -> None:
    key = create(kms, KeySpec=spec, KeyUsage=usage)
    assert (key["KeySpec"], key["KeyUsage"], key["KeyState"]) == (spec, usage, "Enabled")
    kinds = ("EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "MacAlgorithms")
    assert {kind for kind in kinds if kind in key} == algorithms


@pytest.mark.parametrize("legacy", ["SYMMETRIC_DEFAULT", "RSA_2048"])
def test_create_key_refuses_key_spec_and_the_deprecated_customer_master_key_spec_together(
    kms: Any, legacy: str
) -> None:
    both = {"KeySpec": "SYMMETRIC_DEFAULT", "CustomerMasterKeySpec": legacy}
    assert error_of(lambda: kms.create_key(**both)) == (
        "ValidationException",
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
        "CustomerMasterKeySpec is deprecated.",
    )
    assert kms.list_keys()["Keys"] == []


def test_create_key_takes_the_deprecated_customer_master_key_spec_alone(kms: Any) -> None:
    key = create(kms, CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    assert (key["KeySpec"], key["CustomerMasterKeySpec"]) == ("RSA_2048", "RSA_2048")


def test_create_key_hmac_key_lists_its_mac_algorithm(kms: Any) -> None:
    key = create(kms, KeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC")
    assert key["MacAlgorithms"] == ["HMAC_SHA_384"]


def test_create_key_refuses_an_unknown_key_spec_with_the_real_enum_list_order(kms: Any) -> None:
    code, message = error_of(lambda: kms.create_key(KeySpec="HMAC_random"))
    assert code == "ValidationException"
    # Spec §4's list is AWS's 2023 list, which predates the newer specs: those follow it.
    model_specs = botocore.session.get_session().get_service_model("kms").shape_for("KeySpec").enum
    newer = [spec for spec in model_specs if spec not in REAL_KEY_SPEC_ORDER.split(", ")]
    assert message == (
        "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{REAL_KEY_SPEC_ORDER}"
        + "".join(f", {spec}" for spec in newer)
        + "]"
    )


def test_create_key_with_external_origin_is_pending_import_and_not_enabled(kms: Any) -> None:
    key = create(kms, Origin="EXTERNAL")
    assert (key["Origin"], key["KeyState"], key["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    described = describe(kms, key["KeyId"])
    assert (described["KeyState"], described["Enabled"]) == ("PendingImport", False)


def test_a_pending_import_key_cannot_encrypt(kms: Any) -> None:
    key = create(kms, Origin="EXTERNAL")
    assert error_of(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending import.",
    )


def test_create_key_multi_region_gives_an_mrk_key_id(kms: Any) -> None:
    key = create(kms, MultiRegion=True)
    assert re.match(r"^mrk-[0-9a-f]{32}$", key["KeyId"])
    assert key["MultiRegion"] is True
    assert key["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key['KeyId']}"
    assert describe(kms, key["KeyId"])["Arn"] == key["Arn"]


def test_create_key_refuses_sm2_outside_the_china_regions(kms: Any) -> None:
    code, _ = error_of(lambda: kms.create_key(KeySpec="SM2", KeyUsage="ENCRYPT_DECRYPT"))
    assert code == "UnsupportedOperationException"


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1"])
def test_create_key_sm2_in_a_china_region_has_an_aws_cn_arn(
    make_client: Callable[..., Any], region: str
) -> None:
    china = make_client(region_name=region)
    key = create(china, KeySpec="SM2", KeyUsage="ENCRYPT_DECRYPT")
    assert key["KeySpec"] == "SM2"
    assert key["Arn"] == f"arn:aws-cn:kms:{region}:{ACCOUNT}:key/{key['KeyId']}"
    assert key["EncryptionAlgorithms"] == ["SM2PKE"]


def test_a_symmetric_key_in_a_china_region_has_an_aws_cn_arn(
    make_client: Callable[..., Any],
) -> None:
    key = create(make_client(region_name="cn-north-1"))
    assert key["Arn"].startswith(f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/")


# DescribeKey


@pytest.mark.parametrize("form", ["key ID", "key ARN", "alias name", "alias ARN"])
def test_describe_key_finds_the_key_by_every_key_id_form(kms: Any, form: str) -> None:
    key = create(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    key_id = {
        "key ID": key["KeyId"],
        "key ARN": key["Arn"],
        "alias name": "alias/orders",
        "alias ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders",
    }[form]
    described = describe(kms, key_id)
    assert (described["KeyId"], described["Arn"]) == (key["KeyId"], key["Arn"])


def test_describe_key_of_a_missing_key_names_its_arn(kms: Any) -> None:
    missing = "0b9f4e5c-1a2b-4c3d-8e9f-0123456789ab"
    assert error_of(lambda: kms.describe_key(KeyId=missing)) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist",
    )


@pytest.mark.parametrize("key_id", ["fake-key-id", "0b9f4e5c1a2b4c3d8e9f0123456789ab"])
def test_describe_key_of_a_malformed_key_id_is_invalid_key_id(kms: Any, key_id: str) -> None:
    assert error_of(lambda: kms.describe_key(KeyId=key_id)) == (
        "NotFoundException",
        f"Invalid keyId '{key_id}'",
    )


def test_describe_key_of_a_missing_alias_names_the_alias_arn(kms: Any) -> None:
    assert error_of(lambda: kms.describe_key(KeyId="alias/nothing")) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nothing is not found.",
    )


def test_describe_key_by_an_arn_of_another_region_is_invalid_arn(kms: Any) -> None:
    key = create(kms)
    other_region = key["Arn"].replace(REGION, "us-west-2")
    assert error_of(lambda: kms.describe_key(KeyId=other_region)) == (
        "NotFoundException",
        "Invalid arn us-west-2",
    )


# ListKeys


def test_list_keys_lists_every_key_with_its_arn(kms: Any) -> None:
    keys = [create(kms) for _ in range(3)]
    listed = kms.list_keys()
    assert listed["Truncated"] is False
    assert "NextMarker" not in listed
    assert sorted((k["KeyId"], k["KeyArn"]) for k in listed["Keys"]) == sorted(
        (k["KeyId"], k["Arn"]) for k in keys
    )


def test_list_keys_of_an_empty_keystore_is_empty(kms: Any) -> None:
    listed = kms.list_keys()
    assert (listed["Keys"], listed["Truncated"]) == ([], False)


def test_list_keys_pages_with_limit_and_marker_without_repeats_or_gaps(kms: Any) -> None:
    created = {create(kms)["KeyId"] for _ in range(7)}
    pages: list[list[str]] = []
    truncated: list[bool] = []
    params: dict[str, Any] = {"Limit": 3}
    while True:
        page = kms.list_keys(**params)
        pages.append([k["KeyId"] for k in page["Keys"]])
        truncated.append(page["Truncated"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        params["Marker"] = page["NextMarker"]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert truncated == [True, True, False]
    listed = [key_id for p in pages for key_id in p]
    assert len(listed) == len(set(listed))
    assert set(listed) == created


def test_list_keys_limit_equal_to_the_count_is_one_untruncated_page(kms: Any) -> None:
    for _ in range(3):
        create(kms)
    page = kms.list_keys(Limit=3)
    assert (len(page["Keys"]), page["Truncated"]) == (3, False)


def test_list_keys_paginator_walks_every_page(kms: Any) -> None:
    created = {create(kms)["KeyId"] for _ in range(5)}
    pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [k["KeyId"] for p in pages for k in p["Keys"]] == list(
        dict.fromkeys(k["KeyId"] for p in pages for k in p["Keys"])
    )
    assert {k["KeyId"] for p in pages for k in p["Keys"]} == created


def test_list_keys_with_a_marker_that_is_not_base64_is_invalid_marker(kms: Any) -> None:
    create(kms)
    assert error_of(lambda: kms.list_keys(Marker="!!!!")) == (
        "InvalidMarkerException",
        "Invalid marker.",
    )


def test_list_keys_shows_only_the_callers_account_and_region(
    kms: Any, make_client: Callable[..., Any]
) -> None:
    mine = create(kms)
    create(make_client(account_id="444455556666"))
    create(make_client(region_name="eu-west-1"))
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [mine["KeyId"]]


# EnableKey / DisableKey


def test_disable_key_makes_the_key_disabled(kms: Any) -> None:
    key = create(kms)
    kms.disable_key(KeyId=key["KeyId"])
    described = describe(kms, key["KeyId"])
    assert (described["KeyState"], described["Enabled"]) == ("Disabled", False)


def test_a_disabled_key_cannot_encrypt(kms: Any) -> None:
    key = create(kms)
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")) == (
        "DisabledException",
        f"{key['Arn']} is disabled.",
    )


def test_a_disabled_key_cannot_decrypt(kms: Any) -> None:
    key = create(kms)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob)) == (
        "DisabledException",
        f"{key['Arn']} is disabled.",
    )


def test_enable_key_makes_a_disabled_key_usable_again(kms: Any) -> None:
    key = create(kms)
    kms.disable_key(KeyId=key["KeyId"])
    kms.enable_key(KeyId=key["KeyId"])
    described = describe(kms, key["KeyId"])
    assert (described["KeyState"], described["Enabled"]) == ("Enabled", True)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_enable_and_disable_key_accept_an_alias(kms: Any) -> None:
    key = create(kms)
    kms.create_alias(AliasName="alias/toggle", TargetKeyId=key["KeyId"])
    kms.disable_key(KeyId="alias/toggle")
    assert describe(kms, key["KeyId"])["KeyState"] == "Disabled"
    kms.enable_key(KeyId="alias/toggle")
    assert describe(kms, key["KeyId"])["KeyState"] == "Enabled"


# ScheduleKeyDeletion / CancelKeyDeletion


def test_schedule_key_deletion_defaults_to_a_30_day_window(kms: Any) -> None:
    key = create(kms)
    before = datetime.now(timezone.utc)
    response = kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert response["KeyId"] == key["Arn"]
    assert response["KeyState"] == "PendingDeletion"
    assert response["PendingWindowInDays"] == 30
    expected = before + timedelta(days=30)
    assert abs(response["DeletionDate"] - expected) < timedelta(minutes=1)


@pytest.mark.parametrize("days", [7, 30])
def test_schedule_key_deletion_accepts_a_window_of_7_to_30_days(kms: Any, days: int) -> None:
    key = create(kms)
    before = datetime.now(timezone.utc)
    response = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=days)
    assert response["PendingWindowInDays"] == days
    assert abs(response["DeletionDate"] - (before + timedelta(days=days))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("days", "bound"), [(6, "greater than or equal to 7"), (31, "less than or equal to 30")]
)
def test_schedule_key_deletion_refuses_a_window_outside_7_to_30_days(
    kms: Any, days: int, bound: str
) -> None:
    key = create(kms)
    assert error_of(
        lambda: kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=days)
    ) == (
        "ValidationException",
        f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to "
        f"satisfy constraint: Member must have value {bound}",
    )
    assert describe(kms, key["KeyId"])["KeyState"] == "Enabled"


def test_a_key_pending_deletion_is_described_as_not_enabled_with_its_deletion_date(
    kms: Any,
) -> None:
    key = create(kms)
    scheduled = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    described = describe(kms, key["KeyId"])
    assert (described["KeyState"], described["Enabled"]) == ("PendingDeletion", False)
    assert described["DeletionDate"] == scheduled["DeletionDate"]
    assert described["PendingDeletionWindowInDays"] == 7


def test_a_key_pending_deletion_cannot_encrypt(kms: Any) -> None:
    key = create(kms)
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert error_of(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending deletion.",
    )


def test_cancel_key_deletion_leaves_the_key_disabled(kms: Any) -> None:
    key = create(kms)
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
    described = describe(kms, key["KeyId"])
    assert (described["KeyState"], described["Enabled"]) == ("Disabled", False)
    assert "DeletionDate" not in described
    assert "PendingDeletionWindowInDays" not in described


def test_a_key_whose_deletion_was_cancelled_works_once_enabled(kms: Any) -> None:
    key = create(kms)
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    kms.enable_key(KeyId=key["KeyId"])
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"back")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"back"


def test_cancel_key_deletion_of_a_key_awaiting_imported_material_leaves_it_pending_import(
    kms: Any,
) -> None:
    key = create(kms, Origin="EXTERNAL")
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert describe(kms, key["KeyId"])["KeyState"] == "PendingImport"
    assert error_of(lambda: kms.enable_key(KeyId=key["KeyId"]))[0] == "KMSInvalidStateException"
    assert error_of(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    ) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.")


def test_cancel_key_deletion_of_a_key_not_pending_deletion_is_invalid_state(kms: Any) -> None:
    key = create(kms)
    code, _ = error_of(lambda: kms.cancel_key_deletion(KeyId=key["KeyId"]))
    assert code == "KMSInvalidStateException"
