"""The KeyPairSpec values of KMS ``GenerateDataKeyPair``."""

from __future__ import annotations

from .exceptions import UnknownKeyPairSpecError

#: Every KeyPairSpec, in the order of the KMS service model's ``DataKeyPairSpec`` enum.
KEY_PAIR_SPECS: tuple[str, ...] = (
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SM2",
    "ECC_NIST_EDWARDS25519",
)

RSA_SPECS: tuple[str, ...] = ("RSA_2048", "RSA_3072", "RSA_4096")


def require_spec(spec: object) -> str:
    """Return ``spec`` if it names a KeyPairSpec, else raise :class:`UnknownKeyPairSpecError`.

    The message matches the Rust core's word for word, so both backends fail alike.
    """
    if isinstance(spec, str) and spec in KEY_PAIR_SPECS:
        return spec
    # backslashreplace: an unpaired surrogate would make the message itself unprintable.
    shown = str(spec).encode("utf-8", "backslashreplace").decode("utf-8")
    raise UnknownKeyPairSpecError(
        f"Unknown KeyPairSpec '{shown}'; valid specs are {', '.join(KEY_PAIR_SPECS)}"
    )
