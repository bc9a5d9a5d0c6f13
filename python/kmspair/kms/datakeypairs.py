"""GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (behaviour spec §2)."""

from __future__ import annotations

from typing import Any

from . import access, ciphertext
from .arn import CHINA_REGIONS
from .crypto import refuse_recipient
from .errors import KMSError
from .keyid import resolve_key_for_sealing
from .runtime import Runtime


def generate_data_key_pair(
    rt: Runtime, params: dict[str, Any], *, with_plaintext: bool
) -> dict[str, Any]:
    """A new key pair of ``KeyPairSpec``, its private key sealed under the KMS key.

    Check order: SM2 region (right after syntax), KeyId, authorization, key state, key usage
    and custom key store, grant tokens, DryRun (§2).
    """
    operation = "GenerateDataKeyPair" if with_plaintext else "GenerateDataKeyPairWithoutPlaintext"
    spec = params["KeyPairSpec"]
    if spec == "SM2" and rt.caller.region not in CHINA_REGIONS:
        raise KMSError(
            "UnsupportedOperationException", "KeyPairSpec SM2 is not supported in this region."
        )
    if with_plaintext:
        refuse_recipient(params)
    context = params.get("EncryptionContext")
    key, current_material_id = resolve_key_for_sealing(rt.store, rt.caller, params["KeyId"])
    access.check_key_use(
        rt.store,
        rt.caller,
        key,
        operation,
        params.get("GrantTokens"),
        context,
        custom_key_store_allowed=False,
    )
    access.check_dry_run(params.get("DryRun"))

    material_id, sealer = rt.current_sealer(key, current_material_id)
    header = ciphertext.header(key.arn, material_id)
    aad = ciphertext.associated_data(header, context)
    private, public, sealed = rt.backend.generate_sealed_key_pair(spec, sealer, aad)
    response = {
        "PrivateKeyCiphertextBlob": header + sealed,
        "PublicKey": public,
        "KeyId": key.arn,
        "KeyPairSpec": spec,
        "KeyMaterialId": material_id,
    }
    if with_plaintext:
        response["PrivateKeyPlaintext"] = private
    return response
