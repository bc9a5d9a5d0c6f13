"""The request as botocore serialized it, checked locally the way KMS checks it.

The before-call handler reads the JSON body botocore built rather than the caller's keyword
arguments: it is exactly what would go on the wire, after botocore's own client-side validation
and after any ``provide-client-params`` / ``before-parameter-build`` handler of the caller's had
its say. Decoding and checking reuse the local KMS's codec and validator, so a bad request fails
here with the very ``ValidationException`` (or ``SerializationException``) the local KMS and
``kmspair serve`` answer, before any network call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..kms import wire
from ..kms.arn import CHINA_REGIONS
from ..kms.errors import KMSError
from ..kms.validation import validate

#: The members the backend's ``Encrypt`` receives unchanged from the caller's request.
_FORWARDED = ("KeyId", "EncryptionContext", "GrantTokens", "DryRun")


@dataclass(frozen=True)
class PairRequest:
    """A GenerateDataKeyPair(WithoutPlaintext) request that passed the local checks."""

    operation: str
    key_pair_spec: str
    forwarded: dict[str, Any]
    """KeyId, EncryptionContext, GrantTokens, DryRun: those the caller sent, as sent."""

    @property
    def with_plaintext(self) -> bool:
        return self.operation == "GenerateDataKeyPair"

    @property
    def dry_run(self) -> bool:
        return self.forwarded.get("DryRun") is True

    def encrypt_params(self, plaintext: bytes | bytearray) -> dict[str, Any]:
        """Keyword arguments for the backend's ``Encrypt`` of ``plaintext``."""
        return dict(self.forwarded, Plaintext=plaintext)


def read_request(operation: str, body: object, region: str | None) -> PairRequest | None:
    """The checked request in ``body``, or ``None`` when it carries a ``Recipient`` (a Nitro
    enclave attestation: only the real operation can answer it, so it passes through).

    Raises :class:`~kmspair.kms.errors.KMSError` for what KMS rejects before looking at the
    key: request syntax (spec §2 check 1), then SM2 outside the China regions (check 1b).
    ``region`` is the client's region, the one the request will be signed for.
    """
    params = wire.decode_request(operation, _as_bytes(body))
    if params.get("Recipient") is not None:
        return None
    validate(operation, params)
    spec = params["KeyPairSpec"]
    if spec == "SM2" and region not in CHINA_REGIONS:
        raise KMSError(
            "UnsupportedOperationException", "KeyPairSpec SM2 is not supported in this region."
        )
    forwarded = {name: params[name] for name in _FORWARDED if params.get(name) is not None}
    return PairRequest(operation=operation, key_pair_spec=spec, forwarded=forwarded)


def _as_bytes(body: object) -> bytes:
    # The JSON serializer gives bytes; a str or an empty body are handled all the same.
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return b""
