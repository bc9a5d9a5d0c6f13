"""``python -m kmspair.server`` as a process: SIGTERM finishes the request in flight, closes the
keystore and exits 0; and the one log line per request never carries a secret."""

from __future__ import annotations

import base64
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kmspair.kms.keystore_errors import KeystoreError
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.server import Server
from server_helpers import ServerProcess, kms_client

CONTEXT = {"customer": "very-private-context-value"}


class Process(ServerProcess):
    """A running ``python -m kmspair.server --port 0`` and what it wrote to stderr."""

    def __init__(self, home: Path) -> None:
        super().__init__(
            [sys.executable, "-m", "kmspair.server", "--port", "0", "--home", str(home)]
        )

    def finish(self) -> int:
        """Wait for exit; the exit status (stderr collected in ``lines``)."""
        assert self.popen.stderr is not None
        self.lines.extend(self.popen.stderr)
        return self.popen.wait(timeout=60)


@pytest.fixture
def process(tmp_path: Path) -> Iterator[Process]:
    running = Process(tmp_path / "home")
    yield running
    if running.popen.poll() is None:
        running.popen.kill()
        running.popen.wait()


def test_sigterm_answers_the_request_in_flight_then_exits_0(
    process: Process, tmp_path: Path
) -> None:
    kms = kms_client(process.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    answers: list[dict[str, Any]] = []

    def slow_request() -> None:
        answers.append(
            kms_client(process.url).generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_4096")
        )

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.2)  # the RSA_4096 request is being served
    process.popen.send_signal(signal.SIGTERM)
    worker.join(timeout=60)
    assert process.finish() == 0
    assert answers and answers[0]["KeyPairSpec"] == "RSA_4096"
    # The keystore was left consistent: it opens, and the answered key pair decrypts.
    with SQLiteKeyStore.open(tmp_path / "home") as store:
        assert store.get_key(answers[0]["KeyId"]) is not None


def test_sigterm_on_an_idle_server_exits_0_at_once(process: Process) -> None:
    kms_client(process.url).list_keys()  # leaves a kept-alive idle connection behind
    started = time.monotonic()
    process.popen.send_signal(signal.SIGTERM)
    assert process.finish() == 0
    assert time.monotonic() - started < 5


def test_ctrl_c_exits_0(process: Process) -> None:
    process.popen.send_signal(signal.SIGINT)
    assert process.finish() == 0


def test_a_request_is_logged_as_one_line_naming_operation_caller_key_status_and_latency(
    process: Process,
) -> None:
    kms = kms_client(process.url)
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.describe_key(KeyId=arn)
    process.popen.send_signal(signal.SIGTERM)
    process.finish()
    lines = [line for line in process.lines if " DescribeKey " in line]
    assert len(lines) == 1
    assert re.search(
        rf"DescribeKey caller=arn:aws:iam::111122223333:root key={re.escape(arn)} status=200 "
        r"latency_ms=[0-9.]+ request_id=",
        lines[0],
    )


def test_log_lines_carry_no_key_material_plaintext_blob_context_value_or_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="kmspair.server")
    with Server(port=0, home=tmp_path / "home").start() as server:
        kms = kms_client(server.url)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        pair = kms.generate_data_key_pair(
            KeyId=key_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=CONTEXT
        )
        decrypted = kms.decrypt(
            CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
        )
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"plain-words", EncryptionContext=CONTEXT)
        with pytest.raises(ClientError):
            kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext={"x": "wrong-one"})
        with pytest.raises(ClientError):
            kms_client(server.url, secret="the-wrong-secret").list_keys()
    log = caplog.text
    secrets = [
        pair["PrivateKeyPlaintext"],
        pair["PrivateKeyCiphertextBlob"],
        pair["PublicKey"],
        decrypted["Plaintext"],
        blob["CiphertextBlob"],
        b"plain-words",
    ]
    for value in secrets:
        assert base64.b64encode(value).decode() not in log
        assert value.hex() not in log
    for text in ("plain-words", "very-private-context-value", "wrong-one", "the-wrong-secret"):
        assert text not in log
    assert json.dumps(CONTEXT) not in log
    assert log.count("status=") == 6


def test_a_server_never_started_shuts_down_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    with Server(port=0, home=tmp_path / "home"):
        pass
    assert time.monotonic() - started < 5


def test_shutdown_closes_the_keystore(tmp_path: Path) -> None:
    with Server(port=0, home=tmp_path / "home").start() as server:
        pass
    with pytest.raises(KeystoreError, match="closed"):
        server.store.list_keys("111122223333", "us-east-1")
