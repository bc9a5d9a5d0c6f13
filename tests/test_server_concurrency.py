"""Key generation never blocks other requests: one thread per connection, and the Rust core
generates RSA keys with the GIL released."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kmspair.server import Server
from server_helpers import kms_client, server

__all__ = ["server"]  # the fixture, imported for pytest

# Generous for a loaded CI machine, yet far below one RSA_4096 generation.
HEAD_OF_LINE_BOUND_SECONDS = 0.5


def test_a_p256_pair_is_answered_while_two_rsa_4096_pairs_are_generated(server: Server) -> None:
    setup = kms_client(server.url)
    key_id = setup.create_key()["KeyMetadata"]["KeyId"]
    fast = kms_client(server.url)
    fast.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")  # connection warm
    started = threading.Barrier(3)
    rsa_done: list[float] = []

    def rsa_4096() -> None:
        client = kms_client(server.url)
        started.wait()
        client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_4096")
        rsa_done.append(time.monotonic())

    workers = [threading.Thread(target=rsa_4096) for _ in range(2)]
    for worker in workers:
        worker.start()
    started.wait()
    time.sleep(0.1)  # both RSA requests are now being served
    before = time.monotonic()
    fast.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    elapsed = time.monotonic() - before
    answered = time.monotonic()
    for worker in workers:
        worker.join()
    assert elapsed < HEAD_OF_LINE_BOUND_SECONDS
    assert len(rsa_done) == 2
    # The fast request really overlapped the slow ones (else the test proves nothing).
    assert min(rsa_done) > answered


def test_a_decrypt_is_answered_while_two_rsa_4096_pairs_are_generated(server: Server) -> None:
    kms = kms_client(server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with ThreadPoolExecutor(2) as pool:
        slow = [
            pool.submit(
                kms_client(server.url).generate_data_key_pair,
                KeyId=key_id,
                KeyPairSpec="RSA_4096",
            )
            for _ in range(2)
        ]
        time.sleep(0.1)
        before = time.monotonic()
        kms.decrypt(CiphertextBlob=blob)
        elapsed = time.monotonic() - before
        still_running = not all(future.done() for future in slow)
        for future in slow:
            future.result()
    assert elapsed < HEAD_OF_LINE_BOUND_SECONDS
    assert still_running


def test_many_clients_at_once_are_all_answered_correctly(server: Server) -> None:
    key_id = kms_client(server.url).create_key()["KeyMetadata"]["KeyId"]

    def round_trip(n: int) -> bool:
        kms = kms_client(server.url)
        context = {"n": str(n)}
        pair: dict[str, Any] = kms.generate_data_key_pair(
            KeyId=key_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=context
        )
        plain = kms.decrypt(
            CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context
        )["Plaintext"]
        return bool(plain == pair["PrivateKeyPlaintext"])

    with ThreadPoolExecutor(32) as pool:
        assert all(pool.map(round_trip, range(128)))
