"""``python -m kmspair``: the ``kmspair`` command line (see :mod:`kmspair.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
