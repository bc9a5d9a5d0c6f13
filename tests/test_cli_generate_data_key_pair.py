"""``kmspair generate-data-key-pair``: the aws CLI's command, on the embedded keystore."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from test_cli_support import GENERATE_DEMO_PAIR, create_demo_key, kmspair_cli, kmspair_json

import kmspair
from der import public_spki_of

PAIR_FIELDS = {
    "PrivateKeyCiphertextBlob",
    "PrivateKeyPlaintext",
    "PublicKey",
    "KeyId",
    "KeyPairSpec",
    "KeyMaterialId",
}


def decrypt(home: Path, blob: str, context: dict[str, str]) -> bytes:
    kms = kmspair.client(region_name="us-east-1", home=home)
    try:
        opened = kms.decrypt(CiphertextBlob=base64.b64decode(blob), EncryptionContext=context)
    finally:
        kms.close()
    return bytes(opened["Plaintext"])


def test_readme_flow_prints_a_pair_whose_blobs_are_base64_der(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_id = create_demo_key(home)
    pair = kmspair_json(
        home, "generate-data-key-pair", "--key-id", "alias/demo", "--key-pair-spec", "ECC_NIST_P256"
    )
    assert set(pair) == PAIR_FIELDS
    assert pair["KeyId"] == f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"
    private = base64.b64decode(pair["PrivateKeyPlaintext"])
    assert public_spki_of(private) == base64.b64decode(pair["PublicKey"])


def test_json_output_is_indented_by_four_spaces(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(
        home, "generate-data-key-pair", "--key-id", "alias/demo", "--key-pair-spec", "ECC_NIST_P384"
    )
    assert result.stdout.startswith('{\n    "')


def test_shorthand_encryption_context_binds_the_private_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        *GENERATE_DEMO_PAIR,
        "--encryption-context",
        "order=42,team=blue",
    )
    plaintext = decrypt(home, pair["PrivateKeyCiphertextBlob"], {"order": "42", "team": "blue"})
    assert plaintext == base64.b64decode(pair["PrivateKeyPlaintext"])


def test_json_encryption_context_binds_the_private_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    context = {"order": "42", "note": "a=b,c"}
    pair = kmspair_json(
        home,
        *GENERATE_DEMO_PAIR,
        "--encryption-context",
        json.dumps(context),
    )
    plaintext = decrypt(home, pair["PrivateKeyCiphertextBlob"], context)
    assert plaintext == base64.b64decode(pair["PrivateKeyPlaintext"])


def test_dry_run_answers_dry_run_operation_with_exit_254(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(
        home,
        *GENERATE_DEMO_PAIR,
        "--dry-run",
    )
    assert result.returncode == 254
    assert "An error occurred (DryRunOperationException)" in result.stderr


def test_no_dry_run_generates_the_pair(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        *GENERATE_DEMO_PAIR,
        "--no-dry-run",
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"


def test_grant_tokens_are_space_separated_values(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(
        home,
        *GENERATE_DEMO_PAIR,
        "--grant-tokens",
        "not-a-token",
        "another",
    )
    assert result.returncode == 254
    assert "(InvalidGrantTokenException)" in result.stderr


def test_without_plaintext_leaves_out_the_private_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--key-id",
        "alias/demo",
        "--key-pair-spec",
        "ECC_NIST_EDWARDS25519",
    )
    assert set(pair) == PAIR_FIELDS - {"PrivateKeyPlaintext"}
