"""``--help`` on ``kmspair`` and every command; operations named as ``aws kms`` names them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_support import kmspair_cli

from kmspair.kms.service import OPERATIONS

KEBAB = {
    "GenerateDataKeyPair": "generate-data-key-pair",
    "GenerateDataKeyPairWithoutPlaintext": "generate-data-key-pair-without-plaintext",
    "ScheduleKeyDeletion": "schedule-key-deletion",
    "ListKeyRotations": "list-key-rotations",
}


def test_help_lists_every_local_kms_operation_in_kebab_case(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "--help")
    assert result.returncode == 0
    for operation, command in KEBAB.items():
        assert operation in OPERATIONS
        assert f"\n    {command} " in result.stdout or f"\n    {command}\n" in result.stdout
    assert "\n    serve " in result.stdout


def test_every_command_has_help(tmp_path: Path) -> None:
    # One process for all: --help of each command, run through the real entry point.
    script = (
        "import contextlib, io, sys\n"
        "from kmspair.cli import main\n"
        "from kmspair.cli.operations import command_operations\n"
        "for command in [*command_operations(), 'serve']:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            main([command, '--help'])\n"
        "        except SystemExit as exit:\n"
        "            assert exit.code == 0, command\n"
        "    assert out.getvalue().startswith(f'usage: kmspair {command}'), command\n"
        "print(len(command_operations()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(OPERATIONS)


def test_generate_data_key_pair_help_names_the_aws_cli_options(tmp_path: Path) -> None:
    result = kmspair_cli(tmp_path / "home", "generate-data-key-pair", "--help")
    for option in (
        "--key-id",
        "--key-pair-spec",
        "--encryption-context",
        "--grant-tokens",
        "--dry-run, --no-dry-run",
        "--cli-input-json",
        "--cli-input-yaml",
        "--generate-cli-skeleton",
        "--output",
        "--query",
        "--region",
        "--endpoint-url",
        "--private-key-out",
        "--public-key-out",
    ):
        assert option in result.stdout, option


@pytest.mark.parametrize("argv", [[], ["--output", "json"]])
def test_no_operation_prints_help_and_exits_252(tmp_path: Path, argv: list[str]) -> None:
    result = kmspair_cli(tmp_path / "home", *argv)
    assert result.returncode == 252
    assert "<operation>" in result.stderr
