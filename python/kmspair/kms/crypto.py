"""Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .. import exceptions
from . import access, ciphertext
from .errors import KMSError, invalid_ciphertext, validation_error
from .keyid import resolve_key, resolve_key_for_sealing
from .records import KeyRecord
from .runtime import Runtime

_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def usable_key(
    rt: Runtime,
    key_id: str,
    operation: str,
    grant_tokens: list[str] | None,
    context: Mapping[str, str] | None,
) -> tuple[KeyRecord, str | None]:
    """The key ``key_id`` names, once it passed every check up to DryRun (§2 checks 2 to 6)
    for a request with encryption context ``context``, with the ID of its current material
    (for :func:`seal`)."""
    key, material_id = resolve_key_for_sealing(rt.store, rt.caller, key_id)
    access.check_key_use(rt.store, rt.caller, key, operation, grant_tokens, context)
    return key, material_id


def seal(
    rt: Runtime,
    key: KeyRecord,
    material_id: str | None,
    plaintext: bytes,
    context: Mapping[str, str] | None,
) -> tuple[bytes, str]:
    """A ciphertext blob of ``plaintext`` under the key's current material (``material_id``,
    as :func:`usable_key` read it), and that material's ID."""
    current, sealer = rt.current_sealer(key, material_id)
    header = ciphertext.header(key.arn, current)
    return header + sealer.seal(plaintext, ciphertext.associated_data(header, context)), current


def open_blob(
    rt: Runtime,
    blob: bytes,
    context: Mapping[str, str] | None,
    key_id: str | None,
    grant_tokens: list[str] | None,
    operation: str,
) -> tuple[KeyRecord, bytes, str]:
    """(key, plaintext, key material ID) of a blob, with Decrypt's checks and errors."""
    envelope = ciphertext.parse(blob)
    if envelope is None:
        raise invalid_ciphertext()
    named = resolve_key(rt.store, rt.caller, key_id) if key_id is not None else None
    key = rt.store.get_key(envelope.key_arn)
    # KMS keys are regional: a blob of another region's key names no key here (§6).
    if key is None or key.region != rt.caller.region:
        raise KMSError(
            "AccessDeniedException",
            "The ciphertext refers to a customer master key that does not exist, does not "
            "exist in this region, or you are not allowed to access.",
        )
    if named is not None and named.arn != key.arn:
        raise KMSError(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )
    access.check_key_use(rt.store, rt.caller, key, operation, grant_tokens, context)
    sealer = rt.sealer(key, envelope.key_material_id)
    if sealer is None:
        raise invalid_ciphertext()
    try:
        plaintext = sealer.open(envelope.sealed, envelope.associated_data(context))
    except exceptions.InvalidSealedBlobError:
        raise invalid_ciphertext() from None
    return key, plaintext, envelope.key_material_id


def encrypt(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    _require_symmetric_algorithm(params.get("EncryptionAlgorithm"))
    context = params.get("EncryptionContext")
    key, material_id = usable_key(
        rt, params["KeyId"], "Encrypt", params.get("GrantTokens"), context
    )
    access.check_dry_run(params.get("DryRun"))
    blob, _ = seal(rt, key, material_id, params["Plaintext"], context)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": access.SYMMETRIC}


def decrypt(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    _require_symmetric_algorithm(params.get("EncryptionAlgorithm"))
    refuse_recipient(params)
    key, plaintext, material_id = open_blob(
        rt,
        params["CiphertextBlob"],
        params.get("EncryptionContext"),
        params.get("KeyId"),
        params.get("GrantTokens"),
        "Decrypt",
    )
    access.check_dry_run(params.get("DryRun"))
    return {
        "KeyId": key.arn,
        "Plaintext": plaintext,
        "EncryptionAlgorithm": access.SYMMETRIC,
        "KeyMaterialId": material_id,
    }


def re_encrypt(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    _require_symmetric_algorithm(params.get("SourceEncryptionAlgorithm"))
    _require_symmetric_algorithm(params.get("DestinationEncryptionAlgorithm"))
    tokens = params.get("GrantTokens")
    source, plaintext, source_material = open_blob(
        rt,
        params["CiphertextBlob"],
        params.get("SourceEncryptionContext"),
        params.get("SourceKeyId"),
        tokens,
        "ReEncryptFrom",
    )
    context = params.get("DestinationEncryptionContext")
    destination, current = usable_key(
        rt, params["DestinationKeyId"], "ReEncryptTo", tokens, context
    )
    access.check_dry_run(params.get("DryRun"))
    blob, material = seal(rt, destination, current, plaintext, context)
    return {
        "CiphertextBlob": blob,
        "SourceKeyId": source.arn,
        "KeyId": destination.arn,
        "SourceEncryptionAlgorithm": access.SYMMETRIC,
        "DestinationEncryptionAlgorithm": access.SYMMETRIC,
        "SourceKeyMaterialId": source_material,
        "DestinationKeyMaterialId": material,
    }


def generate_data_key(
    rt: Runtime, params: dict[str, Any], *, with_plaintext: bool
) -> dict[str, Any]:
    operation = "GenerateDataKey" if with_plaintext else "GenerateDataKeyWithoutPlaintext"
    spec, count = params.get("KeySpec"), params.get("NumberOfBytes")
    if (spec is None) == (count is None):
        # [choice] AWS's wording for both "neither" and "both".
        raise validation_error("Please specify either number of bytes or key spec.")
    if with_plaintext:
        refuse_recipient(params)
    context = params.get("EncryptionContext")
    key, current = usable_key(rt, params["KeyId"], operation, params.get("GrantTokens"), context)
    access.check_dry_run(params.get("DryRun"))
    data_key = os.urandom(int(count) if count is not None else _DATA_KEY_BYTES[str(spec)])
    blob, material = seal(rt, key, current, data_key, context)
    response = {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": material}
    if with_plaintext:
        response["Plaintext"] = data_key
    return response


def generate_random(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    count = params.get("NumberOfBytes")
    if count is None:
        raise validation_error("NumberOfBytes is required.")
    refuse_recipient(params)
    return {"Plaintext": os.urandom(count)}


def _require_symmetric_algorithm(algorithm: str | None) -> None:
    if algorithm not in (None, access.SYMMETRIC):
        raise KMSError(
            "InvalidKeyUsageException",
            f"The encryption algorithm {algorithm} is not valid for a symmetric key.",
        )


def refuse_recipient(params: dict[str, Any]) -> None:
    # [choice] Recipient needs a Nitro Enclaves attestation document signed by AWS, which no
    # local KMS can verify; refused rather than silently ignored.
    if params.get("Recipient") is not None:
        raise KMSError(
            "UnsupportedOperationException",
            "Recipient (AWS Nitro Enclaves attestation) is not supported by kmspair.",
        )
