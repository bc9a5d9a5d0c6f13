"""The argument parser: one sub-command per KMS operation, its options from the service model.

Usage errors exit 252 (aws CLI v2), after the usage line, as ``aws`` prints them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from ..specs import KEY_PAIR_SPECS
from .errors import EXIT_USAGE_ERROR
from .formats import OUTPUT_FORMATS
from .operations import cli_name, command_operations, input_shape, summary
from .pagination import add_paging_options, paging_members
from .serve import add_serve_options

SKELETON_KINDS = ("input", "yaml-input", "output")
# Operations that take extra, non-aws options (see run.py): name -> options.
KEY_OUT_OPERATIONS = {
    "GenerateDataKeyPair": ("--private-key-out", "--public-key-out"),
    "GenerateDataKeyPairWithoutPlaintext": ("--public-key-out",),
}


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors exit with aws CLI v2's status, 252."""

    #: Each operation's sub-parser by command name, to report usage errors found after parsing.
    commands: dict[str, Parser]

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> Parser:
    """The parser of the whole ``kmspair`` command line."""
    parser = Parser(
        prog="kmspair",
        description=(
            "AWS KMS, locally: the aws kms commands on the embedded keystore "
            "(or on an endpoint with --endpoint-url), and `kmspair serve`."
        ),
    )
    _add_global_options(parser)
    parser.commands = {}
    commands = parser.add_subparsers(dest="command", metavar="<operation>", title="operations")
    serve = commands.add_parser(
        "serve", help="serve the KMS JSON protocol over HTTP (aws CLI, boto3, SDKs)"
    )
    add_serve_options(serve)
    for command, operation in command_operations().items():
        sub = commands.add_parser(command, help=summary(operation), description=summary(operation))
        _add_operation_options(sub, operation)
        _add_global_options(sub)
        parser.commands[command] = sub
    return parser


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS defaults let a global option be given before or after the operation name: the
    # one given is set, and an absent one does not overwrite it.
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--output", choices=OUTPUT_FORMATS, default=argparse.SUPPRESS, help="output format"
    )
    group.add_argument(
        "--query", default=argparse.SUPPRESS, help="JMESPath query filtering the response"
    )
    group.add_argument("--region", default=argparse.SUPPRESS, help="AWS region (default us-east-1)")
    group.add_argument(
        "--endpoint-url",
        default=argparse.SUPPRESS,
        help="send the request to this KMS endpoint instead of the embedded keystore",
    )
    group.add_argument(
        "--profile", default=argparse.SUPPRESS, help="botocore profile (with --endpoint-url)"
    )
    group.add_argument(
        "--home",
        default=argparse.SUPPRESS,
        help="embedded keystore directory (default: $KMSPAIR_HOME, else per user)",
    )
    group.add_argument(
        "--no-paginate",
        action="store_true",
        default=argparse.SUPPRESS,
        help="list commands: send one request and print its response as it is",
    )


def _add_operation_options(parser: argparse.ArgumentParser, operation: str) -> None:
    shape = input_shape(operation)
    members: dict[str, Any] = dict(shape.members) if shape is not None else {}
    required = set(shape.required_members) if shape is not None else set()
    # As the aws CLI: a paginated operation's own paging members work but are not shown.
    hidden = paging_members(operation)
    for member, member_shape in members.items():
        _add_member_option(parser, member, member_shape, member in required, member in hidden)
    if hidden:
        add_paging_options(parser)
    if operation == "CreateKey":
        parser.add_argument(
            "--alias",
            dest="kmspair_alias",
            metavar="NAME",
            help="also create this alias (e.g. alias/demo) for the new key (kmspair only)",
        )
    for option in KEY_OUT_OPERATIONS.get(operation, ()):
        kind = option.removeprefix("--").split("-")[0]
        parser.add_argument(
            option,
            dest=f"kmspair_{kind}_key_out",
            metavar="FILE",
            help=f"write the {kind} key to FILE, PEM or DER by extension .pem/.der (kmspair only)"
            + (
                "; created mode 0600, and left out of the printed output"
                if kind == "private"
                else ""
            ),
        )
    parser.add_argument(
        "--cli-input-json", metavar="JSON", help="the request as JSON, inline or file://path"
    )
    parser.add_argument(
        "--cli-input-yaml", metavar="YAML", help="the request as YAML, inline or file://path"
    )
    parser.add_argument(
        "--generate-cli-skeleton",
        nargs="?",
        const="input",
        choices=SKELETON_KINDS,
        help="print a request template (input, yaml-input) or, after validating the "
        "arguments, a sample response (output), without sending a request",
    )


def _add_member_option(
    parser: argparse.ArgumentParser, member: str, shape: Any, required: bool, hidden: bool
) -> None:
    option = f"--{cli_name(member)}"
    text = argparse.SUPPRESS if hidden else ("[required] " if required else "") + _type_help(shape)
    dest = f"member_{member}"
    if shape.type_name == "boolean":
        # --dry-run | --no-dry-run, as the aws CLI spells booleans.
        parser.add_argument(
            option,
            dest=dest,
            action=argparse.BooleanOptionalAction,
            default=argparse.SUPPRESS,
            help=text,
        )
        return
    # "*": the aws CLI takes a list option given with no value as an empty list.
    nargs = "*" if shape.type_name == "list" else None
    parser.add_argument(
        option, dest=dest, nargs=nargs, default=argparse.SUPPRESS, metavar="VALUE", help=text
    )


def _type_help(shape: Any) -> str:
    kind = shape.type_name
    if kind == "blob":
        return "blob: base64 text or fileb://path"
    if kind == "boolean":
        return "boolean"
    if kind == "map":
        return "map: JSON or shorthand k1=v1,k2=v2"
    if kind == "structure":
        return "structure: JSON or shorthand Name=value,..."
    if kind == "list":
        return f"list: space-separated values or JSON ({shape.member.type_name} items)"
    if shape.name == "DataKeyPairSpec":
        # The local KMS offers exactly these (spec §2); botocore's model also names ML_KEM_*.
        return "one of: " + ", ".join(KEY_PAIR_SPECS)
    if getattr(shape, "enum", None):
        return "one of: " + ", ".join(shape.enum)
    return str(kind)
