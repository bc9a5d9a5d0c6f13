"""Every KeyPairSpec, from both backends, in exactly the formats KMS returns (behaviour spec §7)."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

import kmspair
from der import (
    BIT_STRING,
    CONTEXT_0,
    CONTEXT_1,
    INTEGER,
    NULL,
    OCTET_STRING,
    OID,
    SEQUENCE,
    TLV,
    oid,
    parse,
    public_spki_of,
)

RSA_ENCRYPTION = oid("1.2.840.113549.1.1.1")
EC_PUBLIC_KEY = oid("1.2.840.10045.2.1")
ED25519 = oid("1.3.101.112")
CURVES = {
    "ECC_NIST_P256": ("1.2.840.10045.3.1.7", 32, ec.SECP256R1),
    "ECC_NIST_P384": ("1.3.132.0.34", 48, ec.SECP384R1),
    "ECC_NIST_P521": ("1.3.132.0.35", 66, ec.SECP521R1),
    "ECC_SECG_P256K1": ("1.3.132.0.10", 32, ec.SECP256K1),
    "SM2": ("1.2.156.10197.1.301", 32, None),
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
# cryptography has no SM2 curve; SM2 keys are checked with the openssl command instead.
CRYPTOGRAPHY_SPECS = [s for s in kmspair.KEY_PAIR_SPECS if s != "SM2"]


@cache
def pair(spec: str, backend: str) -> tuple[bytes, bytes]:
    """One pair per (spec, backend) for the whole module: RSA_4096 takes about a second."""
    return kmspair.generate_key_pair(spec, backend=backend)


def algorithm_of(spec: str) -> list[tuple[int, bytes]]:
    if spec in RSA_BITS:
        return [(OID, RSA_ENCRYPTION), (NULL, b"")]
    if spec == "ECC_NIST_EDWARDS25519":
        return [(OID, ED25519)]
    return [(OID, EC_PUBLIC_KEY), (OID, oid(CURVES[spec][0]))]


def fields(tlv: TLV) -> list[tuple[int, bytes]]:
    return [(child.tag, child.value) for child in tlv.children()]


def test_private_key_is_pkcs8_v0_without_attributes(spec: str, backend: str) -> None:
    info = parse(pair(spec, backend)[0])
    assert info.tag == SEQUENCE
    version, algorithm, private_key = info.children()  # no [0] attributes, no [1] public key
    assert (version.tag, version.value) == (INTEGER, b"\x00")
    assert algorithm.tag == SEQUENCE
    assert private_key.tag == OCTET_STRING


def test_private_key_algorithm_names_the_spec(spec: str, backend: str) -> None:
    algorithm = parse(pair(spec, backend)[0]).children()[1]
    assert fields(algorithm) == algorithm_of(spec)


def test_public_key_is_spki_with_the_same_algorithm(spec: str, backend: str) -> None:
    algorithm, key = parse(pair(spec, backend)[1]).children()
    assert fields(algorithm) == algorithm_of(spec)
    assert key.tag == BIT_STRING
    assert key.value[0] == 0  # no unused bits


@pytest.mark.parametrize("spec", list(CURVES))
def test_ec_private_key_carries_the_public_point_and_no_parameters(spec: str, backend: str) -> None:
    private, public = pair(spec, backend)
    inner = parse(parse(private).children()[2].value)
    version, scalar, public_field = inner.children()  # no [0] parameters
    assert (version.tag, version.value) == (INTEGER, b"\x01")
    assert scalar.tag == OCTET_STRING
    assert len(scalar.value) == CURVES[spec][1]
    assert public_field.tag == CONTEXT_1
    assert CONTEXT_0 not in [child.tag for child in inner.children()]
    point = parse(public_field.value)
    spki_point = parse(public).children()[1]
    assert point == spki_point
    assert point.value[1] == 0x04  # uncompressed
    assert len(point.value) == 2 + 2 * CURVES[spec][1]


def test_ed25519_private_key_is_the_48_byte_v1_form(backend: str) -> None:
    private, public = pair("ECC_NIST_EDWARDS25519", backend)
    assert len(private) == 48
    assert len(public) == 44
    seed = parse(parse(private).children()[2].value)
    assert seed.tag == OCTET_STRING
    assert len(seed.value) == 32


@pytest.mark.parametrize("spec", list(RSA_BITS))
def test_rsa_modulus_is_exactly_the_named_size_with_e_65537(spec: str, backend: str) -> None:
    key = serialization.load_der_private_key(pair(spec, backend)[0], password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == RSA_BITS[spec]
    assert key.private_numbers().public_numbers.n.bit_length() == RSA_BITS[spec]
    assert key.private_numbers().public_numbers.e == 65537


@pytest.mark.parametrize("spec", CRYPTOGRAPHY_SPECS)
def test_public_key_belongs_to_the_private_key(spec: str, backend: str) -> None:
    private, public = pair(spec, backend)
    assert public_spki_of(private) == public


@pytest.mark.parametrize("spec", [s for s in CURVES if CURVES[s][2] is not None])
def test_ec_key_is_on_the_named_curve(spec: str, backend: str) -> None:
    key = serialization.load_der_private_key(pair(spec, backend)[0], password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    curve = CURVES[spec][2]
    assert curve is not None
    assert isinstance(key.curve, curve)


@pytest.mark.parametrize("spec", CRYPTOGRAPHY_SPECS)
def test_signature_from_private_key_verifies_with_public_key(spec: str, backend: str) -> None:
    private, public = pair(spec, backend)
    key = serialization.load_der_private_key(private, password=None)
    verifier = serialization.load_der_public_key(public)
    message = b"kmspair signs this"
    if isinstance(key, rsa.RSAPrivateKey):
        assert isinstance(verifier, rsa.RSAPublicKey)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        verifier.verify(key.sign(message, pss, hashes.SHA256()), message, pss, hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        assert isinstance(verifier, ec.EllipticCurvePublicKey)
        algorithm = ec.ECDSA(hashes.SHA256())
        verifier.verify(key.sign(message, algorithm), message, algorithm)
    else:
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        assert isinstance(verifier, ed25519.Ed25519PublicKey)
        verifier.verify(key.sign(message), message)


@pytest.mark.parametrize("spec", list(RSA_BITS))
def test_rsa_oaep_encrypts_to_the_public_key_and_decrypts_with_the_private(
    spec: str, backend: str
) -> None:
    private, public = pair(spec, backend)
    key = serialization.load_der_private_key(private, password=None)
    recipient = serialization.load_der_public_key(public)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert isinstance(recipient, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert key.decrypt(recipient.encrypt(b"data key", oaep), oaep) == b"data key"


def openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    # Not skipped when missing: .ci/run installs the openssl command, and a skip would hide
    # that every SM2 check depends on it.
    command = shutil.which("openssl")
    assert command is not None, "the openssl command is required (apt-get install openssl)"
    return subprocess.run([command, *args], capture_output=True, check=False)


def test_openssl_accepts_the_private_key_and_derives_the_same_public_key(
    spec: str, backend: str, tmp_path: Path
) -> None:
    private, public = pair(spec, backend)
    path = tmp_path / "private.der"
    path.write_bytes(private)
    check = openssl("pkey", "-inform", "DER", "-in", str(path), "-check", "-noout")
    assert check.returncode == 0, check.stderr.decode()
    derived = openssl("pkey", "-inform", "DER", "-in", str(path), "-pubout", "-outform", "DER")
    assert derived.returncode == 0, derived.stderr.decode()
    assert derived.stdout == public


def test_openssl_rejects_an_sm2_key_whose_public_point_is_not_its_own(
    backend: str, tmp_path: Path
) -> None:
    # Guards the check above: a damaged point must not pass `-check`.
    private = bytearray(pair("SM2", backend)[0])
    private[-1] ^= 0x01
    path = tmp_path / "private.der"
    path.write_bytes(bytes(private))
    assert openssl("pkey", "-inform", "DER", "-in", str(path), "-check", "-noout").returncode != 0


def test_sm2_signature_verifies_with_the_public_key(backend: str, tmp_path: Path) -> None:
    private, public = pair("SM2", backend)
    (tmp_path / "k.der").write_bytes(private)
    (tmp_path / "k.pub").write_bytes(public)
    (tmp_path / "m").write_bytes(b"kmspair signs this")
    common = ["-keyform", "DER", "-rawin", "-digest", "sm3", "-in", str(tmp_path / "m")]
    sign = openssl(
        "pkeyutl", "-sign", "-inkey", str(tmp_path / "k.der"), *common,
        "-out", str(tmp_path / "sig"),
    )  # fmt: skip
    assert sign.returncode == 0, sign.stderr.decode()
    verify = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "k.pub"), *common,
        "-sigfile", str(tmp_path / "sig"),
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr.decode()
