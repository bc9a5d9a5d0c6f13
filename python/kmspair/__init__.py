"""kmspair: AWS KMS ``GenerateDataKeyPair``, done locally and fast.

>>> import kmspair
>>> private_key, public_key = kmspair.generate_key_pair("ECC_NIST_P256")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .accelerator import accelerate as accelerate
from .exceptions import (
    BackendUnavailableError,
    InvalidPoolConfigurationError,
    InvalidSealedBlobError,
    InvalidSealingKeyError,
    KeyGenerationError,
    KmspairError,
    NativeBackendUnavailableWarning,
    UnknownBackendError,
    UnknownKeyPairSpecError,
)
from .keypairs import generate_key_pair, generate_key_pairs
from .kms.boto3_client import boto3_client
from .kms.client import KMSClient, client
from .pool import configure_pool, pool_stats
from .specs import KEY_PAIR_SPECS

try:
    __version__ = version("kmspair")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "KEY_PAIR_SPECS",
    "BackendUnavailableError",
    "InvalidPoolConfigurationError",
    "InvalidSealedBlobError",
    "InvalidSealingKeyError",
    "KMSClient",
    "KeyGenerationError",
    "KmspairError",
    "NativeBackendUnavailableWarning",
    "UnknownBackendError",
    "UnknownKeyPairSpecError",
    "__version__",
    "boto3_client",
    "client",
    "configure_pool",
    "generate_key_pair",
    "generate_key_pairs",
    "pool_stats",
]
