"""``python -m kmspair [SPEC]``: generate a data key pair on the embedded local KMS.

A stand-in until the ``kmspair`` command line lands. Without ``--key-id`` it uses the KMS key
behind ``alias/kmspair-default``, creating both on first use, so it works with no setup. The
output is what ``aws kms generate-data-key-pair`` prints: JSON with base64 blobs.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from typing import Any

from botocore.exceptions import ClientError

from .exceptions import KmspairError
from .kms.client import KMSClient, client
from .specs import KEY_PAIR_SPECS

DEFAULT_ALIAS = "alias/kmspair-default"


def _context(pairs: list[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {pair!r}")
        context[key] = value
    return context


def _default_key(kms: KMSClient) -> str:
    aliases = kms.list_aliases()["Aliases"]
    if any(alias["AliasName"] == DEFAULT_ALIAS for alias in aliases):
        return DEFAULT_ALIAS
    key = kms.create_key(Description="kmspair default key")["KeyMetadata"]
    try:
        kms.create_alias(AliasName=DEFAULT_ALIAS, TargetKeyId=key["KeyId"])
    except kms.exceptions.AlreadyExistsException:
        kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)  # lost a race
    return DEFAULT_ALIAS


def _printable(response: dict[str, Any]) -> dict[str, Any]:
    return {
        name: base64.b64encode(value).decode() if isinstance(value, bytes) else value
        for name, value in response.items()
        if name != "ResponseMetadata"
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kmspair",
        description="Generate a data key pair with the embedded local KMS.",
    )
    parser.add_argument("spec", nargs="?", default="ECC_NIST_P256", choices=KEY_PAIR_SPECS)
    parser.add_argument(
        "--key-id", help=f"KMS key to seal the private key (default: {DEFAULT_ALIAS})"
    )
    parser.add_argument(
        "--encryption-context", nargs="*", default=[], metavar="KEY=VALUE", help="context pairs"
    )
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--home", help="keystore directory (default: $KMSPAIR_HOME, else per user)")
    parser.add_argument("--without-plaintext", action="store_true")
    args = parser.parse_args(argv)
    try:
        context = _context(args.encryption_context)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    try:
        kms = client(region_name=args.region, home=args.home)
        key_id = args.key_id or _default_key(kms)
        operation = (
            kms.generate_data_key_pair_without_plaintext
            if args.without_plaintext
            else kms.generate_data_key_pair
        )
        response = operation(KeyId=key_id, KeyPairSpec=args.spec, EncryptionContext=context)
    except ClientError as error:
        print(f"\n{error}", file=sys.stderr)
        return 254
    except KmspairError as error:
        print(f"kmspair: {error}", file=sys.stderr)
        return 255
    print(json.dumps(_printable(response), indent=4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
