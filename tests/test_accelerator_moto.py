"""The accelerator against moto's server, a KMS nobody here wrote or mocked: moto implements
Encrypt and Decrypt but not GenerateDataKeyPair, so every pair below exists only because the
accelerator made it locally and had moto's Encrypt seal it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmspair
from der import public_spki_of
from server_helpers import kms_client

MOTO_ACCOUNT = "123456789012"
OPERATIONS = ("generate_data_key_pair", "generate_data_key_pair_without_plaintext")
CONTEXT = {"order": "42", "tenant": "acme"}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request at INFO; the tests' output is no place for it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def region_for(spec: str) -> str:
    # KMS offers SM2 only in the China regions; the accelerator checks that as KMS does.
    return "cn-north-1" if spec == "SM2" else "us-east-1"


@pytest.fixture(scope="module")
def accelerated(moto_url: str) -> Iterator[dict[str, Any]]:
    """An accelerated moto client per region, each with one symmetric key."""
    clients: dict[str, Any] = {}
    handles = []
    for region in ("us-east-1", "cn-north-1"):
        client = kms_client(moto_url, region=region)
        handles.append(kmspair.accelerate(client))
        clients[region] = client
    yield clients
    for handle in handles:
        handle.undo()


@pytest.fixture(scope="module")
def key_ids(accelerated: dict[str, Any]) -> dict[str, str]:
    return {
        region: client.create_key()["KeyMetadata"]["KeyId"]
        for region, client in accelerated.items()
    }


def moto_error(call: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_spec_comes_back_in_the_shape_of_the_real_operation(
    accelerated: dict[str, Any], key_ids: dict[str, str], spec: str, operation: str
) -> None:
    region = region_for(spec)
    response = getattr(accelerated[region], operation)(
        KeyId=key_ids[region], KeyPairSpec=spec, EncryptionContext=CONTEXT
    )
    expected = {"PrivateKeyCiphertextBlob", "PublicKey", "KeyId", "KeyPairSpec"}
    if operation == "generate_data_key_pair":
        expected.add("PrivateKeyPlaintext")
    assert set(response) - {"ResponseMetadata"} == expected
    assert response["KeyPairSpec"] == spec
    assert response["KeyId"].endswith(f":kms:{region}:{MOTO_ACCOUNT}:key/{key_ids[region]}")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_blob_decrypts_with_motos_decrypt_under_the_same_context(
    accelerated: dict[str, Any], key_ids: dict[str, str], spec: str, operation: str
) -> None:
    client = accelerated[region_for(spec)]
    key_id = key_ids[region_for(spec)]
    response = getattr(client, operation)(KeyId=key_id, KeyPairSpec=spec, EncryptionContext=CONTEXT)
    opened = client.decrypt(
        CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    private_der = opened["Plaintext"]
    assert opened["KeyId"] == response["KeyId"]
    if operation == "generate_data_key_pair":
        assert private_der == response["PrivateKeyPlaintext"]
    if spec != "SM2":  # cryptography has no SM2 curve; the pair's formats are tested elsewhere
        assert public_spki_of(private_der) == response["PublicKey"]


@pytest.mark.parametrize("other", [{"order": "43", "tenant": "acme"}, {"order": "42"}, None])
def test_the_blob_does_not_decrypt_under_another_context(
    accelerated: dict[str, Any], key_ids: dict[str, str], other: dict[str, str] | None
) -> None:
    client = accelerated["us-east-1"]
    response = client.generate_data_key_pair_without_plaintext(
        KeyId=key_ids["us-east-1"], KeyPairSpec="ECC_NIST_P256", EncryptionContext=CONTEXT
    )
    blob = response["PrivateKeyCiphertextBlob"]
    kwargs: dict[str, Any] = {} if other is None else {"EncryptionContext": other}
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob, **kwargs)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "key_id",
    ["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/missing", "not-a-key-id"],
    ids=["missing-key", "missing-alias", "malformed"],
)
def test_a_missing_key_is_motos_not_found_error(
    accelerated: dict[str, Any], operation: str, key_id: str
) -> None:
    client = accelerated["us-east-1"]
    expected = moto_error(lambda: client.encrypt(KeyId=key_id, Plaintext=b"x"))
    assert expected[1] == "NotFoundException"
    got = moto_error(lambda: getattr(client, operation)(KeyId=key_id, KeyPairSpec="RSA_2048"))
    assert got == expected


def test_a_missing_key_raises_the_modeled_exception_of_the_called_operation(
    accelerated: dict[str, Any],
) -> None:
    client = accelerated["us-east-1"]
    with pytest.raises(client.exceptions.NotFoundException) as caught:
        client.generate_data_key_pair(KeyId="alias/missing", KeyPairSpec="ECC_NIST_P384")
    assert caught.value.operation_name == "GenerateDataKeyPair"


def test_a_disabled_key_gets_what_motos_encrypt_gives_it(
    accelerated: dict[str, Any], moto_url: str
) -> None:
    # moto's Encrypt does not check the key state, so neither can the accelerator: it is exactly
    # as strict as the backend's Encrypt (kmspair serve's DisabledException: the serve tests).
    client = accelerated["us-east-1"]
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.disable_key(KeyId=key_id)
    direct = client.encrypt(KeyId=key_id, Plaintext=b"x")
    response = client.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec="ECC_NIST_P256"
    )
    assert response["KeyId"] == direct["KeyId"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_dry_run_is_a_dry_run_operation_error_although_moto_ignores_dry_run(
    accelerated: dict[str, Any], key_ids: dict[str, str], operation: str
) -> None:
    client = accelerated["us-east-1"]
    with pytest.raises(client.exceptions.DryRunOperationException) as caught:
        getattr(client, operation)(KeyId=key_ids["us-east-1"], KeyPairSpec="RSA_4096", DryRun=True)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        "The request would have succeeded, but the DryRun option is set."
    )


def test_a_dry_run_on_a_missing_key_is_motos_not_found_error(
    accelerated: dict[str, Any],
) -> None:
    client = accelerated["us-east-1"]
    key_id = "alias/missing"
    expected = moto_error(lambda: client.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True))
    got = moto_error(
        lambda: client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_2048", DryRun=True)
    )
    assert got == expected
