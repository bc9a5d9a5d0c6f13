"""The ciphertext blob binds its key, its key material and its encryption context (behaviour spec
§5, §6; docs/ciphertext-format.md).

Run against :class:`LocalKMS` directly, for speed: the clients add nothing to what is tested here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACCOUNT, REGION
from kmspair.kms.errors import KMSError
from kmspair.kms.service import LocalKMS, open_local_kms

NO_SUCH_KEY = (
    "AccessDeniedException",
    "The ciphertext refers to a customer master key that does not exist, does not exist in this "
    "region, or you are not allowed to access.",
)

# Blob layout (docs/ciphertext-format.md): version | ARN length | ARN | key material ID (32) |
# header check (4) | nonce (12) | ciphertext | tag (16).
MATERIAL_LEN, CHECK_LEN, NONCE_LEN, TAG_LEN = 32, 4, 12, 16


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("binding")


@pytest.fixture(scope="module")
def local(home: Path) -> Iterator[LocalKMS]:
    kms = open_local_kms(region=REGION, account_id=ACCOUNT, home=home)
    yield kms
    kms.store.close()


@pytest.fixture(scope="module")
def key_id(local: LocalKMS) -> str:
    key_id: str = local.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    return key_id


def encrypt(
    local: LocalKMS, key_id: str, plaintext: bytes, context: dict[str, str] | None = None
) -> bytes:
    params: dict[str, Any] = {"KeyId": key_id, "Plaintext": plaintext}
    if context is not None:
        params["EncryptionContext"] = context
    blob: bytes = local.call("Encrypt", params)["CiphertextBlob"]
    return blob


def decrypt(local: LocalKMS, blob: bytes, context: dict[str, str] | None = None) -> bytes:
    params: dict[str, Any] = {"CiphertextBlob": blob}
    if context is not None:
        params["EncryptionContext"] = context
    plaintext: bytes = local.call("Decrypt", params)["Plaintext"]
    return plaintext


def error_of_decrypt(
    local: LocalKMS, blob: bytes, context: dict[str, str] | None = None
) -> tuple[str, str | None]:
    with pytest.raises(KMSError) as caught:
        decrypt(local, blob, context)
    return caught.value.code, caught.value.message


INVALID = ("InvalidCiphertextException", None)

texts = st.text(max_size=12)
contexts = st.dictionaries(texts, texts, max_size=4)
hypothesis_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# The encryption context


@hypothesis_settings
@given(sealed_under=contexts, opened_with=contexts)
def test_two_different_encryption_contexts_never_open_each_others_ciphertexts(
    local: LocalKMS, key_id: str, sealed_under: dict[str, str], opened_with: dict[str, str]
) -> None:
    blob = encrypt(local, key_id, b"bound", sealed_under)
    if opened_with == sealed_under:
        assert decrypt(local, blob, opened_with) == b"bound"
    else:
        assert error_of_decrypt(local, blob, opened_with) == INVALID


@hypothesis_settings
@given(joined=st.text(min_size=1, max_size=16), data=st.data())
def test_moving_the_boundary_between_key_and_value_breaks_the_binding(
    local: LocalKMS, key_id: str, joined: str, data: st.DataObject
) -> None:
    # Concatenating keys and values would make all of these the same context.
    cut = data.draw(st.integers(0, len(joined)), label="cut")
    other = data.draw(st.integers(0, len(joined)).filter(lambda i: i != cut), label="other")
    blob = encrypt(local, key_id, b"bound", {joined[:cut]: joined[cut:]})
    assert error_of_decrypt(local, blob, {joined[:other]: joined[other:]}) == INVALID


@hypothesis_settings
@given(context=contexts.filter(lambda c: len(c) >= 2), data=st.data())
def test_the_order_of_the_context_pairs_does_not_matter(
    local: LocalKMS, key_id: str, context: dict[str, str], data: st.DataObject
) -> None:
    blob = encrypt(local, key_id, b"bound", context)
    shuffled = dict(data.draw(st.permutations(list(context.items())), label="order"))
    assert decrypt(local, blob, shuffled) == b"bound"


@pytest.mark.parametrize(
    ("sealed_under", "opened_with"),
    [
        ({"ab": "c"}, {"a": "bc"}),
        ({"a": "bc"}, {"ab": "c"}),
        ({"a": "b", "c": "d"}, {"a": "bcd"}),
        ({"a": "b", "c": "d"}, {"ab": "cd"}),
        ({"": "ab"}, {"a": "b"}),
        ({"a": ""}, {}),
        ({"k": "v"}, {"K": "v"}),
    ],
)
def test_concatenation_equal_contexts_are_different_contexts(
    local: LocalKMS, key_id: str, sealed_under: dict[str, str], opened_with: dict[str, str]
) -> None:
    blob = encrypt(local, key_id, b"bound", sealed_under)
    assert error_of_decrypt(local, blob, opened_with) == INVALID
    assert decrypt(local, blob, sealed_under) == b"bound"


def test_pair_order_does_not_matter(local: LocalKMS, key_id: str) -> None:
    blob = encrypt(local, key_id, b"bound", {"b": "2", "a": "1", "c": "3"})
    assert decrypt(local, blob, {"a": "1", "c": "3", "b": "2"}) == b"bound"


@pytest.mark.parametrize(
    ("sealed_under", "opened_with"), [({}, None), (None, {}), ({}, {}), (None, None)]
)
def test_an_empty_context_and_an_absent_context_are_the_same(
    local: LocalKMS,
    key_id: str,
    sealed_under: dict[str, str] | None,
    opened_with: dict[str, str] | None,
) -> None:
    assert decrypt(local, encrypt(local, key_id, b"bound", sealed_under), opened_with) == b"bound"


# Tampering with the blob


def regions(blob: bytes) -> dict[str, range]:
    arn_end = 2 + blob[1]
    material_end = arn_end + MATERIAL_LEN
    header_end = material_end + CHECK_LEN
    nonce_end = header_end + NONCE_LEN
    return {
        "version": range(0, 1),
        "arn length": range(1, 2),
        "arn": range(2, arn_end),
        "key material id": range(arn_end, material_end),
        "header check": range(material_end, header_end),
        "nonce": range(header_end, nonce_end),
        "ciphertext": range(nonce_end, len(blob) - TAG_LEN),
        "tag": range(len(blob) - TAG_LEN, len(blob)),
    }


@pytest.fixture(scope="module")
def sealed(local: LocalKMS, key_id: str) -> bytes:
    return encrypt(local, key_id, b"a secret of some length", {"purpose": "tamper"})


def test_the_blob_regions_cover_the_whole_blob(sealed: bytes) -> None:
    spans = list(regions(sealed).values())
    assert spans[0].start == 0 and spans[-1].stop == len(sealed)
    assert all(a.stop == b.start and len(a) > 0 for a, b in itertools.pairwise(spans))
    assert len(regions(sealed)["ciphertext"]) == len(b"a secret of some length")


@pytest.mark.parametrize(
    "region",
    [
        "version",
        "arn length",
        "arn",
        "key material id",
        "header check",
        "nonce",
        "ciphertext",
        "tag",
    ],
)
@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_changing_any_byte_of_any_region_is_invalid_ciphertext(
    local: LocalKMS, sealed: bytes, region: str, mask: int
) -> None:
    assert decrypt(local, sealed, {"purpose": "tamper"}) == b"a secret of some length"
    for index in regions(sealed)[region]:
        tampered = bytearray(sealed)
        tampered[index] ^= mask
        assert error_of_decrypt(local, bytes(tampered), {"purpose": "tamper"}) == INVALID, index


def test_truncating_the_blob_at_any_length_is_invalid_ciphertext(
    local: LocalKMS, sealed: bytes
) -> None:
    for length in range(1, len(sealed)):
        assert error_of_decrypt(local, sealed[:length], {"purpose": "tamper"}) == INVALID, length


@pytest.mark.parametrize("extra", [b"\x00", b"\x01" * 16, bytes(range(256))])
def test_extending_the_blob_is_invalid_ciphertext(
    local: LocalKMS, sealed: bytes, extra: bytes
) -> None:
    assert error_of_decrypt(local, sealed + extra, {"purpose": "tamper"}) == INVALID


def test_an_empty_blob_is_refused_by_validation(local: LocalKMS) -> None:
    with pytest.raises(KMSError) as caught:
        decrypt(local, b"")
    assert caught.value.code == "ValidationException"


def test_a_blob_moved_onto_another_keys_header_is_invalid_ciphertext(
    local: LocalKMS, key_id: str, sealed: bytes
) -> None:
    other = encrypt(local, local.call("CreateKey", {})["KeyMetadata"]["KeyId"], b"x")
    other_header = other[: regions(other)["nonce"].start]
    moved = other_header + sealed[regions(sealed)["nonce"].start :]
    assert error_of_decrypt(local, moved, {"purpose": "tamper"}) == INVALID


def test_a_blob_whose_key_is_in_another_keystore_is_access_denied(
    local: LocalKMS, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = open_local_kms(
        region=REGION, account_id=ACCOUNT, home=tmp_path_factory.mktemp("elsewhere")
    )
    try:
        foreign = elsewhere.call("CreateKey", {})["KeyMetadata"]["KeyId"]
        blob = encrypt(elsewhere, foreign, b"x")
    finally:
        elsewhere.store.close()
    assert error_of_decrypt(local, blob) == NO_SUCH_KEY


def test_a_blob_whose_key_is_in_another_region_is_access_denied(
    local: LocalKMS, home: Path
) -> None:
    west = open_local_kms(region="us-west-2", account_id=ACCOUNT, home=home)
    try:
        foreign = west.call("CreateKey", {})["KeyMetadata"]["KeyId"]
        blob = encrypt(west, foreign, b"x")
        assert decrypt(west, blob) == b"x"
    finally:
        west.store.close()
    assert error_of_decrypt(local, blob) == NO_SUCH_KEY


# Size


def test_a_4096_byte_plaintexts_blob_is_at_most_6144_bytes(local: LocalKMS, key_id: str) -> None:
    blob = encrypt(local, key_id, b"\xff" * 4096, {"k" * 100: "v" * 100})
    assert len(blob) <= 6144
    assert decrypt(local, blob, {"k" * 100: "v" * 100}) == b"\xff" * 4096


def test_a_multi_region_keys_4096_byte_blob_is_at_most_6144_bytes(local: LocalKMS) -> None:
    mrk = local.call("CreateKey", {"MultiRegion": True})["KeyMetadata"]["KeyId"]
    blob = encrypt(local, mrk, b"\x00" * 4096)
    assert len(blob) <= 6144
    assert decrypt(local, blob) == b"\x00" * 4096


def test_each_encryption_uses_a_fresh_nonce(local: LocalKMS, key_id: str) -> None:
    nonces = set()
    for _ in range(20):
        blob = encrypt(local, key_id, b"same")
        nonces.add(blob[regions(blob)["nonce"].start : regions(blob)["nonce"].stop])
    assert len(nonces) == 20
