"""KeyMetadata as DescribeKey and CreateKey return it, and the KeySpec / KeyUsage rules."""

from __future__ import annotations

from typing import Any

from .records import KeyRecord

# Valid KeyUsage values per KeySpec (behaviour spec §4).
KEY_USAGES: dict[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"), ("GENERATE_VERIFY_MAC",)),
    **dict.fromkeys(("RSA_2048", "RSA_3072", "RSA_4096"), ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    **dict.fromkeys(
        ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"), ("SIGN_VERIFY", "KEY_AGREEMENT")
    ),
    **dict.fromkeys(
        ("ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"),
        ("SIGN_VERIFY",),
    ),
    "SM2": ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"),
}

_SIGNING = {
    "RSA": [
        "RSASSA_PSS_SHA_256",
        "RSASSA_PSS_SHA_384",
        "RSASSA_PSS_SHA_512",
        "RSASSA_PKCS1_V1_5_SHA_256",
        "RSASSA_PKCS1_V1_5_SHA_384",
        "RSASSA_PKCS1_V1_5_SHA_512",
    ],
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
    "ECC_NIST_EDWARDS25519": ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    "SM2": ["SM2DSA"],
    "ML_DSA": ["ML_DSA_SHAKE_256"],
}


def _algorithms(key: KeyRecord) -> dict[str, list[str]]:
    spec, usage = key.key_spec, key.key_usage
    family = "RSA" if spec.startswith("RSA") else "ML_DSA" if spec.startswith("ML_DSA") else spec
    if usage == "ENCRYPT_DECRYPT":
        if spec == "SYMMETRIC_DEFAULT":
            return {"EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}
        if family == "RSA":
            return {"EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}
        return {"EncryptionAlgorithms": ["SM2PKE"]}
    if usage == "SIGN_VERIFY":
        return {"SigningAlgorithms": list(_SIGNING[family])}
    if usage == "GENERATE_VERIFY_MAC":
        return {"MacAlgorithms": [spec.replace("HMAC_", "HMAC_SHA_")]}
    return {"KeyAgreementAlgorithms": ["ECDH"]}


def key_metadata(key: KeyRecord, current_material_id: str | None = None) -> dict[str, Any]:
    """The KeyMetadata structure of ``key``."""
    metadata: dict[str, Any] = {
        "AWSAccountId": key.account_id,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.creation_date,
        # PendingImport and PendingDeletion keys show Enabled: false (§4).
        "Enabled": key.key_state == "Enabled",
        "Description": key.description,
        "KeyUsage": key.key_usage,
        "KeyState": key.key_state,
        "Origin": key.origin,
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec,
        **_algorithms(key),
        "MultiRegion": key.multi_region,
    }
    if key.deletion_date is not None:
        metadata["DeletionDate"] = key.deletion_date
        metadata["PendingDeletionWindowInDays"] = key.pending_deletion_window_in_days
    if key.custom_key_store_id is not None:
        metadata["CustomKeyStoreId"] = key.custom_key_store_id
    if key.origin == "EXTERNAL":
        metadata["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
    if current_material_id is not None:
        metadata["CurrentKeyMaterialId"] = current_material_id
    return metadata
