"""``kmspair``'s entry point: parse, dispatch, and turn every failure into aws CLI v2's output
and exit status."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)

from ..exceptions import KmspairError
from .errors import (
    EXIT_CONFIG_ERROR,
    EXIT_OK,
    EXIT_OTHER_ERROR,
    EXIT_SERVICE_ERROR,
    EXIT_USAGE_ERROR,
    CommandError,
    ParamError,
    UsageError,
)
from .operations import command_operations
from .parser import build_parser
from .run import run_operation
from .serve import run_serve


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE_ERROR
    try:
        if args.command == "serve":
            return run_serve(args)
        status = run_operation(args, command_operations()[args.command], sys.stdout)
        sys.stdout.flush()  # a reader gone surfaces here, not in the flush at exit
        return status
    except ParamError as error:
        _report(str(error))
        return EXIT_USAGE_ERROR
    except UsageError as error:
        parser.commands.get(args.command, parser).error(str(error))
    except ClientError as error:
        _report(str(error))
        return EXIT_SERVICE_ERROR
    except ParamValidationError as error:
        _report(str(error))
        return EXIT_USAGE_ERROR
    except BrokenPipeError:
        # The reader of our output left (``| head``): as the aws CLI, no message and no
        # failure; stdout goes to /dev/null so that the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (NoCredentialsError, PartialCredentialsError, ProfileNotFound, NoRegionError) as error:
        _report(str(error))
        return EXIT_CONFIG_ERROR
    except (CommandError, BotoCoreError, KmspairError, OSError) as error:
        _report(str(error))
        return EXIT_OTHER_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # as the aws CLI: the message alone and 255, never a traceback
        _report(str(error))
        return EXIT_OTHER_ERROR


def _report(message: str) -> None:
    # The aws CLI starts every error with an empty line.
    print(f"\n{message}", file=sys.stderr)
