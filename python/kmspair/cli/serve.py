"""``kmspair serve``: the KMS JSON endpoint, from :mod:`kmspair.server` when it is installed."""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import sys
from typing import Any

from .errors import CommandError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4599
MAX_WORKERS = 64
WORKERS_HELP = (
    "worker processes serving on the one port (default 1; at most 64; more than 1 needs "
    "os.fork, so not on Windows): one process is held by its GIL to about one core, N use N. "
    "They share the keystore; the key pool (--pool) is per worker, so each keeps that many pairs"
)


def workers_option(text: str) -> int:
    """argparse's type for --workers: a number of workers this platform can run."""
    try:
        workers = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 1 <= workers <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_WORKERS}, not {workers}")
    if workers > 1 and not hasattr(os, "fork"):
        raise argparse.ArgumentTypeError(
            f"more than 1 worker needs os.fork(), which {sys.platform} does not have"
        )
    return workers


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``kmspair serve``."""
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port to listen on (0: any free port)"
    )
    parser.add_argument("--home", help="keystore directory (default: $KMSPAIR_HOME, else per user)")
    parser.add_argument(
        "--credentials",
        metavar="FILE",
        help="access key ids with their secrets, accounts and principals (default: test/test)",
    )
    parser.add_argument("--workers", type=workers_option, default=1, metavar="N", help=WORKERS_HELP)
    parser.add_argument(
        "--pool",
        metavar="SPEC=SIZE,...",
        help="keep key pairs ready, e.g. RSA_2048=32,RSA_4096=4 (default: $KMSPAIR_POOL, else off)",
    )
    parser.add_argument(
        "--pool-threads",
        type=int,
        metavar="N",
        help="background threads refilling the pool (default 1)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or Ctrl-C. The server module is imported only now, so the rest of
    the command line never pays for it, nor breaks without it."""
    try:
        server: Any = importlib.import_module("kmspair.server")
    except ModuleNotFoundError as error:
        if error.name != "kmspair.server":
            raise
        raise CommandError(
            "kmspair serve is not available yet: this installation has no kmspair.server"
        ) from None
    serve = getattr(server, "serve", None)
    if serve is None:
        raise CommandError("kmspair serve is not available yet: kmspair.server has no serve()")
    _configure_pool(args)
    # One log line per request is the server's contract; it logs through ``logging``.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    options: dict[str, Any] = {}
    parameters = inspect.signature(serve).parameters
    if "ready" in parameters:
        options["ready"] = _announce
    if args.workers != 1:
        if "workers" not in parameters:
            raise CommandError("kmspair serve: this kmspair.server has no --workers")
        options["workers"] = args.workers
    try:
        serve(
            host=args.host, port=args.port, home=args.home, credentials=args.credentials, **options
        )
    except ValueError as error:  # a credentials file without the documented shape
        raise CommandError(f"kmspair serve: {error}") from None
    return 0


def _configure_pool(args: argparse.Namespace) -> None:
    """Apply --pool / --pool-threads (or $KMSPAIR_POOL) before the first request, so a bad
    configuration stops the command instead of the first request."""
    from kmspair.exceptions import KmspairError
    from kmspair.pool import ENVIRONMENT_VARIABLE, configure_pool, stop_filling_here

    sizes = args.pool if args.pool is not None else os.environ.get(ENVIRONMENT_VARIABLE)
    if sizes is None and args.pool_threads is None:
        return
    if args.workers > 1:
        # Only the forked workers fill pools; threads started here would outlive the check.
        stop_filling_here()
    try:
        configure_pool(sizes, threads=args.pool_threads)
    except KmspairError as error:
        raise CommandError(f"kmspair serve: {error}") from None


def _announce(server: Any) -> None:
    print(f"kmspair KMS endpoint listening on {server.url}", file=sys.stderr, flush=True)
