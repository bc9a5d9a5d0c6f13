"""``python -m kmspair [SPEC]``: generate one data key pair and print it as the aws CLI would.

A stand-in until the ``kmspair`` command line lands: the output has the keys of
``aws kms generate-data-key-pair`` that do not depend on a KMS key (blobs in base64).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys

from .exceptions import KmspairError
from .keypairs import generate_key_pair
from .specs import KEY_PAIR_SPECS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kmspair", description="Generate a KMS-format data key pair locally."
    )
    parser.add_argument("spec", nargs="?", default="ECC_NIST_P256", choices=KEY_PAIR_SPECS)
    parser.add_argument("--backend", choices=("rust", "python"), default=None)
    args = parser.parse_args(argv)
    try:
        private, public = generate_key_pair(args.spec, backend=args.backend)
    except KmspairError as error:
        print(f"kmspair: {error}", file=sys.stderr)
        return 255
    output = {
        "PrivateKeyPlaintext": base64.b64encode(private).decode(),
        "PublicKey": base64.b64encode(public).decode(),
        "KeyPairSpec": args.spec,
    }
    print(json.dumps(output, indent=4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
