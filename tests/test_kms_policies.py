"""Key policies as AWS KMS keeps and enforces them, for the owner and for another account through
the client: GetKeyPolicy / PutKeyPolicy and the default policy, AWS's AccessDeniedException texts,
Deny over Allow and over grants, DryRun, and the policy lockout safety check (behaviour spec §2,
§3). How one policy decides is in test_kms_policy_eval.py.

The integration tests run through ``kmspair.client`` and ``kmspair.boto3_client``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, OTHER_ACCOUNT, REGION, error_of
from kmspair.kms.errors import KMSError
from kmspair.kms.service import LocalKMS, open_local_kms

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
LOCKOUT = "The new key policy will not allow you to update the key policy in the future."


def statement(effect: str = "Allow", **elements: Any) -> dict[str, Any]:
    elements.setdefault("Principal", {"AWS": OTHER_ACCOUNT})
    elements.setdefault("Action", "kms:*")
    elements.setdefault("Resource", "*")
    return {"Effect": effect, **elements}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def owner_keeps_control(*statements: dict[str, Any]) -> str:
    """A policy with the default statement for the owning account, plus ``statements``."""
    return policy(statement(Principal={"AWS": ROOT}), *statements)


# Through the client: another account


def put_policy(kms: Any, key: dict[str, Any], document: str, **params: Any) -> None:
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document, **params)


def not_allowed(principal: str, operation: str, key_arn: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{operation} on resource: "
        f"{key_arn} because no resource-based policy allows the kms:{operation} action",
    )


def explicitly_denied(principal: str, operation: str, key_arn: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{operation} on resource: "
        f"{key_arn} with an explicit deny in a resource-based policy",
    )


def pair(client: Any, key_id: str, **params: Any) -> dict[str, Any]:
    response: dict[str, Any] = client.generate_data_key_pair(
        KeyId=key_id, KeyPairSpec="ECC_NIST_P256", **params
    )
    return response


def test_another_account_is_denied_by_arn_without_a_policy_statement(
    other: Any, key: dict[str, Any]
) -> None:
    assert error_of(lambda: pair(other, key["Arn"])) == not_allowed(
        OTHER_ROOT, "GenerateDataKeyPair", key["Arn"]
    )


def test_another_account_uses_the_key_by_arn_once_the_policy_allows_it(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement()))
    assert pair(other, key["Arn"])["KeyId"] == key["Arn"]


def test_another_account_cannot_name_the_key_by_its_bare_id_even_when_allowed(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement()))
    assert error_of(lambda: pair(other, key["KeyId"])) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{key['KeyId']}' does not exist",
    )


def test_another_account_uses_the_owners_alias_arn_once_the_policy_allows_it(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    kms.create_alias(AliasName="alias/shared", TargetKeyId=key["KeyId"])
    shared = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/shared"
    assert error_of(lambda: pair(other, shared)) == not_allowed(
        OTHER_ROOT, "GenerateDataKeyPair", key["Arn"]
    )
    put_policy(kms, key, owner_keeps_control(statement()))
    assert pair(other, shared)["KeyId"] == key["Arn"]


def test_a_policy_allows_another_account_only_the_actions_it_names(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement(Action="kms:Encrypt")))
    blob = other.encrypt(KeyId=key["Arn"], Plaintext=b"x")["CiphertextBlob"]
    assert error_of(lambda: other.decrypt(CiphertextBlob=blob)) == not_allowed(
        OTHER_ROOT, "Decrypt", key["Arn"]
    )


def test_a_wildcard_action_allows_every_operation_it_covers(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement(Action="kms:GenerateDataKeyPair*")))
    assert pair(other, key["Arn"])["KeyId"] == key["Arn"]
    without = other.generate_data_key_pair_without_plaintext(
        KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256"
    )
    assert without["KeyId"] == key["Arn"]
    assert error_of(lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x")) == not_allowed(
        OTHER_ROOT, "Encrypt", key["Arn"]
    )


def test_another_account_may_describe_the_key_once_the_policy_allows_it(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    assert error_of(lambda: other.describe_key(KeyId=key["Arn"])) == not_allowed(
        OTHER_ROOT, "DescribeKey", key["Arn"]
    )
    put_policy(kms, key, owner_keeps_control(statement(Action="kms:DescribeKey")))
    assert other.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]


def test_re_encrypt_needs_re_encrypt_to_as_well_as_re_encrypt_from(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement(Action="kms:ReEncryptFrom")))
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert error_of(
        lambda: other.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key["Arn"])
    ) == not_allowed(OTHER_ROOT, "ReEncryptTo", key["Arn"])


def test_a_deny_statement_wins_over_an_allow_for_another_account(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(
        kms, key, owner_keeps_control(statement(), statement("Deny", Action="kms:Generate*"))
    )
    assert error_of(lambda: pair(other, key["Arn"])) == explicitly_denied(
        OTHER_ROOT, "GenerateDataKeyPair", key["Arn"]
    )


def test_a_deny_statement_wins_over_a_grant(kms: Any, other: Any, key: dict[str, Any]) -> None:
    kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=OTHER_ROOT, Operations=["GenerateDataKeyPair"]
    )
    assert pair(other, key["Arn"])["KeyId"] == key["Arn"]
    put_policy(kms, key, owner_keeps_control(statement("Deny")))
    assert error_of(lambda: pair(other, key["Arn"])) == explicitly_denied(
        OTHER_ROOT, "GenerateDataKeyPair", key["Arn"]
    )


def test_dry_run_for_a_denied_caller_is_access_denied(other: Any, key: dict[str, Any]) -> None:
    assert error_of(lambda: pair(other, key["Arn"], DryRun=True)) == not_allowed(
        OTHER_ROOT, "GenerateDataKeyPair", key["Arn"]
    )


def test_dry_run_for_an_explicitly_denied_caller_is_access_denied(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement("Deny", Action="kms:Encrypt")))
    assert error_of(
        lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x", DryRun=True)
    ) == explicitly_denied(OTHER_ROOT, "Encrypt", key["Arn"])


def test_dry_run_for_an_allowed_caller_is_dry_run_operation(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, owner_keeps_control(statement()))
    code, _ = error_of(lambda: pair(other, key["Arn"], DryRun=True))
    assert code == "DryRunOperationException"


# Through the client: the owning account


def test_a_deny_for_the_owners_principal_refuses_the_owner(kms: Any, key: dict[str, Any]) -> None:
    deny = statement("Deny", Principal={"AWS": ROOT}, Action="kms:Decrypt")
    put_policy(kms, key, owner_keeps_control(deny))
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob)) == explicitly_denied(
        ROOT, "Decrypt", key["Arn"]
    )


def test_a_key_whose_policy_no_longer_allows_the_owner_refuses_it(
    kms: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, policy(statement()), BypassPolicyLockoutSafetyCheck=True)
    assert error_of(lambda: kms.describe_key(KeyId=key["KeyId"])) == not_allowed(
        ROOT, "DescribeKey", key["Arn"]
    )
    assert error_of(lambda: kms.get_key_policy(KeyId=key["KeyId"])) == not_allowed(
        ROOT, "GetKeyPolicy", key["Arn"]
    )


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("DisableKey", lambda kms, key_id: kms.disable_key(KeyId=key_id)),
        ("EnableKey", lambda kms, key_id: kms.enable_key(KeyId=key_id)),
        ("ScheduleKeyDeletion", lambda kms, key_id: kms.schedule_key_deletion(KeyId=key_id)),
        ("ListGrants", lambda kms, key_id: kms.list_grants(KeyId=key_id)),
        (
            "PutKeyPolicy",
            lambda kms, key_id: kms.put_key_policy(KeyId=key_id, Policy=policy(statement())),
        ),
    ],
)
def test_key_management_is_refused_where_the_policy_denies_it(
    kms: Any, key: dict[str, Any], operation: str, call: Callable[[Any, str], Any]
) -> None:
    deny = statement("Deny", Principal={"AWS": ROOT}, Action=f"kms:{operation}")
    put_policy(kms, key, owner_keeps_control(deny), BypassPolicyLockoutSafetyCheck=True)
    assert error_of(lambda: call(kms, key["KeyId"])) == explicitly_denied(
        ROOT, operation, key["Arn"]
    )


# The policy lockout safety check


def test_put_key_policy_refuses_a_policy_that_locks_the_caller_out(
    kms: Any, key: dict[str, Any]
) -> None:
    before = kms.get_key_policy(KeyId=key["KeyId"])["Policy"]
    assert error_of(lambda: put_policy(kms, key, policy(statement()))) == (
        "MalformedPolicyDocumentException",
        LOCKOUT,
    )
    assert kms.get_key_policy(KeyId=key["KeyId"])["Policy"] == before


def test_put_key_policy_refuses_a_policy_denying_the_caller_put_key_policy(
    kms: Any, key: dict[str, Any]
) -> None:
    deny = statement("Deny", Principal={"AWS": ROOT}, Action="kms:PutKeyPolicy")
    assert error_of(lambda: put_policy(kms, key, owner_keeps_control(deny))) == (
        "MalformedPolicyDocumentException",
        LOCKOUT,
    )


def test_put_key_policy_stores_a_lockout_policy_when_told_to_bypass_the_check(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    put_policy(kms, key, policy(statement()), BypassPolicyLockoutSafetyCheck=True)
    assert pair(other, key["Arn"])["KeyId"] == key["Arn"]


def test_create_key_refuses_a_policy_that_locks_the_caller_out(kms: Any) -> None:
    assert error_of(lambda: kms.create_key(Policy=policy(statement()))) == (
        "MalformedPolicyDocumentException",
        LOCKOUT,
    )
    assert kms.list_keys()["Keys"] == []


def test_create_key_stores_a_lockout_policy_when_told_to_bypass_the_check(kms: Any) -> None:
    document = policy(statement())
    key = kms.create_key(Policy=document, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    assert error_of(lambda: kms.describe_key(KeyId=key["KeyId"])) == not_allowed(
        ROOT, "DescribeKey", key["Arn"]
    )


# A principal other than the account root


@pytest.fixture
def as_principal(tmp_path: Path, kms: Any) -> Iterator[Callable[[str, str], LocalKMS]]:
    """A local KMS acting as a given principal of a given account, on ``kms``'s keystore.

    The clients act as the account root; the HTTP endpoint brings other principals, which
    reach the service exactly this way.
    """
    opened: list[LocalKMS] = []

    def make(account_id: str, principal: str) -> LocalKMS:
        local = open_local_kms(
            region=REGION, account_id=account_id, home=tmp_path / "home", principal=principal
        )
        opened.append(local)
        return local

    yield make
    for local in opened:
        local.store.close()


def test_a_policy_naming_a_role_allows_that_role_and_not_the_rest_of_its_account(
    kms: Any, key: dict[str, Any], as_principal: Callable[[str, str], LocalKMS]
) -> None:
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/app"
    put_policy(kms, key, owner_keeps_control(statement(Principal={"AWS": role})))
    app = as_principal(OTHER_ACCOUNT, role)
    response = app.call(
        "GenerateDataKeyPair", {"KeyId": key["Arn"], "KeyPairSpec": "ECC_NIST_P256"}
    )
    assert response["KeyId"] == key["Arn"]
    bob = as_principal(OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob")
    with pytest.raises(KMSError) as caught:
        bob.call("Encrypt", {"KeyId": key["Arn"], "Plaintext": b"x"})
    assert (caught.value.code, caught.value.message) == not_allowed(
        f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob", "Encrypt", key["Arn"]
    )


def test_a_deny_for_one_user_of_the_owning_account_refuses_only_that_user(
    kms: Any, key: dict[str, Any], as_principal: Callable[[str, str], LocalKMS]
) -> None:
    mallory = f"arn:aws:iam::{ACCOUNT}:user/mallory"
    put_policy(kms, key, owner_keeps_control(statement("Deny", Principal={"AWS": mallory})))
    with pytest.raises(KMSError) as caught:
        as_principal(ACCOUNT, mallory).call("DescribeKey", {"KeyId": key["KeyId"]})
    assert (caught.value.code, caught.value.message) == explicitly_denied(
        mallory, "DescribeKey", key["Arn"]
    )
    alice = as_principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert alice.call("DescribeKey", {"KeyId": key["KeyId"]})["KeyMetadata"]["Arn"] == key["Arn"]


# GetKeyPolicy / PutKeyPolicy


def test_get_key_policy_returns_the_default_policy_giving_the_account_full_access(
    kms: Any,
) -> None:
    key = kms.create_key()["KeyMetadata"]
    response = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")
    assert response["PolicyName"] == "default"
    policy = json.loads(response["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]


def test_get_key_policy_without_a_policy_name_returns_the_default_policy(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    assert kms.get_key_policy(KeyId=key["KeyId"])["PolicyName"] == "default"


def test_put_key_policy_round_trips_the_document(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Owner",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "Admins",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
                    "Action": ["kms:Encrypt", "kms:Decrypt"],
                    "Resource": "*",
                },
            ],
        }
    )
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document)
    assert kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"] == document


def test_create_key_stores_the_policy_it_is_given(kms: Any) -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": ACCOUNT},
                "Action": "kms:*",
                "Resource": "*",
            },
        }
    )
    key = kms.create_key(Policy=document)["KeyMetadata"]
    assert kms.get_key_policy(KeyId=key["KeyId"])["Policy"] == document


@pytest.mark.parametrize(
    "document",
    ["{not json", "[]", '{"Version": "2012-10-17"}', '{"Statement": [{"Action": "kms:*"}]}'],
)
def test_put_key_policy_refuses_a_malformed_policy_and_keeps_the_old_one(
    kms: Any, document: str
) -> None:
    key = kms.create_key()["KeyMetadata"]
    before = kms.get_key_policy(KeyId=key["KeyId"])["Policy"]
    code, _ = error_of(
        lambda: kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document)
    )
    assert code == "MalformedPolicyDocumentException"
    assert kms.get_key_policy(KeyId=key["KeyId"])["Policy"] == before


def test_create_key_refuses_a_malformed_policy(kms: Any) -> None:
    code, _ = error_of(lambda: kms.create_key(Policy="{not json"))
    assert code == "MalformedPolicyDocumentException"
    assert kms.list_keys()["Keys"] == []
