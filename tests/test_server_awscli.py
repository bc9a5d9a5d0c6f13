"""The aws CLI (the ``awscli`` package) works against the endpoint unchanged."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kmspair.server import Server
from server_helpers import ACCOUNT, REGION, server

__all__ = ["server"]  # the fixture, imported for pytest


def aws(
    server: Server, *arguments: str, endpoint_option: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``aws --endpoint-url <server> kms ...`` with the default identity's credentials
    (or, without ``endpoint_option``, with the endpoint in ``AWS_ENDPOINT_URL_KMS``)."""
    executable = shutil.which("aws", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.skip("the aws CLI (pip install awscli) is not installed")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/nonexistent"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    endpoint = ["--endpoint-url", server.url]
    if not endpoint_option:
        environment["AWS_ENDPOINT_URL_KMS"] = server.url
        endpoint = []
    return subprocess.run(
        [executable, *endpoint, "--output", "json", "kms", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def output(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_aws_cli_creates_a_key(server: Server) -> None:
    metadata = output(aws(server, "create-key", "--description", "cli"))["KeyMetadata"]
    assert metadata["Arn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")


def test_aws_cli_generate_data_key_pair_prints_base64_keys_and_the_key_arn(
    server: Server,
) -> None:
    key = output(aws(server, "create-key"))["KeyMetadata"]
    arguments = ["--key-id", key["KeyId"], "--key-pair-spec", "ECC_NIST_P256"]
    arguments += ["--encryption-context", "order=42"]
    pair = output(aws(server, "generate-data-key-pair", *arguments))
    assert pair["KeyId"] == key["Arn"]
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"
    assert len(base64.b64decode(pair["PrivateKeyPlaintext"])) == 138
    assert len(base64.b64decode(pair["PublicKey"])) == 91


def test_aws_cli_prints_a_service_error_with_its_code_and_message(server: Server) -> None:
    result = aws(
        server, "generate-data-key-pair", "--key-id", "alias/nope", "--key-pair-spec", "RSA_2048"
    )
    assert result.returncode != 0
    assert (
        "An error occurred (NotFoundException) when calling the GenerateDataKeyPair operation: "
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope is not found."
    ) in result.stderr


def test_aws_cli_finds_the_endpoint_in_aws_endpoint_url_kms(server: Server) -> None:
    assert output(aws(server, "list-keys", endpoint_option=False)) == {"Keys": []}
