"""``python -m kmspair.server [--host H] [--port P] [--home DIR] [--credentials FILE]
[--workers N]``."""

from __future__ import annotations

import argparse
import logging
import sys

from kmspair.kms.keystore_errors import KeystoreError

from .identities import CredentialsFileError
from .runner import DEFAULT_HOST, DEFAULT_PORT, MAX_WORKERS, Listening, check_workers, serve


def workers_option(text: str) -> int:
    """argparse's type for --workers."""
    try:
        return check_workers(int(text))
    except ValueError as error:
        message = f"invalid int value: {text!r}" if "invalid literal" in str(error) else error
        raise argparse.ArgumentTypeError(str(message)) from None


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
    parser.add_argument(
        "--workers",
        type=workers_option,
        default=1,
        metavar="N",
        help=f"worker processes on the one port (default 1, at most {MAX_WORKERS}; more than 1 "
        "needs os.fork): one process is held by its GIL to about one core, N use N; the key "
        "pool ($KMSPAIR_POOL) is per worker",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def announce(server: Listening) -> None:
        print(f"kmspair KMS endpoint listening on {server.url}", file=sys.stderr, flush=True)

    try:
        serve(
            args.host,
            args.port,
            args.home,
            args.credentials,
            ready=announce,
            workers=args.workers,
        )
    except (CredentialsFileError, KeystoreError, OSError) as error:
        print(f"kmspair serve: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
