"""How option values are read: blobs, shorthand quoting, lists, numbers, ``file://``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from test_cli_support import GENERATE_DEMO_PAIR, create_demo_key, kmspair_cli, kmspair_json

import kmspair


def test_blob_from_fileb_round_trips_through_encrypt_and_decrypt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"\x00\xffbinary secret")
    sealed = kmspair_json(
        home, "encrypt", "--key-id", "alias/demo", "--plaintext", f"fileb://{secret}"
    )
    opened = kmspair_json(home, "decrypt", "--ciphertext-blob", sealed["CiphertextBlob"])
    assert base64.b64decode(opened["Plaintext"]) == secret.read_bytes()


def test_blob_given_as_base64_text_is_decoded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    text = base64.b64encode(b"hello").decode()
    sealed = kmspair_json(home, "encrypt", "--key-id", "alias/demo", "--plaintext", text)
    opened = kmspair_json(home, "decrypt", "--ciphertext-blob", sealed["CiphertextBlob"])
    assert opened["Plaintext"] == text


def test_blob_in_cli_input_json_is_base64(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    request = {"KeyId": "alias/demo", "Plaintext": base64.b64encode(b"hi").decode()}
    sealed = kmspair_json(home, "encrypt", "--cli-input-json", json.dumps(request))
    opened = kmspair_json(home, "decrypt", "--ciphertext-blob", sealed["CiphertextBlob"])
    assert base64.b64decode(opened["Plaintext"]) == b"hi"


def test_blob_that_is_not_base64_is_a_parameter_error_that_does_not_quote_it(
    tmp_path: Path,
) -> None:
    result = kmspair_cli(
        tmp_path / "home", "encrypt", "--key-id", "x", "--plaintext", "my database password!"
    )
    assert result.returncode == 252
    assert result.stderr.startswith("\nError parsing parameter '--plaintext': Invalid base64")
    assert "password" not in result.stderr
    assert "usage:" not in result.stderr


def test_blob_from_file_is_the_base64_text_the_file_holds(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    text = tmp_path / "plaintext.b64"
    text.write_text(base64.b64encode(b"from a file").decode() + "\n")
    sealed = kmspair_json(
        home, "encrypt", "--key-id", "alias/demo", "--plaintext", f"file://{text}"
    )
    opened = kmspair_json(home, "decrypt", "--ciphertext-blob", sealed["CiphertextBlob"])
    assert base64.b64decode(opened["Plaintext"]) == b"from a file"


def test_a_missing_file_is_a_parameter_error_naming_the_option(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        *("encrypt", "--key-id", "x", "--plaintext", "aGk="),
        *("--encryption-context", f"file://{tmp_path}/none.json"),
    )
    assert result.returncode == 252
    assert result.stderr.startswith(
        "\nError parsing parameter '--encryption-context': Unable to load paramfile"
    )


def test_quoted_shorthand_values_may_hold_commas(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--key-id",
        "alias/demo",
        "--key-pair-spec",
        "ECC_NIST_P256",
        "--encryption-context",
        'note="a,b",order=42',
    )
    kms = kmspair.client(region_name="us-east-1", home=home)
    opened = kms.decrypt(
        CiphertextBlob=base64.b64decode(pair["PrivateKeyCiphertextBlob"]),
        EncryptionContext={"note": "a,b", "order": "42"},
    )
    kms.close()
    assert opened["KeyId"] == pair["KeyId"]


def test_integer_options_are_numbers(tmp_path: Path) -> None:
    random = kmspair_json(tmp_path / "home", "generate-random", "--number-of-bytes", "24")
    assert len(base64.b64decode(random["Plaintext"])) == 24


def test_option_value_may_be_read_from_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    context = tmp_path / "context.json"
    context.write_text('{"order": "42"}')
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--key-id",
        "alias/demo",
        "--key-pair-spec",
        "ECC_NIST_P256",
        "--encryption-context",
        f"file://{context}",
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"


def test_global_region_option_selects_the_region(tmp_path: Path) -> None:
    created = kmspair_json(tmp_path / "home", "create-key", "--region", "eu-west-1")
    assert created["KeyMetadata"]["Arn"].startswith("arn:aws:kms:eu-west-1:")


def test_a_list_option_given_without_values_is_an_empty_list(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(home, *GENERATE_DEMO_PAIR, "--grant-tokens")
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"
