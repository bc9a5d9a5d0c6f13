"""``--output table``: the aws CLI's layout, checked against the original (``awscli``'s
``TableFormatter``, a test dependency) on the same data and terminal width."""

from __future__ import annotations

import argparse
import base64
import copy
import fcntl
import io
import json
import os
import pty
import struct
import sys
import termios
from pathlib import Path
from typing import Any

import jmespath
import pytest
from test_cli_support import create_demo_key, kmspair_cli

from kmspair.cli.table_output import determine_terminal_width, format_table

ACCOUNT = "111122223333"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"


def _ours(data: Any, title: str, width: int) -> str:
    stream = io.StringIO()
    format_table(data, title, stream, terminal_width=width)
    return stream.getvalue()


def _aws(data: Any, title: str, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the aws CLI prints for ``data`` (after ``--query``) on a ``width``-column terminal."""
    from awscli import table  # type: ignore[import-untyped]
    from awscli.formatter import TableFormatter  # type: ignore[import-untyped]

    # MultiTable asks for the width when it is made: a terminal of ``width`` columns.
    monkeypatch.setattr(table, "determine_terminal_width", lambda default_width=80: width)
    args = argparse.Namespace(query=None, color="off")
    data = copy.deepcopy(data)
    if not isinstance(data, (dict, list, str)):
        # The formatter looks for ResponseMetadata in the response before applying --query, so
        # a scalar, number or null reaches it only as the result of a query, as here.
        args.query = jmespath.compile("Result")
        data = {"Result": data}
    stream = io.StringIO()
    TableFormatter(args)(title, data, stream)
    return str(stream.getvalue())


def _blob(size: int, seed: int) -> str:
    return base64.b64encode(bytes((seed + 7 * i) % 256 for i in range(size))).decode("ascii")


DESCRIBE_KEY = {
    "KeyMetadata": {
        "AWSAccountId": ACCOUNT,
        "KeyId": MRK_ID,
        "Arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{MRK_ID}",
        "CreationDate": "2024-05-01T12:00:00.123000+00:00",
        "Enabled": True,
        "Description": "",
        "KeyUsage": "SIGN_VERIFY",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "ECC_NIST_P256",
        "KeySpec": "ECC_NIST_P256",
        "SigningAlgorithms": ["ECDSA_SHA_256"],
        "MultiRegion": True,
        "MultiRegionConfiguration": {
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {
                "Arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{MRK_ID}",
                "Region": "us-east-1",
            },
            "ReplicaKeys": [
                {"Arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{MRK_ID}", "Region": "eu-west-1"},
                {"Arn": f"arn:aws:kms:ap-east-1:{ACCOUNT}:key/{MRK_ID}", "Region": "ap-east-1"},
            ],
        },
    }
}
LIST_KEYS = {
    "Keys": [
        {"KeyId": KEY_ID, "KeyArn": KEY_ARN},
        {"KeyId": MRK_ID, "KeyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{MRK_ID}"},
    ],
    "Truncated": False,
}
LIST_ALIASES = {
    "Aliases": [
        {
            "AliasName": "alias/demo",
            "AliasArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/demo",
            "TargetKeyId": KEY_ID,
            "CreationDate": "2024-05-01T12:00:00+00:00",
            "LastUpdatedDate": "2024-05-01T12:00:00+00:00",
        },
        # An AWS managed alias with no key yet: the missing cells are left blank.
        {"AliasName": "alias/aws/s3", "AliasArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/s3"},
    ]
}
GENERATE_DATA_KEY_PAIR = {
    "PrivateKeyCiphertextBlob": _blob(1400, 1),
    "PrivateKeyPlaintext": _blob(1217, 2),
    "PublicKey": _blob(294, 3),
    "KeyId": KEY_ARN,
    "KeyPairSpec": "RSA_2048",
    "KeyMaterialId": "a1" * 32,
}
LIST_GRANTS = {
    "Grants": [
        {
            "KeyId": KEY_ARN,
            "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
            "Name": "payments",
            "CreationDate": "2024-05-01T12:00:00+00:00",
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/payments",
            "RetiringPrincipal": f"arn:aws:iam::{ACCOUNT}:role/admin",
            "IssuingAccount": f"arn:aws:iam::{ACCOUNT}:root",
            "Operations": ["Decrypt", "GenerateDataKeyPair"],
            "Constraints": {"EncryptionContextSubset": {"order": "42", "team": "payments"}},
        },
        {
            "KeyId": KEY_ARN,
            "GrantId": "91ad875e49b04a9d1f3bdeb84d821f9db6ea95e1098813f6d47f0c65fbe2a172",
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/reports",
            "IssuingAccount": f"arn:aws:iam::{ACCOUNT}:root",
            "Operations": ["Encrypt"],
            "Constraints": {"EncryptionContextEquals": {"report": "monthly"}},
        },
    ],
    "Truncated": False,
}

# (title, data after --query, terminal width), by what each covers.
_COMPARED: dict[str, tuple[str, Any, int]] = {
    "describe-key": ("DescribeKey", DESCRIBE_KEY, 80),
    "describe-key at 40 columns": ("DescribeKey", DESCRIBE_KEY, 40),
    "describe-key at 200 columns": ("DescribeKey", DESCRIBE_KEY, 200),
    "list-keys": ("ListKeys", LIST_KEYS, 80),
    "list-keys at 200 columns": ("ListKeys", LIST_KEYS, 200),
    "list-aliases with a missing cell": ("ListAliases", LIST_ALIASES, 80),
    "list-aliases at 200 columns": ("ListAliases", LIST_ALIASES, 200),
    "generate-data-key-pair blobs": ("GenerateDataKeyPair", GENERATE_DATA_KEY_PAIR, 80),
    "generate-data-key-pair at 40 columns": ("GenerateDataKeyPair", GENERATE_DATA_KEY_PAIR, 40),
    "list-grants with constraints": ("ListGrants", LIST_GRANTS, 80),
    "list-grants at 200 columns": ("ListGrants", LIST_GRANTS, 200),
    "query: a string": ("DescribeKey", "ECC_NIST_P256", 80),
    "query: a number": ("GenerateDataKeyPair", 64, 80),
    "query: true": ("DescribeKey", True, 80),
    "query: false": ("DescribeKey", False, 80),
    "query: zero": ("ListKeys", 0, 80),
    "query: null": ("DescribeKey", None, 80),
    "query: empty string": ("DescribeKey", "", 80),
    "query: list of scalars": ("ListAliases", ["alias/demo", "alias/aws/s3", 3, None], 80),
    "query: list of lists": ("ListAliases", [["alias/demo", KEY_ID], ["alias/x", MRK_ID]], 80),
    "query: list mixing scalars and lists": ("ListKeys", [KEY_ID, [MRK_ID], [[KEY_ID]]], 80),
    "query: multiselect hash": (
        "DescribeKey",
        {"Id": KEY_ID, "Spec": "ECC_NIST_P256", "Algorithms": ["ECDSA_SHA_256"]},
        80,
    ),
    "query: multiselect hash of one scalar": ("DescribeKey", {"State": "Enabled"}, 80),
    "query: list of multiselect hashes": (
        "ListAliases",
        [{"Name": "alias/demo", "Target": KEY_ID}, {"Name": "alias/x", "Target": None}],
        80,
    ),
    "empty list": ("ListKeys", [], 80),
    "empty dict": ("DescribeKey", {}, 80),
    "empty nested values": ("ListAliases", {"Aliases": [], "Tags": {}, "Truncated": False}, 80),
    "unicode": (
        "DescribeKey",
        {"KeyMetadata": {"Description": "clé — 支払い用の鍵", "KeyId": KEY_ID}},
        80,
    ),
    "unicode at 40 columns": ("DescribeKey", {"Description": "支払い用の鍵 " * 5, "Id": "x"}, 40),
}


@pytest.mark.parametrize(("title", "data", "width"), _COMPARED.values(), ids=_COMPARED.keys())
def test_table_is_the_aws_clis(
    title: str, data: Any, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _ours(data, title, width) == _aws(data, title, width, monkeypatch)


def test_scalars_of_a_dict_are_sorted_by_name_above_its_nested_sections() -> None:
    data = {"KeyState": "Enabled", "Tags": {"team": "payments"}, "Enabled": True}
    assert _ours(data, "Op", 80) == (
        "-------------------------\n"
        "|          Op           |\n"
        "+----------+------------+\n"
        "|  Enabled | KeyState   |\n"
        "+----------+------------+\n"
        "|  True    |  Enabled   |\n"
        "+----------+------------+\n"
        "||        Tags         ||\n"
        "|+-------+-------------+|\n"
        "||  team |  payments   ||\n"
        "|+-------+-------------+|\n"
    )


def test_every_section_is_stretched_to_the_widest() -> None:
    data = {"Id": "k", "Nested": {"Name": "a much longer value than the rest"}}
    lines = _ours(data, "Op", 80).splitlines()
    assert len({len(line) for line in lines}) == 1


def test_a_list_of_scalars_is_one_column_as_wide_as_its_section() -> None:
    assert _ours({"Aliases": ["alias/a", "alias/longer-name"]}, "ListAliases", 80) == (
        "-------------------------\n"
        "|      ListAliases      |\n"
        "+-----------------------+\n"
        "||       Aliases       ||\n"
        "|+---------------------+|\n"
        "||  alias/a            ||\n"
        "||  alias/longer-name  ||\n"
        "|+---------------------+|\n"
    )


def test_a_row_wider_than_the_terminal_turns_into_name_value_rows() -> None:
    data = {"KeyId": "k" * 30, "Arn": "a" * 40, "State": "x"}
    wide = _ours(data, "Op", 100).splitlines()
    narrow = _ours(data, "Op", 60).splitlines()
    assert len(narrow[0]) <= 60 < len(wide[0])
    assert [cell.strip() for cell in wide[3].split("|")[1:-1]] == ["Arn", "KeyId", "State"]
    assert [cell.strip() for cell in narrow[3].split("|")[1:-1]] == ["Arn", "a" * 40]


def test_a_scalar_query_result_prints_only_the_title() -> None:
    assert _ours("ECC_NIST_P256", "DescribeKey", 80) == (
        "-------------\n|DescribeKey|\n+-----------+\n"
    )


@pytest.mark.parametrize("data", [None, 0, False, "", [], {}], ids=repr)
def test_an_empty_or_false_result_prints_nothing(data: Any) -> None:
    assert _ours(data, "DescribeKey", 80) == ""


def test_wide_characters_take_two_columns() -> None:
    lines = _ours({"Description": "暗号鍵"}, "DescribeKey", 80).splitlines()
    assert lines[3] == "|  Description |  暗号鍵  |"
    assert len(lines[3]) == len(lines[0]) - 3  # three characters, six columns


def test_a_ragged_list_fails_as_in_the_aws_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    data = [["alias/demo", KEY_ID], ["alias/x"]]
    with pytest.raises(ValueError) as aws_error:
        _aws(data, "ListAliases", 80, monkeypatch)
    with pytest.raises(ValueError) as our_error:
        _ours(data, "ListAliases", 80)
    assert str(our_error.value) == str(aws_error.value)


def test_terminal_width_is_80_when_stdout_is_not_a_terminal_whatever_columns_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from awscli.table import (  # type: ignore[import-untyped]
        determine_terminal_width as aws_terminal_width,
    )

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert determine_terminal_width() == aws_terminal_width() == 80


def test_terminal_width_is_that_of_the_terminal_on_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    from awscli.table import determine_terminal_width as aws_terminal_width

    controller, terminal = pty.openpty()
    try:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("hhhh", 24, 57, 0, 0))
        with os.fdopen(terminal, "w", closefd=False) as stdout:
            monkeypatch.setattr(sys, "stdout", stdout)
            assert determine_terminal_width() == aws_terminal_width() == 57
    finally:
        os.close(terminal)
        os.close(controller)


def test_cli_describe_key_table_is_the_aws_clis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    create_demo_key(home)
    described = kmspair_cli(home, "describe-key", "--key-id", "alias/demo")
    table = kmspair_cli(home, "describe-key", "--key-id", "alias/demo", "--output", "table")
    assert table.returncode == 0, table.stderr
    # The CLI's stdout is a pipe, not a terminal: both lay out for 80 columns.
    assert table.stdout == _aws(json.loads(described.stdout), "DescribeKey", 80, monkeypatch)
