"""Automatic pagination of the list commands, as the aws CLI does it.

For an operation botocore can paginate (``list-keys``, ``list-aliases``, ``list-grants``,
``list-key-rotations``), ``aws kms`` follows the pages itself and prints one merged result,
holding only the listed items (no ``Truncated``, no ``NextMarker``), plus ``NextToken`` when
``--max-items`` stopped it early. ``--page-size`` sets the request's limit, ``--starting-token``
resumes from a ``NextToken``. The operation's own paging members (``--limit``, ``--marker``)
still work but are left out of the help, and giving one turns pagination off: the command
then sends exactly one request and prints its response as it is, as ``--no-paginate`` does.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..kms.model import paginator_configs
from .errors import CommandError

# The paging options the aws CLI adds, and their PaginationConfig names.
PAGING_OPTIONS = {
    "--starting-token": "StartingToken",
    "--page-size": "PageSize",
    "--max-items": "MaxItems",
}


def paging_members(operation: str) -> tuple[str, ...]:
    """The operation's own paging members (input token and limit), if botocore paginates it."""
    config = paginator_configs().get(operation)
    if config is None:
        return ()
    tokens = config["input_token"]
    members = [tokens] if isinstance(tokens, str) else list(tokens)
    if "limit_key" in config:
        members.append(config["limit_key"])
    return tuple(members)


def add_paging_options(parser: argparse.ArgumentParser) -> None:
    """The aws CLI's paging options, for a paginated operation's sub-command."""
    parser.add_argument(
        "--starting-token",
        dest="paging_StartingToken",
        default=argparse.SUPPRESS,
        metavar="TOKEN",
        help="where to start: the NextToken a previous truncated output printed",
    )
    for option, help_text in (
        ("--page-size", "items per request (the service's Limit); all are still listed"),
        ("--max-items", "list at most this many items, then print a NextToken to go on from"),
    ):
        parser.add_argument(
            option,
            dest=f"paging_{PAGING_OPTIONS[option]}",
            type=int,
            default=argparse.SUPPRESS,
            metavar="N",
            help=help_text,
        )


def pagination_config(
    args: argparse.Namespace, operation: str, params: dict[str, Any]
) -> dict[str, Any] | None:
    """The PaginationConfig to list with, or ``None`` to send one request as it is (not a
    paginated operation, ``--no-paginate``, or a paging member given by hand). A paging
    option given when pagination is off is refused as the aws CLI refuses it."""
    members = paging_members(operation)
    if not members:
        return None
    config = {
        name: getattr(args, f"paging_{name}")
        for name in PAGING_OPTIONS.values()
        if hasattr(args, f"paging_{name}")
    }
    if getattr(args, "no_paginate", False) or any(member in params for member in members):
        if config:
            given = ", ".join(option for option, name in PAGING_OPTIONS.items() if name in config)
            raise CommandError(
                "Error during pagination: Cannot specify --no-paginate along with pagination "
                f"arguments: {given}"
            )
        return None
    return config


def list_pages(client: Any, method: str, params: dict[str, Any], config: dict[str, Any]) -> Any:
    """botocore's page iterator over the listing (``build_full_result()`` merges the pages, as
    the aws CLI prints them except as text)."""
    return client.get_paginator(method).paginate(**params, PaginationConfig=config)
