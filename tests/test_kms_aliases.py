"""Aliases as AWS KMS does them (behaviour spec §3): CreateAlias, UpdateAlias, DeleteAlias,
ListAliases. Every test runs through ``kmspair.client`` and ``kmspair.boto3_client``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from conftest import ACCOUNT, REGION, error_of

PREFIX_MESSAGE = (
    'Alias must start with the prefix "alias/". Please see '
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
)


def alias_arn(name: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:{name}"


def new_key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key()["KeyMetadata"]
    return metadata


def target_of(kms: Any, alias_name: str) -> str:
    key_id: str = kms.describe_key(KeyId=alias_name)["KeyMetadata"]["KeyId"]
    return key_id


def test_create_alias_makes_the_alias_name_the_key(kms: Any) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    assert target_of(kms, "alias/orders") == key["KeyId"]


def test_create_alias_accepts_the_target_key_by_arn(kms: Any) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/by-arn", TargetKeyId=key["Arn"])
    assert target_of(kms, "alias/by-arn") == key["KeyId"]


def test_an_alias_works_in_cryptographic_operations(kms: Any) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    encrypted = kms.encrypt(KeyId="alias/orders", Plaintext=b"order 42")
    assert encrypted["KeyId"] == key["Arn"]
    assert kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])["Plaintext"] == b"order 42"


def test_list_aliases_shows_the_alias_arn_target_key_id_and_dates(kms: Any) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["Arn"])
    [alias] = kms.list_aliases()["Aliases"]
    assert alias["AliasName"] == "alias/orders"
    assert alias["AliasArn"] == alias_arn("alias/orders")
    assert alias["TargetKeyId"] == key["KeyId"]
    assert isinstance(alias["CreationDate"], datetime)
    assert isinstance(alias["LastUpdatedDate"], datetime)


def test_several_aliases_may_name_one_key(kms: Any) -> None:
    key = new_key(kms)
    for name in ("alias/a", "alias/b"):
        kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    assert {target_of(kms, "alias/a"), target_of(kms, "alias/b")} == {key["KeyId"]}


@pytest.mark.parametrize("operation", ["create_alias", "update_alias", "delete_alias"])
def test_an_alias_name_without_the_alias_prefix_is_refused(kms: Any, operation: str) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    params: dict[str, str] = {"AliasName": "orders"}
    if operation != "delete_alias":
        params["TargetKeyId"] = key["KeyId"]
    assert error_of(lambda: getattr(kms, operation)(**params)) == (
        "ValidationException",
        PREFIX_MESSAGE,
    )


def test_creating_an_alias_that_exists_is_already_exists(kms: Any) -> None:
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=first["KeyId"])
    assert error_of(
        lambda: kms.create_alias(AliasName="alias/orders", TargetKeyId=second["KeyId"])
    ) == (
        "AlreadyExistsException",
        f"An alias with the name {alias_arn('alias/orders')} already exists",
    )
    assert target_of(kms, "alias/orders") == first["KeyId"]


def test_alias_names_are_case_sensitive(kms: Any) -> None:
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=first["KeyId"])
    kms.create_alias(AliasName="alias/Orders", TargetKeyId=second["KeyId"])
    assert target_of(kms, "alias/Orders") == second["KeyId"]


def test_an_alias_name_under_alias_aws_is_reserved(kms: Any) -> None:
    key = new_key(kms)
    code, _ = error_of(lambda: kms.create_alias(AliasName="alias/aws/s3", TargetKeyId=key["KeyId"]))
    assert code == "NotAuthorizedException"


def test_create_alias_for_a_missing_key_is_not_found(kms: Any) -> None:
    missing = "0b9f4e5c-1a2b-4c3d-8e9f-0123456789ab"
    assert error_of(lambda: kms.create_alias(AliasName="alias/x", TargetKeyId=missing)) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist",
    )


def test_update_alias_points_the_alias_at_another_key(kms: Any) -> None:
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=first["KeyId"])
    kms.update_alias(AliasName="alias/orders", TargetKeyId=second["KeyId"])
    assert target_of(kms, "alias/orders") == second["KeyId"]
    [alias] = kms.list_aliases()["Aliases"]
    assert alias["TargetKeyId"] == second["KeyId"]
    assert alias["LastUpdatedDate"] >= alias["CreationDate"]


def test_update_alias_of_a_missing_alias_is_not_found(kms: Any) -> None:
    key = new_key(kms)
    assert error_of(
        lambda: kms.update_alias(AliasName="alias/missing", TargetKeyId=key["KeyId"])
    ) == ("NotFoundException", f"Alias {alias_arn('alias/missing')} is not found.")


def test_delete_alias_removes_the_alias_but_not_the_key(kms: Any) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    kms.delete_alias(AliasName="alias/orders")
    assert kms.list_aliases()["Aliases"] == []
    assert error_of(lambda: kms.describe_key(KeyId="alias/orders")) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/orders')} is not found.",
    )
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_delete_alias_of_a_missing_alias_is_not_found(kms: Any) -> None:
    assert error_of(lambda: kms.delete_alias(AliasName="alias/missing")) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/missing')} is not found.",
    )


def test_a_deleted_alias_name_can_be_created_again(kms: Any) -> None:
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=first["KeyId"])
    kms.delete_alias(AliasName="alias/orders")
    kms.create_alias(AliasName="alias/orders", TargetKeyId=second["KeyId"])
    assert target_of(kms, "alias/orders") == second["KeyId"]


def test_using_a_missing_alias_is_not_found_with_its_alias_arn(kms: Any) -> None:
    assert error_of(lambda: kms.encrypt(KeyId="alias/missing", Plaintext=b"x")) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/missing')} is not found.",
    )


@pytest.mark.parametrize("form", ["KeyId", "Arn"])
def test_list_aliases_filters_by_key(kms: Any, form: str) -> None:
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/first-a", TargetKeyId=first["KeyId"])
    kms.create_alias(AliasName="alias/first-b", TargetKeyId=first["KeyId"])
    kms.create_alias(AliasName="alias/second", TargetKeyId=second["KeyId"])
    listed = kms.list_aliases(KeyId=first[form])["Aliases"]
    assert sorted(a["AliasName"] for a in listed) == ["alias/first-a", "alias/first-b"]
    assert {a["TargetKeyId"] for a in listed} == {first["KeyId"]}


def test_list_aliases_of_a_key_without_aliases_is_empty(kms: Any) -> None:
    key = new_key(kms)
    listed = kms.list_aliases(KeyId=key["KeyId"])
    assert (listed["Aliases"], listed["Truncated"]) == ([], False)


def test_list_aliases_pages_with_limit_and_marker_without_repeats_or_gaps(kms: Any) -> None:
    key = new_key(kms)
    names = {f"alias/page-{i}" for i in range(5)}
    for name in names:
        kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    pages: list[list[str]] = []
    truncated: list[bool] = []
    params: dict[str, Any] = {"Limit": 2}
    while True:
        page = kms.list_aliases(**params)
        pages.append([a["AliasName"] for a in page["Aliases"]])
        truncated.append(page["Truncated"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        params["Marker"] = page["NextMarker"]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert truncated == [True, True, False]
    listed = [name for p in pages for name in p]
    assert len(listed) == len(set(listed))
    assert set(listed) == names


def test_list_aliases_pages_on_after_the_last_listed_alias_is_deleted(kms: Any) -> None:
    key = new_key(kms)
    for name in ("alias/a", "alias/b", "alias/c", "alias/d"):
        kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    first = kms.list_aliases(Limit=2)
    assert [a["AliasName"] for a in first["Aliases"]] == ["alias/a", "alias/b"]
    kms.delete_alias(AliasName="alias/b")
    rest = kms.list_aliases(Marker=first["NextMarker"])
    assert [a["AliasName"] for a in rest["Aliases"]] == ["alias/c", "alias/d"]


def test_list_aliases_paginator_walks_every_page(kms: Any) -> None:
    key = new_key(kms)
    names = {f"alias/p{i}" for i in range(5)}
    for name in names:
        kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    pages = list(kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    listed = [a["AliasName"] for p in pages for a in p["Aliases"]]
    assert sorted(listed) == sorted(names)
