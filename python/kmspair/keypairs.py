"""The public key-pair functions: one pair, or a batch over all cores."""

from __future__ import annotations

from .backend import resolve
from .specs import require_spec

#: The most pairs one batch makes: a million P-256 pairs already hold about 400 MB as Python
#: objects; beyond that a typo (2**40) would abort the process allocating, not fail cleanly.
MAX_PAIRS = 1_000_000
#: The most threads one batch starts (one per core is the default).
MAX_THREADS = 256


def generate_key_pair(spec: str, *, backend: str | None = None) -> tuple[bytes, bytes]:
    """Generate one key pair of the KMS ``KeyPairSpec`` ``spec``.

    Returns ``(private_key, public_key)``: the private key as DER PKCS#8, the public key as DER
    SubjectPublicKeyInfo, in the exact formats KMS ``GenerateDataKeyPair`` returns.
    ``backend`` is ``"rust"`` or ``"python"``; ``None`` means ``$KMSPAIR_BACKEND``, else rust.
    Raises :class:`~kmspair.exceptions.UnknownKeyPairSpecError` (a ``ValueError``) for an
    unknown spec.
    """
    return resolve(backend).generate_key_pair(require_spec(spec))


def generate_key_pairs(
    spec: str, count: int, *, backend: str | None = None, threads: int | None = None
) -> list[tuple[bytes, bytes]]:
    """Generate ``count`` key pairs of ``spec``, spread over ``threads`` threads.

    ``threads`` defaults to one per core. The Rust backend works with the GIL released, so
    other Python threads keep running meanwhile, and a signal (Ctrl-C: ``KeyboardInterrupt``)
    stops its batch once the pairs in progress are done. Raises
    :class:`~kmspair.exceptions.UnknownKeyPairSpecError` for an unknown spec and ``ValueError``
    for a ``count`` outside 0 to :data:`MAX_PAIRS` or ``threads`` outside 1 to
    :data:`MAX_THREADS`.
    """
    spec = require_spec(spec)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PAIRS:
        raise ValueError(f"count must be an integer from 0 to {MAX_PAIRS}, not {count!r}")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS
    ):
        raise ValueError(f"threads must be an integer from 1 to {MAX_THREADS}, not {threads!r}")
    return resolve(backend).generate_key_pairs(spec, count, threads)
