"""The public key-pair functions: one pair, or a batch over all cores."""

from __future__ import annotations

from .backend import resolve


def generate_key_pair(spec: str, *, backend: str | None = None) -> tuple[bytes, bytes]:
    """Generate one key pair of the KMS ``KeyPairSpec`` ``spec``.

    Returns ``(private_key, public_key)``: the private key as DER PKCS#8, the public key as DER
    SubjectPublicKeyInfo, in the exact formats KMS ``GenerateDataKeyPair`` returns.
    ``backend`` is ``"rust"`` or ``"python"``; ``None`` means ``$KMSPAIR_BACKEND``, else rust.
    Raises :class:`~kmspair.exceptions.UnknownKeyPairSpecError` (a ``ValueError``) for an
    unknown spec.
    """
    return resolve(backend).generate_key_pair(spec)


def generate_key_pairs(
    spec: str, count: int, *, backend: str | None = None, threads: int | None = None
) -> list[tuple[bytes, bytes]]:
    """Generate ``count`` key pairs of ``spec``, spread over ``threads`` threads.

    ``threads`` defaults to one per core. The Rust backend works with the GIL released, so
    other Python threads keep running meanwhile, and a signal (Ctrl-C: ``KeyboardInterrupt``)
    stops its batch once the pairs in progress are done.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative integer, not {count!r}")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise ValueError(f"threads must be a positive integer, not {threads!r}")
    return resolve(backend).generate_key_pairs(spec, count, threads)
