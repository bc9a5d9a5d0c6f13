"""Errors as the aws CLI prints them, with aws CLI v2's exit statuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_cli_support import (
    GENERATE_DEMO_PAIR,
    cli_environment,
    create_demo_key,
    kmspair_cli,
    with_aws_config,
)


def test_service_error_prints_the_aws_cli_line_and_exits_254(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--key-id",
        "alias/missing",
        "--key-pair-spec",
        "ECC_NIST_P256",
    )
    assert result.returncode == 254
    assert result.stderr == (
        "\nAn error occurred (NotFoundException) when calling the GenerateDataKeyPair operation: "
        "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found.\n"
    )
    assert result.stdout == ""


def test_validation_exception_is_a_service_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    result = kmspair_cli(
        home, "generate-data-key-pair", "--key-id", "alias/demo", "--key-pair-spec", "RSA_1024"
    )
    assert result.returncode == 254
    assert "(ValidationException) when calling the GenerateDataKeyPair operation: " in result.stderr


def test_missing_required_option_is_a_usage_error_exiting_252(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "generate-data-key-pair", "--key-pair-spec", "SM2")
    assert result.returncode == 252
    assert result.stderr.startswith("usage: kmspair generate-data-key-pair")
    assert "error: the following arguments are required: --key-id" in result.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "generate-data-key-pair", "--colour", "red")
    assert result.returncode == 252


def test_unknown_operation_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "sign")
    assert result.returncode == 252
    assert "invalid choice: 'sign'" in result.stderr


def test_unknown_output_format_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "list-keys", "--output", "xml")
    assert result.returncode == 252


def test_malformed_json_context_is_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        *GENERATE_DEMO_PAIR,
        "--encryption-context",
        '{"a": ',
    )
    assert result.returncode == 252
    assert "Invalid JSON" in result.stderr


def test_client_side_parameter_validation_exits_252(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "generate-data-key-pair",
        "--key-id",
        "",
        "--key-pair-spec",
        "ECC_NIST_P256",
    )
    assert result.returncode == 252
    assert "Parameter validation failed" in result.stderr


def test_unreachable_endpoint_exits_255(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_environment(home) | {"AWS_MAX_ATTEMPTS": "1"}
    result = kmspair_cli(home, "list-keys", "--endpoint-url", "http://127.0.0.1:9", env=env)
    assert result.returncode == 255
    assert "Could not connect to the endpoint URL" in result.stderr


def test_missing_input_file_is_a_parameter_error_naming_the_option(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home", "list-keys", "--cli-input-json", f"file://{tmp_path}/nope.json"
    )
    assert result.returncode == 252
    assert result.stderr.startswith(
        f"\nError parsing parameter 'cli-input-json': Unable to load paramfile file://{tmp_path}"
    )


def test_a_query_failing_at_run_time_prints_its_message_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(home, "create-key", "--query", "abs(KeyMetadata.KeyId)")
    assert result.returncode == 255
    assert result.stderr.startswith("\nIn function abs(), invalid type for value: ")


def test_output_cut_short_by_its_reader_is_no_error(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone (as ``| head`` once it has its lines)
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "kmspair", "generate-random", "--number-of-bytes", "16"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_environment(tmp_path / "home"),
            check=False,
        )
    finally:
        os.close(write_end)
    assert (writer.returncode, writer.stderr) == (0, "")


def test_a_named_profile_without_credentials_is_a_configuration_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = with_aws_config(home, "[profile empty]\nregion = us-east-1\n")
    result = kmspair_cli(
        home, "--profile", "empty", "--endpoint-url", "http://127.0.0.1:9", "list-keys", env=env
    )
    assert result.returncode == 253
    assert result.stderr.startswith("\nUnable to locate credentials")


def test_a_profile_that_does_not_exist_is_a_configuration_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = kmspair_cli(
        home, "--profile", "nowhere", "--endpoint-url", "http://127.0.0.1:9", "list-keys"
    )
    assert result.returncode == 253
    assert "The config profile (nowhere) could not be found" in result.stderr
