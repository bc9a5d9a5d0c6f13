"""``python -m kmspair.server [--host H] [--port P] [--home DIR] [--credentials FILE]``."""

from __future__ import annotations

import argparse
import logging
import sys

from kmspair.kms.keystore_errors import KeystoreError

from .identities import CredentialsFileError
from .runner import DEFAULT_HOST, DEFAULT_PORT, Server, serve


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve until SIGTERM or Ctrl-C; the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m kmspair.server",
        description="Serve the local KMS over the AWS KMS JSON protocol (SigV4 verified).",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument(
        "--home",
        help="keystore directory (default: $KMSPAIR_HOME, else the per-user data directory)",
    )
    parser.add_argument(
        "--credentials",
        metavar="FILE",
        help="JSON file mapping access key ids to secret_access_key, account_id and principal "
        "(default: the single identity test/test in account 111122223333)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def announce(server: Server) -> None:
        print(f"kmspair KMS endpoint listening on {server.url}", file=sys.stderr, flush=True)

    try:
        serve(args.host, args.port, args.home, args.credentials, ready=announce)
    except (CredentialsFileError, KeystoreError, OSError) as error:
        print(f"kmspair serve: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
