"""The same request through the aws CLI and kmspair (against ``kmspair serve``, and on the
embedded keystore the server uses) prints the same fields in the same encodings."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import GENERATE_DEMO_PAIR, cli_environment, kmspair_cli

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the aws CLI (pip install awscli) is absent")

GENERATE = (
    *GENERATE_DEMO_PAIR,
    "--encryption-context",
    "order=42",
)


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``kmspair serve`` on a free port over a fresh keystore: (URL, keystore directory)."""
    home = tmp_path / "home"
    server = subprocess.Popen(
        [sys.executable, "-m", "kmspair", "serve", "--port", "0", "--home", str(home)],
        stderr=subprocess.PIPE,
        text=True,
        env=cli_environment(home),
    )
    try:
        assert server.stderr is not None
        for line in server.stderr:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                yield found.group(1), home
                break
        else:
            pytest.fail("kmspair serve exited before listening")
    finally:
        server.terminate()
        server.wait(timeout=30)


def aws_environment(home: Path) -> dict[str, str]:
    return cli_environment(home) | {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def run_json(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def shape_of(output: dict[str, Any]) -> dict[str, str]:
    """Each field's encoding: base64 blobs by the DER they hold, strings by what they are."""
    kinds = {}
    for name, value in output.items():
        if name in ("PrivateKeyCiphertextBlob", "PrivateKeyPlaintext", "PublicKey"):
            raw = base64.b64decode(value, validate=True)
            kinds[name] = "der" if raw[0] == 0x30 else "blob"
        elif name == "KeyMaterialId":
            kinds[name] = "hex64" if re.fullmatch(r"[0-9a-f]{64}", value) else value
        else:
            kinds[name] = value
    return kinds


def test_aws_cli_and_kmspair_print_the_same_fields_and_encodings(
    endpoint: tuple[str, Path],
) -> None:
    url, home = endpoint
    env = aws_environment(home)
    created = run_json([str(AWS), "--endpoint-url", url, "kms", "create-key"], env)
    key_id = created["KeyMetadata"]["KeyId"]
    subprocess.run(  # prints nothing: no JSON to read
        [
            str(AWS),
            "--endpoint-url",
            url,
            "kms",
            "create-alias",
            "--alias-name",
            "alias/demo",
            "--target-key-id",
            key_id,
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    by_aws = run_json([str(AWS), "--endpoint-url", url, "kms", *GENERATE], env)
    by_kmspair_remote = run_json(
        [sys.executable, "-m", "kmspair", "--endpoint-url", url, *GENERATE], env
    )
    local = kmspair_cli(home, *GENERATE)
    assert local.returncode == 0, local.stderr
    by_kmspair_local = json.loads(local.stdout)
    assert list(by_aws) == list(by_kmspair_remote)
    assert set(by_aws) == set(by_kmspair_local)
    assert shape_of(by_aws) == shape_of(by_kmspair_remote) == shape_of(by_kmspair_local)
    assert by_aws["KeyId"].endswith(key_id)


def test_aws_cli_and_kmspair_print_the_same_error(endpoint: tuple[str, Path]) -> None:
    url, home = endpoint
    env = aws_environment(home)
    missing = (
        "generate-data-key-pair",
        "--key-id",
        "alias/nope",
        "--key-pair-spec",
        "ECC_NIST_P256",
    )
    by_aws = subprocess.run(
        [str(AWS), "--endpoint-url", url, "kms", *missing],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    by_kmspair = subprocess.run(
        [sys.executable, "-m", "kmspair", "--endpoint-url", url, *missing],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert "(NotFoundException) when calling the GenerateDataKeyPair operation" in by_aws.stderr
    assert by_kmspair.stderr == by_aws.stderr
    # The awscli package is the aws CLI v1, which exits 255 here; kmspair exits as v2 does.
    assert (by_kmspair.returncode, by_aws.returncode) == (254, 255)


def test_endpoint_without_configured_credentials_signs_as_test(endpoint: tuple[str, Path]) -> None:
    url, home = endpoint
    result = kmspair_cli(home, "--endpoint-url", url, "create-key", "--query", "KeyMetadata.Arn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('"arn:aws:kms:us-east-1:111122223333:key/')


@pytest.mark.parametrize(
    "paging",
    [
        [],
        ["--page-size", "1"],
        ["--max-items", "2"],
        ["--limit", "2"],
        ["--no-paginate"],
        ["--limit", "1", "--page-size", "1"],
        ["--page-size", "1", "--output", "text"],
        ["--max-items", "2", "--output", "text"],
        ["--page-size", "1", "--query", "Keys[].KeyId", "--output", "text"],
        ["--max-items", "2", "--query", "Keys[].KeyId", "--output", "text"],
    ],
    ids=[
        "default",
        "page size",
        "max items",
        "limit by hand",
        "no paginate",
        "refused",
        "text by page",
        "text with next token",
        "text queried by page",
        "text queried with next token",
    ],
)
def test_aws_cli_and_kmspair_page_list_keys_alike(
    endpoint: tuple[str, Path], paging: list[str]
) -> None:
    url, home = endpoint
    env = aws_environment(home)
    for _ in range(3):
        run_json([str(AWS), "--endpoint-url", url, "kms", "create-key"], env)
    by_aws = subprocess.run(
        [str(AWS), "--endpoint-url", url, "kms", "list-keys", *paging],
        env=env,
        capture_output=True,
        text=True,
    )
    by_kmspair = subprocess.run(
        [sys.executable, "-m", "kmspair", "--endpoint-url", url, "list-keys", *paging],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (by_kmspair.returncode, by_kmspair.stdout, by_kmspair.stderr) == (
        by_aws.returncode,
        by_aws.stdout,
        by_aws.stderr,
    )


@pytest.mark.parametrize("output", ["json", "text"])
def test_aws_cli_and_kmspair_print_a_query_without_a_match_alike(
    endpoint: tuple[str, Path], output: str
) -> None:
    url, home = endpoint
    env = aws_environment(home)
    key = run_json([str(AWS), "--endpoint-url", url, "kms", "create-key"], env)
    query = ["--key-id", key["KeyMetadata"]["KeyId"], "--query", "KeyMetadata.Nope"]
    by_aws = subprocess.run(
        [str(AWS), "--endpoint-url", url, "kms", "describe-key", *query, "--output", output],
        env=env,
        capture_output=True,
        text=True,
    )
    by_kmspair = kmspair_cli(
        home, "--endpoint-url", url, "describe-key", *query, "--output", output
    )
    assert (by_kmspair.returncode, by_kmspair.stdout) == (0, by_aws.stdout)
