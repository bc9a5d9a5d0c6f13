"""``python -m kmspair``: one pair, printed as the aws CLI prints generate-data-key-pair."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

from cryptography.hazmat.primitives import serialization


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kmspair", *args], capture_output=True, text=True, check=False
    )


def test_prints_a_pair_of_the_named_spec_as_base64_json() -> None:
    result = run("ECC_NIST_P384")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"PrivateKeyPlaintext", "PublicKey", "KeyPairSpec"}
    assert output["KeyPairSpec"] == "ECC_NIST_P384"
    key = serialization.load_der_private_key(
        base64.b64decode(output["PrivateKeyPlaintext"]), password=None
    )
    assert key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == base64.b64decode(output["PublicKey"])


def test_defaults_to_ecc_nist_p256() -> None:
    assert json.loads(run().stdout)["KeyPairSpec"] == "ECC_NIST_P256"


def test_an_unknown_spec_is_a_usage_error_listing_the_valid_ones() -> None:
    result = run("RSA_1024")
    assert result.returncode == 2
    assert "ECC_NIST_EDWARDS25519" in result.stderr
    assert result.stdout == ""
