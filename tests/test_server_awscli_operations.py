"""Every operation of the local KMS, once, through the unmodified aws CLI against the endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from test_server_awscli import aws

from kmspair.kms.service import OPERATIONS
from kmspair.server import Server
from server_helpers import ACCOUNT, REGION, server

__all__ = ["server"]  # the fixture, imported for pytest

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
# {name} in an argument, filled from prepare()'s state; JSON such as POLICY never matches.
PLACEHOLDER = re.compile(r"\{(\w+)\}")
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
        ],
    }
)

# Each operation: its aws CLI arguments, with {placeholders} filled from the state that
# `prepare` sets up through boto3 (fast), and whether the CLI prints a JSON document.
Case = tuple[str, list[str], bool]
CASES: dict[str, Case] = {
    "CreateKey": ("create-key", ["--description", "cli"], True),
    "DescribeKey": ("describe-key", ["--key-id", "{key}"], True),
    "ListKeys": ("list-keys", [], True),
    "EnableKey": ("enable-key", ["--key-id", "{key}"], False),
    "DisableKey": ("disable-key", ["--key-id", "{key}"], False),
    "ScheduleKeyDeletion": (
        "schedule-key-deletion",
        ["--key-id", "{key}", "--pending-window-in-days", "7"],
        True,
    ),
    "CancelKeyDeletion": ("cancel-key-deletion", ["--key-id", "{pending}"], True),
    "RotateKeyOnDemand": ("rotate-key-on-demand", ["--key-id", "{key}"], True),
    "ListKeyRotations": ("list-key-rotations", ["--key-id", "{key}"], True),
    "GetKeyPolicy": ("get-key-policy", ["--key-id", "{key}", "--policy-name", "default"], True),
    "PutKeyPolicy": (
        "put-key-policy",
        ["--key-id", "{key}", "--policy-name", "default", "--policy", POLICY],
        False,
    ),
    "CreateAlias": (
        "create-alias",
        ["--alias-name", "alias/new", "--target-key-id", "{key}"],
        False,
    ),
    "UpdateAlias": (
        "update-alias",
        ["--alias-name", "alias/cli", "--target-key-id", "{other}"],
        False,
    ),
    "DeleteAlias": ("delete-alias", ["--alias-name", "alias/cli"], False),
    "ListAliases": ("list-aliases", [], True),
    "CreateGrant": (
        "create-grant",
        ["--key-id", "{key}", "--grantee-principal", ROOT, "--operations", "Decrypt"],
        True,
    ),
    "ListGrants": ("list-grants", ["--key-id", "{key}"], True),
    "RetireGrant": ("retire-grant", ["--grant-token", "{grant_token}"], False),
    "RevokeGrant": ("revoke-grant", ["--key-id", "{key}", "--grant-id", "{grant_id}"], False),
    "Encrypt": ("encrypt", ["--key-id", "{key}", "--plaintext", "fileb://{plaintext}"], True),
    "Decrypt": ("decrypt", ["--ciphertext-blob", "fileb://{blob}"], True),
    "ReEncrypt": (
        "re-encrypt",
        ["--ciphertext-blob", "fileb://{blob}", "--destination-key-id", "{other}"],
        True,
    ),
    "GenerateDataKey": ("generate-data-key", ["--key-id", "{key}", "--key-spec", "AES_256"], True),
    "GenerateDataKeyWithoutPlaintext": (
        "generate-data-key-without-plaintext",
        ["--key-id", "{key}", "--number-of-bytes", "32"],
        True,
    ),
    "GenerateDataKeyPair": (
        "generate-data-key-pair",
        ["--key-id", "alias/cli", "--key-pair-spec", "ECC_NIST_P256"],
        True,
    ),
    "GenerateDataKeyPairWithoutPlaintext": (
        "generate-data-key-pair-without-plaintext",
        ["--key-id", "{key}", "--key-pair-spec", "RSA_2048"],
        True,
    ),
    "GenerateRandom": ("generate-random", ["--number-of-bytes", "16"], True),
}


def prepare(server: Server, tmp_path: Path) -> dict[str, str]:
    kms: Any = boto3.client(
        "kms",
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    pending = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    kms.create_alias(AliasName="alias/cli", TargetKeyId=key)
    grant = kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Encrypt"])
    plaintext, blob = tmp_path / "plaintext", tmp_path / "blob"
    plaintext.write_bytes(b"the aws CLI reads this")
    blob.write_bytes(kms.encrypt(KeyId=key, Plaintext=b"sealed")["CiphertextBlob"])
    return {
        "key": key,
        "other": other,
        "pending": pending,
        "grant_token": grant["GrantToken"],
        "grant_id": grant["GrantId"],
        "plaintext": str(plaintext),
        "blob": str(blob),
    }


def test_every_operation_of_the_local_kms_has_an_aws_cli_case() -> None:
    assert set(CASES) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(CASES))
def test_the_aws_cli_runs_the_operation(server: Server, tmp_path: Path, operation: str) -> None:
    command, arguments, prints = CASES[operation]
    state = prepare(server, tmp_path)
    filled = [PLACEHOLDER.sub(lambda m: state[m[1]], argument) for argument in arguments]
    result = aws(server, command, *filled)
    assert result.returncode == 0, result.stderr
    if prints:
        assert isinstance(json.loads(result.stdout), dict)
    else:
        assert result.stdout.strip() == ""
