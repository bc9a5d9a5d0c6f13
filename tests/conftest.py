from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import kmspair
from keystore_helpers import KEYSTORE_VARIABLES
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.specs import RSA_SPECS

BACKENDS = ("rust", "python")
EC_SPECS = tuple(s for s in kmspair.KEY_PAIR_SPECS if s not in RSA_SPECS)
REGION = "us-east-1"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=kmspair.KEY_PAIR_SPECS)
def spec(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["client", "boto3_client"])
def kms(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A KMS client on a fresh embedded keystore: kmspair's in-process client, and a genuine
    botocore client served in process. Every behaviour test runs through both."""
    factory = getattr(kmspair, str(request.param))
    client = factory(region_name=REGION, account_id=ACCOUNT, home=tmp_path / "home")
    yield client
    client.close()


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    """(code, message) of the botocore ClientError that ``call`` raises."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error.get("Message", "")


def create(kms: Any, **params: Any) -> dict[str, Any]:
    """CreateKey through ``kms``: the new key's metadata."""
    metadata: dict[str, Any] = kms.create_key(**params)["KeyMetadata"]
    return metadata


def describe(kms: Any, key_id: str) -> dict[str, Any]:
    """DescribeKey through ``kms``: the key's metadata."""
    metadata: dict[str, Any] = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    return metadata


@pytest.fixture
def make_client(
    request: pytest.FixtureRequest, kms: Any, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Another client of the same kind as ``kms``, on the same keystore unless told: a second
    account, another region, a second look at what the first one stored."""
    factory = getattr(kmspair, request.node.callspec.params["kms"])
    opened: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("region_name", REGION)
        kwargs.setdefault("account_id", ACCOUNT)
        kwargs.setdefault("home", tmp_path / "home")
        client = factory(**kwargs)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def other(make_client: Callable[..., Any]) -> Any:
    """A client of account 444455556666 on the same keystore as ``kms``."""
    return make_client(account_id=OTHER_ACCOUNT)


@pytest.fixture
def key(kms: Any) -> dict[str, Any]:
    """The metadata of a new symmetric encryption key of ``kms``'s account."""
    metadata: dict[str, Any] = kms.create_key(Description="shared")["KeyMetadata"]
    return metadata


@pytest.fixture
def no_keystore_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No variable that points kmspair at a keystore or a root key: a test names its own."""
    for name in KEYSTORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A kmspair home that does not exist yet."""
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[SQLiteKeyStore]:
    """An embedded keystore, new, in ``home``."""
    with SQLiteKeyStore.open(home) as opened:
        yield opened
