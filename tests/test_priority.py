"""Single RSA pairs yield the cores to short requests in a server: ``kmspair serve`` runs each
prime search on a thread of background priority (nice 10), while a library caller's RSA pair is
generated on its own thread at its own priority. Threads are found by name in /proc."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kmspair
from kmspair.priority import slow_keys_in_background
from server_helpers import ServerProcess, kms_client, live_children, serve_process

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a thread's own priority is Linux's"
)

KEYGEN_THREAD = "kmspair-keygen"
BACKGROUND_NICE = 10


def keygen_thread_nices(pids: Callable[[], set[int]]) -> dict[int, int]:
    """The nice value of every ``kmspair-keygen`` thread of the processes ``pids``, by id."""
    found = {}
    for pid in pids():
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                if (task / "comm").read_text().strip() != KEYGEN_THREAD:
                    continue
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the thread ended meanwhile
            found[int(task.name)] = int(fields[16])  # field 19 of stat(5), from its state
    return found


def nices_seen_while(generate: Callable[[], object], pids: Callable[[], set[int]]) -> set[int]:
    """The nice value each keygen thread had when last seen while ``generate`` ran in another
    thread. (A thread is named as it starts and lowers its priority a moment later, so the
    last sighting, deep in its prime search, is the one that counts.)"""
    done = threading.Event()

    def run() -> None:
        try:
            generate()
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    last_seen: dict[int, int] = {}
    while not done.is_set():
        last_seen |= keygen_thread_nices(pids)
        time.sleep(0.002)
    thread.join()
    return set(last_seen.values())


def this_process() -> set[int]:
    return {os.getpid()}


def rsa_4096_pairs(count: int) -> Callable[[], None]:
    def generate() -> None:
        for _ in range(count):
            kmspair.generate_key_pair("RSA_4096", backend="rust")

    return generate


def test_a_library_callers_rsa_pair_is_generated_on_its_own_thread() -> None:
    assert nices_seen_while(rsa_4096_pairs(2), this_process) == set()


def test_within_slow_keys_in_background_an_rsa_pair_is_generated_at_background_priority() -> None:
    with slow_keys_in_background():
        seen = nices_seen_while(rsa_4096_pairs(2), this_process)
    assert seen == {BACKGROUND_NICE}


def test_after_slow_keys_in_background_rsa_pairs_are_generated_as_before() -> None:
    with slow_keys_in_background():
        pass
    assert nices_seen_while(rsa_4096_pairs(2), this_process) == set()


def test_ecc_pairs_are_never_moved_to_a_background_thread() -> None:
    def p256_pairs() -> None:
        for _ in range(20_000):
            kmspair.generate_key_pair("ECC_NIST_P256", backend="rust")

    with slow_keys_in_background():
        assert nices_seen_while(p256_pairs, this_process) == set()


@pytest.fixture(params=["1", "2"], ids=["one process", "two workers"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    # Without a pool (even if KMSPAIR_POOL is set here): every RSA pair is then generated.
    running = serve_process(tmp_path / "home", "--workers", request.param)
    yield running
    running.popen.terminate()
    running.popen.wait(timeout=60)


def server_and_workers(server: ServerProcess) -> Callable[[], set[int]]:
    """The server's pid and its children's (pre-forked workers)."""
    return lambda: {server.popen.pid, *live_children(server.popen.pid)}


def test_kmspair_serve_generates_rsa_pairs_at_background_priority(served: ServerProcess) -> None:
    kms = kms_client(served.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]

    def rsa_4096_requests() -> None:
        for _ in range(2):
            kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_4096")

    assert nices_seen_while(rsa_4096_requests, server_and_workers(served)) == {BACKGROUND_NICE}
