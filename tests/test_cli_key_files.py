"""``--private-key-out`` / ``--public-key-out``: the pair as PEM or DER files (kmspair only)."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from test_cli_support import create_demo_key, kmspair_cli, kmspair_json

GENERATE = ("generate-data-key-pair", "--key-id", "alias/demo", "--key-pair-spec", "ECC_NIST_P256")


def public_der_of(private_key: object) -> bytes:
    public = private_key.public_key()  # type: ignore[attr-defined]
    return bytes(
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def test_pem_files_hold_a_matching_pair(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    private, public = tmp_path / "key.pem", tmp_path / "pub.pem"
    pair = kmspair_json(
        home, *GENERATE, "--private-key-out", str(private), "--public-key-out", str(public)
    )
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    loaded_public = serialization.load_pem_public_key(public.read_bytes())
    assert public_der_of(key) == base64.b64decode(pair["PublicKey"])
    assert public_der_of(key) == loaded_public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_der_files_hold_the_kms_encodings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    private, public = tmp_path / "key.der", tmp_path / "pub.der"
    pair = kmspair_json(
        home, *GENERATE, "--private-key-out", str(private), "--public-key-out", str(public)
    )
    key = serialization.load_der_private_key(private.read_bytes(), password=None)
    assert public.read_bytes() == base64.b64decode(pair["PublicKey"]) == public_der_of(key)


def test_private_key_file_is_mode_0600(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    private = tmp_path / "key.pem"
    kmspair_json(home, *GENERATE, "--private-key-out", str(private))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_private_key_file_replaces_a_world_readable_file_with_a_0600_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    private = tmp_path / "key.pem"
    private.write_text("old")
    private.chmod(0o644)
    kmspair_json(home, *GENERATE, "--private-key-out", str(private))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")


def test_private_key_written_to_a_file_is_left_out_of_the_output(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(home, *GENERATE, "--private-key-out", str(tmp_path / "key.der"))
    assert "PrivateKeyPlaintext" not in pair
    assert "PrivateKeyCiphertextBlob" in pair


def test_without_plaintext_writes_the_public_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    public = tmp_path / "pub.der"
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--key-id",
        "alias/demo",
        "--key-pair-spec",
        "RSA_2048",
        "--public-key-out",
        str(public),
    )
    assert public.read_bytes() == base64.b64decode(pair["PublicKey"])


@pytest.mark.parametrize("name", ["key.txt", "key"])
def test_key_file_without_pem_or_der_extension_is_a_usage_error(tmp_path: Path, name: str) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(home, *GENERATE, "--private-key-out", str(tmp_path / name))
    assert result.returncode == 252
    assert "must end in .pem or .der" in result.stderr
    assert not home.exists()  # refused before any request


def test_a_key_file_in_a_missing_folder_is_refused_before_any_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(home, *GENERATE, "--private-key-out", str(tmp_path / "none" / "k.pem"))
    assert result.returncode == 252
    assert f"no such directory: {tmp_path / 'none'}" in result.stderr
    assert not home.exists()


def test_one_file_named_for_both_keys_is_refused_before_any_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    same = str(tmp_path / "key.pem")
    result = kmspair_cli(home, *GENERATE, "--private-key-out", same, "--public-key-out", same)
    assert result.returncode == 252
    assert "the file of --private-key-out" in result.stderr
    assert not home.exists()


def test_a_key_file_that_cannot_be_written_still_prints_the_response(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    private, public = tmp_path / "key.pem", tmp_path / "pub.pem"
    public.mkdir()  # a folder where the public key file should go: the write fails
    result = kmspair_cli(
        home, *GENERATE, "--private-key-out", str(private), "--public-key-out", str(public)
    )
    assert result.returncode == 255
    assert f"could not write the public key to {public}" in result.stderr
    printed = json.loads(result.stdout)
    assert "PrivateKeyPlaintext" not in printed
    opened = kmspair_json(
        home,
        "decrypt",
        "--ciphertext-blob",
        printed["PrivateKeyCiphertextBlob"],
        "--query",
        "Plaintext",
    )
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) == base64.b64decode(opened)
