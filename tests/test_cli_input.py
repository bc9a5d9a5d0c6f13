"""``--cli-input-json`` / ``--cli-input-yaml``: the request as a document, inline or in a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_support import create_demo_key, kmspair_cli, kmspair_json

REQUEST = {"KeyId": "alias/demo", "KeyPairSpec": "ECC_NIST_P384", "EncryptionContext": {"a": "1"}}
YAML_REQUEST = "KeyId: alias/demo\nKeyPairSpec: ECC_NIST_P384\nEncryptionContext:\n  a: '1'\n"


def test_inline_json_input_is_the_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home, "generate-data-key-pair-without-plaintext", "--cli-input-json", json.dumps(REQUEST)
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P384"


def test_json_input_file_is_the_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST))
    pair = kmspair_json(
        home, "generate-data-key-pair-without-plaintext", "--cli-input-json", f"file://{request}"
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P384"


def test_inline_yaml_input_is_the_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home, "generate-data-key-pair-without-plaintext", "--cli-input-yaml", YAML_REQUEST
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P384"


def test_yaml_input_file_is_the_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    request = tmp_path / "request.yaml"
    request.write_text(YAML_REQUEST)
    pair = kmspair_json(
        home, "generate-data-key-pair-without-plaintext", "--cli-input-yaml", f"file://{request}"
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P384"


def test_command_line_options_override_the_input_document(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--cli-input-json",
        json.dumps(REQUEST),
        "--key-pair-spec",
        "ECC_NIST_P521",
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P521"


def test_input_document_supplies_required_members_the_command_line_lacks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    pair = kmspair_json(
        home,
        "generate-data-key-pair-without-plaintext",
        "--cli-input-json",
        json.dumps({"KeyPairSpec": "ECC_NIST_P256"}),
        "--key-id",
        "alias/demo",
    )
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"


def test_json_and_yaml_input_together_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--cli-input-json",
        json.dumps(REQUEST),
        "--cli-input-yaml",
        YAML_REQUEST,
    )
    assert result.returncode == 252
    assert "not allowed with argument --cli-input-json" in result.stderr


def test_unknown_member_in_input_is_a_parameter_validation_error(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--cli-input-json",
        json.dumps({**REQUEST, "Colour": "red"}),
    )
    assert result.returncode == 252
    assert 'Unknown parameter in input: "Colour"' in result.stderr


def test_a_string_where_the_document_needs_a_boolean_is_not_converted(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--cli-input-json",
        json.dumps({**REQUEST, "DryRun": "true"}),
    )
    assert result.returncode == 252
    assert "Invalid type for parameter DryRun" in result.stderr


def test_invalid_yaml_input_is_reported_without_quoting_it(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "encrypt",
        "--cli-input-yaml",
        'KeyId: x\nPlaintext: "c2VjcmV0IHBhc3N3b3Jk',
    )
    assert result.returncode == 252
    assert result.stderr.startswith("\nError parsing parameter 'cli-input-yaml': Invalid YAML: ")
    assert "c2VjcmV0" not in result.stderr


@pytest.mark.parametrize(
    ("line", "context"),
    [("approved: yes", {"approved": "yes"}), ("at: 12:30", {"at": "12:30"})],
    ids=["yes-is-no-boolean", "no-sexagesimal-numbers"],
)
def test_yaml_input_reads_plain_scalars_as_yaml_1_2_does(
    tmp_path: Path, line: str, context: dict[str, str]
) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    document = "\n".join(
        ("KeyId: alias/demo", "KeyPairSpec: ECC_NIST_P256", "EncryptionContext:", f"  {line}")
    )
    pair = kmspair_json(
        home, "generate-data-key-pair-without-plaintext", "--cli-input-yaml", document
    )
    opened = kmspair_cli(
        home,
        *("decrypt", "--ciphertext-blob", pair["PrivateKeyCiphertextBlob"]),
        *("--encryption-context", json.dumps(context)),
    )
    assert opened.returncode == 0, opened.stderr


def test_yaml_input_reads_an_integer_with_a_leading_zero_as_decimal_as_yaml_1_2_does(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    key_id = create_demo_key(home)
    document = f"KeyId: {key_id}\nPendingWindowInDays: 010\n"
    scheduled = kmspair_json(home, "schedule-key-deletion", "--cli-input-yaml", document)
    assert scheduled["PendingWindowInDays"] == 10


def test_yaml_input_with_a_value_its_tag_cannot_read_is_a_parameter_error_not_quoting_it(
    tmp_path: Path,
) -> None:
    document = "KeyId: alias/demo\nPendingWindowInDays: !!int secret-ish\n"
    result = kmspair_cli(tmp_path / "home", "schedule-key-deletion", "--cli-input-yaml", document)
    assert result.returncode == 252
    assert result.stderr == (
        "\nError parsing parameter 'cli-input-yaml': Invalid YAML: a value does not read as "
        "its type\n"
    )
