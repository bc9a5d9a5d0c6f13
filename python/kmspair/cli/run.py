"""Running one operation: gather the request, then skeleton, call and print, as ``aws kms``."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

import botocore
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters

from ..kms.aliases import check_alias_name
from ..kms.errors import KMSError
from ..kms.validation import validate
from .cli_input import load_cli_input
from .clients import open_client, output_of, region_of
from .errors import CommandError, UsageError
from .formats import compile_query, emit, emit_text_pages, printable
from .keyfiles import check_key_paths, write_private_key, write_public_key
from .operations import cli_name, input_shape, output_shape
from .pagination import list_pages, pagination_config
from .skeleton import input_skeleton, output_skeleton, yaml_input_skeleton
from .values import from_command_line

# How long a key created by ``create-key --alias`` waits for deletion when its alias cannot be
# made: the shortest window KMS allows, so a failed command leaves as little behind as it can.
_ROLLBACK_WINDOW_DAYS = 7


def run_operation(args: argparse.Namespace, operation: str, stdout: TextIO) -> int:
    """Run ``operation`` (an API name) as ``args`` say; errors propagate to the caller."""
    shape = input_shape(operation)
    skeleton = args.generate_cli_skeleton
    if skeleton == "input":
        stdout.write(json.dumps(input_skeleton(shape), indent=4) + "\n")
        return 0
    if skeleton == "yaml-input":
        stdout.write(yaml_input_skeleton(shape))
        return 0
    params = request_parameters(args, shape)
    private_out: str | None = getattr(args, "kmspair_private_key_out", None)
    public_out: str | None = getattr(args, "kmspair_public_key_out", None)
    check_key_paths(private_out, public_out)
    if private_out is not None and "Recipient" in params:
        raise UsageError(
            "argument --private-key-out: not allowed with --recipient "
            "(the response then carries no plaintext private key)"
        )
    output = output_of(getattr(args, "output", None), getattr(args, "profile", None))
    if output not in ("json", "text", "table", "yaml"):
        raise UsageError(f"argument --output: invalid choice: {output!r}")
    query = compile_query(getattr(args, "query", None))
    if skeleton == "output":
        if shape is not None:
            validate_parameters(params, shape)  # botocore's client-side checks, as a call would
            _validate_as_kms(operation, params)  # and the service's syntax checks (enums, ...)
        sample = output_skeleton(output_shape(operation))
        emit(sample, output=output, query=query, title=operation, stream=stdout)
        return 0
    alias: str | None = getattr(args, "kmspair_alias", None)
    if alias is not None:
        _check_alias(alias)  # a name that cannot be made would leave the key behind, unnamed
    paging = pagination_config(args, operation, params)
    profile = getattr(args, "profile", None)
    kms = open_client(
        region=region_of(getattr(args, "region", None), profile),
        endpoint_url=getattr(args, "endpoint_url", None),
        home=getattr(args, "home", None),
        profile=profile,
    )
    method = botocore.xform_name(operation)
    if paging is None:
        response: dict[str, Any] = getattr(kms, method)(**params)
    else:
        pages = list_pages(kms, method, params, paging)
        if output == "text":
            emit_text_pages(pages, query=query, stream=stdout)
            return 0
        response = pages.build_full_result()
    if alias is not None:
        _create_alias(kms, alias, response["KeyMetadata"]["KeyId"])
    failure: CommandError | None = None
    try:
        if private_out is not None:
            # Written to a 0600 file, the private key stays out of the terminal and its logs,
            # even when the file cannot be written: PrivateKeyCiphertextBlob still opens it.
            plaintext = response.pop("PrivateKeyPlaintext")
            write_private_key(private_out, plaintext)
        if public_out is not None:
            write_public_key(public_out, response["PublicKey"])
    except CommandError as error:
        failure = error  # the response is printed first: the pair is not lost with the file
    emit(printable(response), output=output, query=query, title=operation, stream=stdout)
    if failure is not None:
        raise failure
    return 0


def request_parameters(args: argparse.Namespace, shape: Any) -> dict[str, Any]:
    """The request: ``--cli-input-json``/``-yaml`` overridden member by member by options."""
    params = load_cli_input(args.cli_input_json, args.cli_input_yaml, shape)
    if shape is None:
        return params
    for member, member_shape in shape.members.items():
        dest = f"member_{member}"
        if hasattr(args, dest):
            params[member] = from_command_line(
                member_shape, getattr(args, dest), f"--{cli_name(member)}"
            )
    missing = [f"--{cli_name(m)}" for m in shape.required_members if m not in params]
    if missing:
        raise UsageError(f"the following arguments are required: {', '.join(missing)}")
    return params


def _validate_as_kms(operation: str, params: dict[str, Any]) -> None:
    # The syntax check KMS makes first (spec §2 row 1), without a keystore or a request: an
    # output skeleton for an impossible request would mislead. Reported as the call would be.
    try:
        validate(operation, params)
    except KMSError as error:
        raise _as_client_error(error, operation) from None


def _check_alias(alias: str) -> None:
    """CreateAlias's checks of the name alone, made before ``create-key --alias`` creates a key:
    the error is the one CreateAlias would give, and no key is made for nothing."""
    try:
        validate("CreateAlias", {"AliasName": alias, "TargetKeyId": "unchecked"})
        check_alias_name(alias)
    except KMSError as error:
        raise _as_client_error(error, "CreateAlias") from None


def _as_client_error(error: KMSError, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": error.code, "Message": error.message or ""}}, operation)


def _create_alias(kms: Any, alias: str, key_id: str) -> None:
    try:
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    except Exception:
        # The command failed as a whole: do not leave an unnamed key behind, enabled.
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=_ROLLBACK_WINDOW_DAYS)
        raise
