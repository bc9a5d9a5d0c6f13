"""The ``kmspair`` command line: ``aws kms``'s commands on the local KMS, plus ``serve``.

``kmspair <operation> [options]`` runs one KMS operation on the embedded keystore, or on an
endpoint with ``--endpoint-url``, taking and printing what ``aws kms <operation>`` does.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
