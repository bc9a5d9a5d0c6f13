"""The list commands page as the aws CLI does: all items merged by default, ``--page-size``,
``--max-items`` with a ``NextToken`` to go on with ``--starting-token``, and one raw request
with ``--no-paginate`` or a paging member given by hand (embedded keystore)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_support import kmspair_cli, kmspair_json

pytestmark = pytest.mark.usefixtures("no_keystore_environment")


@pytest.fixture
def key_ids(tmp_path: Path) -> list[str]:
    """Three keys in the keystore at ``tmp_path``, in the order ListKeys lists them."""
    for _ in range(3):
        kmspair_json(tmp_path, "create-key")
    return [k["KeyId"] for k in kmspair_json(tmp_path, "list-keys")["Keys"]]


def test_list_keys_prints_every_key_and_nothing_about_pages(
    tmp_path: Path, key_ids: list[str]
) -> None:
    listed = kmspair_json(tmp_path, "list-keys", "--page-size", "1")
    assert list(listed) == ["Keys"]
    assert [k["KeyId"] for k in listed["Keys"]] == key_ids
    assert len(key_ids) == 3


def test_max_items_stops_early_with_a_next_token_that_resumes(
    tmp_path: Path, key_ids: list[str]
) -> None:
    first = kmspair_json(tmp_path, "list-keys", "--max-items", "2")
    assert [k["KeyId"] for k in first["Keys"]] == key_ids[:2]
    rest = kmspair_json(
        tmp_path, "list-keys", "--max-items", "2", "--starting-token", first["NextToken"]
    )
    assert [k["KeyId"] for k in rest["Keys"]] == key_ids[2:]
    assert "NextToken" not in rest


def test_a_limit_given_by_hand_sends_one_request_and_prints_it_raw(
    tmp_path: Path, key_ids: list[str]
) -> None:
    page = kmspair_json(tmp_path, "list-keys", "--limit", "2")
    assert [k["KeyId"] for k in page["Keys"]] == key_ids[:2]
    assert page["Truncated"] is True
    following = kmspair_json(tmp_path, "list-keys", "--marker", page["NextMarker"])
    assert [k["KeyId"] for k in following["Keys"]] == key_ids[2:]


def test_no_paginate_prints_the_first_response_as_it_is(tmp_path: Path, key_ids: list[str]) -> None:
    page = kmspair_json(tmp_path, "list-keys", "--no-paginate")
    assert page["Truncated"] is False
    assert [k["KeyId"] for k in page["Keys"]] == key_ids


def test_paging_options_with_pagination_off_are_refused_as_the_aws_cli_refuses_them(
    tmp_path: Path,
) -> None:
    done = kmspair_cli(tmp_path, "list-keys", "--limit", "2", "--max-items", "3")
    assert done.returncode == 255
    assert done.stderr == (
        "\nError during pagination: Cannot specify --no-paginate along with pagination "
        "arguments: --max-items\n"
    )
    assert done.stdout == ""


def test_the_query_applies_to_the_merged_result(tmp_path: Path, key_ids: list[str]) -> None:
    done = kmspair_cli(tmp_path, "list-keys", "--page-size", "1", "--query", "length(Keys)")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 3


def test_list_aliases_pages_too(tmp_path: Path) -> None:
    for name in ("alias/a", "alias/b", "alias/c"):
        kmspair_json(tmp_path, "create-key", "--alias", name)
    listed = kmspair_json(tmp_path, "list-aliases", "--page-size", "1")
    assert list(listed) == ["Aliases"]
    assert [a["AliasName"] for a in listed["Aliases"]] == ["alias/a", "alias/b", "alias/c"]


def test_the_help_shows_the_paging_options_and_hides_limit_and_marker(tmp_path: Path) -> None:
    shown = kmspair_cli(tmp_path, "list-keys", "--help").stdout
    for option in ("--starting-token", "--page-size", "--max-items", "--no-paginate"):
        assert option in shown
    assert "--limit" not in shown
    assert "--marker" not in shown
