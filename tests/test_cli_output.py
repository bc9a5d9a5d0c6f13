"""``--output json|text|table|yaml`` and ``--query``, printed as the aws CLI prints them."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml
from test_cli_support import create_demo_key, kmspair_cli, with_aws_config

GENERATE = (
    "generate-data-key-pair-without-plaintext",
    "--key-id",
    "alias/demo",
    "--key-pair-spec",
    "ECC_NIST_P256",
)


def test_query_selects_from_the_response(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_id = create_demo_key(home)
    result = kmspair_cli(home, *GENERATE, "--query", "KeyId")
    assert result.stdout == f'"arn:aws:kms:us-east-1:111122223333:key/{key_id}"\n'


def test_query_with_a_multiselect_list(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, *GENERATE, "--query", "[KeyPairSpec, length(KeyMaterialId)]")
    assert result.stdout == '[\n    "ECC_NIST_P256",\n    64\n]\n'


def test_bad_query_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", *GENERATE, "--query", "[unclosed")
    assert result.returncode == 252
    assert "Bad value for --query" in result.stderr


def test_text_output_is_tab_separated_in_key_order(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_id = create_demo_key(home)
    result = kmspair_cli(home, *GENERATE, "--output", "text")
    fields = result.stdout.rstrip("\n").split("\t")
    # KeyId, KeyMaterialId, KeyPairSpec, PrivateKeyCiphertextBlob, PublicKey: sorted by name.
    assert fields[0] == f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"
    assert fields[2] == "ECC_NIST_P256"
    assert len(fields) == 5


def test_text_output_of_a_list_leads_each_line_with_its_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, "list-aliases", "--output", "text")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ALIASES\tarn:aws:kms:us-east-1:111122223333:alias/demo\t")


def test_text_output_prints_a_dicts_scalars_before_its_lists(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, "list-aliases", "--no-paginate", "--output", "text")
    lines = result.stdout.splitlines()
    assert lines[0] == "False"  # Truncated, from the one raw response
    assert lines[1].startswith("ALIASES\t")


def test_table_output_is_titled_with_the_operation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, *GENERATE, "--output", "table")
    lines = result.stdout.splitlines()
    assert lines[1].strip("| ") == "GenerateDataKeyPairWithoutPlaintext"
    assert any(line.startswith("|  KeyPairSpec ") and "ECC_NIST_P256" in line for line in lines)
    assert len({len(line) for line in lines}) == 1  # a rectangle


def test_yaml_output_loads_to_the_json_output(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, *GENERATE, "--output", "yaml")
    document = yaml.safe_load(result.stdout)
    assert document["KeyPairSpec"] == "ECC_NIST_P256"
    assert next(iter(document)) == "PrivateKeyCiphertextBlob"  # response order, not sorted


def test_global_options_may_come_before_the_operation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, "--output", "text", "--query", "KeyPairSpec", *GENERATE)
    assert result.stdout == "ECC_NIST_P256\n"


def test_an_empty_response_prints_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(home, "disable-key", "--key-id", "alias/demo")
    assert (result.returncode, result.stdout) == (0, "")


def test_the_aws_config_files_output_setting_is_the_default_format(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = with_aws_config(home, "[default]\noutput = text\n")
    result = kmspair_cli(home, "generate-random", "--number-of-bytes", "8", env=env)
    assert result.returncode == 0, result.stderr
    assert not result.stdout.startswith("{")
    assert len(base64.b64decode(result.stdout.strip())) == 8
