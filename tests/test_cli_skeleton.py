"""``--generate-cli-skeleton [input|yaml-input|output]``: templates, never a request."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from test_cli_support import GENERATE_DEMO_PAIR, kmspair_cli


def test_input_skeleton_is_the_default_and_lists_every_request_member(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "generate-data-key-pair", "--generate-cli-skeleton")
    assert result.returncode == 0, result.stderr
    skeleton = json.loads(result.stdout)
    assert set(skeleton) == {
        "KeyId",
        "KeyPairSpec",
        "EncryptionContext",
        "GrantTokens",
        "Recipient",
        "DryRun",
    }
    assert skeleton["EncryptionContext"] == {"KeyName": ""}


def test_input_skeleton_feeds_back_as_cli_input_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(home, "generate-data-key-pair", "--generate-cli-skeleton", "input")
    skeleton = json.loads(result.stdout)
    assert skeleton["KeyPairSpec"] == "RSA_2048"  # deterministic: the first enum value


def test_yaml_input_skeleton_marks_required_members(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home", "generate-data-key-pair", "--generate-cli-skeleton", "yaml-input"
    )
    assert result.returncode == 0, result.stderr
    assert "KeyId: ''  # [REQUIRED]" in result.stdout
    assert set(yaml.safe_load(result.stdout)) >= {"KeyId", "KeyPairSpec", "EncryptionContext"}


def test_output_skeleton_prints_a_sample_response_without_a_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(
        home,
        "generate-data-key-pair",
        "--key-id",
        "alias/not-there",
        "--key-pair-spec",
        "ECC_NIST_P256",
        "--generate-cli-skeleton",
        "output",
    )
    assert result.returncode == 0, result.stderr
    sample = json.loads(result.stdout)
    assert {"PrivateKeyCiphertextBlob", "PublicKey", "KeyId", "KeyMaterialId"} <= set(sample)
    assert not home.exists()  # no keystore was even opened


def test_output_skeleton_refuses_missing_required_options(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--key-id",
        "alias/demo",
        "--generate-cli-skeleton",
        "output",
    )
    assert result.returncode == 252
    assert "the following arguments are required: --key-pair-spec" in result.stderr


def test_output_skeleton_refuses_a_key_pair_spec_kms_would_refuse(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--key-id",
        "alias/demo",
        "--key-pair-spec",
        "RSA_1024",
        "--generate-cli-skeleton",
        "output",
    )
    assert result.returncode == 254
    assert "Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint" in result.stderr


def test_output_skeleton_honours_output_format_and_query(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        *GENERATE_DEMO_PAIR,
        "--generate-cli-skeleton",
        "output",
        "--query",
        "KeyId",
        "--output",
        "text",
    )
    assert result.stdout == "KeyId\n"
