"""When the real KMS throttles the accelerator's Encrypt, the caller sees what KMS would have
answered its GenerateDataKeyPair: ThrottlingException, after the client's own retries of that
one Encrypt and no more (the locally answered call is never retried around them).

The backend here is a real HTTP server that answers every request as a throttled KMS does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import kmspair

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


class ThrottlingKMS(BaseHTTPRequestHandler):
    """Answers every KMS request 400 ThrottlingException, recording its operation."""

    received: list[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append(self.headers["X-Amz-Target"].split(".")[1])
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def throttling_kms() -> Iterator[tuple[str, list[str]]]:
    received: list[str] = []
    handler = type("Handler", (ThrottlingKMS,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()


def accelerated_client(url: str, attempts: int) -> Any:
    client = boto3.client(
        "kms",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )
    kmspair.accelerate(client)
    return client


def test_a_throttled_encrypt_is_a_throttled_generate_data_key_pair(
    throttling_kms: tuple[str, list[str]],
) -> None:
    url, _ = throttling_kms
    client = accelerated_client(url, attempts=1)
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.generate_data_key_pair(KeyId=KEY_ID, KeyPairSpec="ECC_NIST_P256")
    error: ClientError = caught.value
    assert error.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert error.operation_name == "GenerateDataKeyPair"


def test_a_throttled_encrypt_is_retried_as_the_client_is_configured_and_no_more(
    throttling_kms: tuple[str, list[str]],
) -> None:
    url, received = throttling_kms
    client = accelerated_client(url, attempts=3)
    with pytest.raises(ClientError):
        client.generate_data_key_pair_without_plaintext(KeyId=KEY_ID, KeyPairSpec="ECC_NIST_P256")
    assert received == ["Encrypt", "Encrypt", "Encrypt"]
