"""``python -m kmspair``: a data key pair from the embedded local KMS, printed like the aws CLI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import kmspair


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kmspair", "--home", str(home), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_first_run_creates_the_default_key_and_prints_a_pair(tmp_path: Path) -> None:
    result = run(tmp_path, "ECC_NIST_P384")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {
        "PrivateKeyCiphertextBlob",
        "PrivateKeyPlaintext",
        "PublicKey",
        "KeyId",
        "KeyPairSpec",
        "KeyMaterialId",
    }
    assert output["KeyPairSpec"] == "ECC_NIST_P384"
    key = serialization.load_der_private_key(
        base64.b64decode(output["PrivateKeyPlaintext"]), password=None
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public == base64.b64decode(output["PublicKey"])


def test_later_runs_reuse_the_default_key_and_its_blobs_decrypt(tmp_path: Path) -> None:
    first = json.loads(run(tmp_path).stdout)
    second = json.loads(run(tmp_path, "--encryption-context", "order=42").stdout)
    assert first["KeyId"] == second["KeyId"]
    kms = kmspair.client(region_name="us-east-1", home=tmp_path)
    opened = kms.decrypt(
        CiphertextBlob=base64.b64decode(second["PrivateKeyCiphertextBlob"]),
        EncryptionContext={"order": "42"},
    )
    assert opened["Plaintext"] == base64.b64decode(second["PrivateKeyPlaintext"])
    assert len(kms.list_keys()["Keys"]) == 1


def test_without_plaintext_prints_no_private_key(tmp_path: Path) -> None:
    output = json.loads(run(tmp_path, "--without-plaintext").stdout)
    assert "PrivateKeyPlaintext" not in output


def test_a_service_error_prints_like_the_aws_cli_and_exits_254(tmp_path: Path) -> None:
    result = run(tmp_path, "--key-id", "alias/missing")
    assert result.returncode == 254
    assert (
        "An error occurred (NotFoundException) when calling the GenerateDataKeyPair operation: "
        "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found." in result.stderr
    )
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["RSA_1024"], ["--encryption-context", "novalue"]])
def test_bad_arguments_are_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout == ""
