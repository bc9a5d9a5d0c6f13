"""The ``before-call`` handler: a key pair made here, its private key encrypted by the backend.

For ``before-call.kms.GenerateDataKeyPair`` and ``...WithoutPlaintext`` the handler returns
botocore a complete answer, so the operation itself is never sent. In order:

1. read the request botocore serialized and check it locally (:mod:`.params`); a request with a
   ``Recipient`` is left alone and goes to the real operation;
2. generate the pair with :func:`kmspair.generate_key_pair` (the Rust core; from the key pool
   when one is configured);
3. call the backend's ``Encrypt`` on the PKCS#8 private key through the same client, with the
   caller's KeyId, EncryptionContext, GrantTokens and DryRun: same credentials, endpoint, region,
   retries and configuration;
4. answer with the pair, or with ``Encrypt``'s error unchanged.

A dry run generates nothing: ``Encrypt`` is asked about a 64-byte placeholder instead, and
when a backend ignores DryRun (moto does) and encrypts, the handler answers what KMS answers
once every check passed, ``DryRunOperationException``.
"""

from __future__ import annotations

import weakref
from typing import Any

from botocore.exceptions import ClientError

from ..keypairs import generate_key_pair
from ..kms.errors import KMSError
from . import responses
from .hygiene import scrub, unlogged_request, wipe
from .params import PairRequest, read_request

#: The operations the accelerator answers; every other one goes to the backend untouched.
OPERATIONS: tuple[str, ...] = ("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext")

#: What a dry run asks ``Encrypt`` to encrypt instead of a private key that was never made.
_DRY_RUN_PLACEHOLDER = bytes(64)

_DRY_RUN_SUCCEEDED = KMSError(
    "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
)


class PairGenerator:
    """The before-call handler of one KMS client.

    It holds the client weakly: the client's event emitter holds the handler, and a strong
    reference back would keep every accelerated client alive until the cycle collector ran.
    """

    def __init__(self, client: Any) -> None:
        self._client = weakref.ref(client)

    def __call__(self, model: Any, params: dict[str, Any], **_kwargs: Any) -> Any:
        if model.name not in OPERATIONS:
            return None  # every other call (its Encrypt included) goes to the backend
        client = self._client()
        if client is None:  # pragma: no cover - a dead client makes no calls
            return None
        url = str(client.meta.endpoint_url)
        try:
            request = read_request(model.name, params.get("body"), client.meta.region_name)
        except KMSError as error:
            return responses.local_error(url, model, error)
        if request is None:
            return None
        if request.dry_run:
            return _dry_run(client, url, model, request)
        return _generate(client, url, request)


def _dry_run(client: Any, url: str, model: Any, request: PairRequest) -> responses.Answer:
    try:
        client.encrypt(**request.encrypt_params(_DRY_RUN_PLACEHOLDER))
    except ClientError as error:
        return responses.backend_error(url, error.response)
    return responses.local_error(url, model, _DRY_RUN_SUCCEEDED)


def _generate(client: Any, url: str, request: PairRequest) -> responses.Answer:
    private_der, public_der = generate_key_pair(request.key_pair_spec)
    # From here on the key lives in `secret`, which is zeroed on every way out of this function;
    # the bytes the generator returned are released at once (Python cannot wipe them).
    secret = bytearray(private_der)
    del private_der
    try:
        try:
            with unlogged_request():
                encrypted = client.encrypt(**request.encrypt_params(secret))
        except ClientError as error:
            return responses.backend_error(url, error.response)
        except Exception as error:
            # Not a KMS answer (connection lost, timeout...): re-raised as it is, but without the
            # tracebacks and request objects that still hold the serialized private key.
            scrub(error)
            raise
        plaintext = bytes(secret) if request.with_plaintext else None
        return responses.pair(url, request.key_pair_spec, public_der, encrypted, plaintext)
    finally:
        wipe(secret)
        del secret
