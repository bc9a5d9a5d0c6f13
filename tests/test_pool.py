"""The key pool: configuration, counters, at-most-once hand-out across threads and forks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_der_private_key

import kmspair
from der import public_spki_of
from kmspair.exceptions import InvalidPoolConfigurationError

ACCOUNT = "111122223333"


@pytest.fixture(autouse=True)
def pool_off_afterwards() -> Iterator[None]:
    yield
    kmspair.configure_pool(None)


def wait_until_full(spec: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        stats = kmspair.pool_stats()[spec]
        if stats["depth"] >= stats["capacity"]:
            return
        assert time.monotonic() < deadline, f"pool of {spec} never filled: {stats}"
        time.sleep(0.01)


def counters(spec: str) -> dict[str, Any]:
    return kmspair.pool_stats().get(spec, {"hits": 0, "misses": 0})


def test_pool_is_off_unless_configured() -> None:
    kmspair.generate_key_pair("ECC_NIST_P256")
    assert all(stats["capacity"] == 0 for stats in kmspair.pool_stats().values())


def test_configured_pool_fills_to_its_capacity() -> None:
    kmspair.configure_pool({"ECC_NIST_P384": 5})
    wait_until_full("ECC_NIST_P384")
    time.sleep(0.05)
    assert kmspair.pool_stats()["ECC_NIST_P384"]["depth"] == 5


def test_pool_configuration_can_be_a_string() -> None:
    kmspair.configure_pool("ECC_NIST_P256=3, ECC_SECG_P256K1=2", threads=2)
    stats = kmspair.pool_stats()
    assert stats["ECC_NIST_P256"]["capacity"] == 3
    assert stats["ECC_SECG_P256K1"]["capacity"] == 2


def test_stats_report_every_counter() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 2})
    wait_until_full("ECC_NIST_P256")
    stats = kmspair.pool_stats()["ECC_NIST_P256"]
    assert set(stats) == {"capacity", "depth", "hits", "misses", "generated", "fill_rate_per_s"}
    assert stats["generated"] >= 2
    assert stats["fill_rate_per_s"] > 0


def test_request_from_a_full_pool_is_a_hit() -> None:
    kmspair.configure_pool({"RSA_2048": 2})
    wait_until_full("RSA_2048")
    before = counters("RSA_2048")
    kmspair.generate_key_pair("RSA_2048")
    assert counters("RSA_2048")["hits"] == before["hits"] + 1


def test_request_from_an_empty_pool_is_a_miss_and_still_gets_a_pair() -> None:
    # RSA_4096 takes far longer to generate than the request right after configuring.
    kmspair.configure_pool({"RSA_4096": 1})
    before = counters("RSA_4096")
    private, _ = kmspair.generate_key_pair("RSA_4096")
    assert load_der_private_key(private, None).key_size == 4096  # type: ignore[union-attr]
    assert counters("RSA_4096")["misses"] == before["misses"] + 1


def test_pool_pairs_are_valid_matching_pairs() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 4})
    wait_until_full("ECC_NIST_P256")
    private, public = kmspair.generate_key_pair("ECC_NIST_P256")
    assert public_spki_of(private) == public


def test_every_pool_pair_is_handed_out_once_across_threads() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 200}, threads=2)
    wait_until_full("ECC_NIST_P256")
    before = counters("ECC_NIST_P256")
    taken: list[bytes] = []
    lock = threading.Lock()

    def take_many() -> None:
        mine = [kmspair.generate_key_pair("ECC_NIST_P256")[0] for _ in range(100)]
        with lock:
            taken.extend(mine)

    workers = [threading.Thread(target=take_many) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(taken)) == len(taken) == 800
    after = counters("ECC_NIST_P256")
    hits = after["hits"] - before["hits"]
    assert hits + after["misses"] - before["misses"] == 800
    assert hits >= 200


def in_forked_child(report: Callable[[], Any]) -> Any:
    """What ``report()`` returns when run in a child made by ``os.fork()`` (sent back as JSON)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(write_end, json.dumps(report()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(reported)


def test_forked_child_never_receives_a_pair_its_parent_holds() -> None:
    kmspair.configure_pool({"ECC_NIST_EDWARDS25519": 20})
    wait_until_full("ECC_NIST_EDWARDS25519")

    def depth_and_public_keys() -> dict[str, Any]:
        depth = kmspair.pool_stats()["ECC_NIST_EDWARDS25519"]["depth"]
        publics = [kmspair.generate_key_pair("ECC_NIST_EDWARDS25519")[1].hex() for _ in range(20)]
        return {"depth": depth, "publics": publics}

    child = in_forked_child(depth_and_public_keys)
    parent = {kmspair.generate_key_pair("ECC_NIST_EDWARDS25519")[1].hex() for _ in range(20)}
    assert child["depth"] == 0
    assert not parent & set(child["publics"])


def test_forked_child_refills_its_own_pool() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 10})
    wait_until_full("ECC_NIST_P256")

    def stats_once_refilled() -> dict[str, Any]:
        kmspair.generate_key_pair("ECC_NIST_P256")
        deadline = time.monotonic() + 30
        while kmspair.pool_stats()["ECC_NIST_P256"]["depth"] < 10:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return kmspair.pool_stats()["ECC_NIST_P256"]

    child = in_forked_child(stats_once_refilled)
    assert child["depth"] == 10
    assert child["hits"] == 0  # the child's counters are its own


def test_turning_the_pool_off_drops_its_pairs() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 4})
    wait_until_full("ECC_NIST_P256")
    kmspair.configure_pool(None)
    assert kmspair.pool_stats()["ECC_NIST_P256"]["capacity"] == 0
    assert kmspair.pool_stats()["ECC_NIST_P256"]["depth"] == 0


def test_batches_do_not_draw_from_the_pool() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 4})
    wait_until_full("ECC_NIST_P256")
    before = counters("ECC_NIST_P256")
    kmspair.generate_key_pairs("ECC_NIST_P256", 10)
    after = counters("ECC_NIST_P256")
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])


def test_python_backend_does_not_draw_from_the_pool() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 4})
    wait_until_full("ECC_NIST_P256")
    before = counters("ECC_NIST_P256")
    kmspair.generate_key_pair("ECC_NIST_P256", backend="python")
    assert counters("ECC_NIST_P256")["hits"] == before["hits"]


def test_local_kms_draws_from_the_pool(tmp_path: Path) -> None:
    kmspair.configure_pool({"RSA_2048": 2})
    wait_until_full("RSA_2048")
    before = counters("RSA_2048")
    kms = kmspair.client(region_name="us-east-1", account_id=ACCOUNT, home=tmp_path / "home")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_2048")
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    assert counters("RSA_2048")["hits"] == before["hits"] + 1
    kms.close()


@pytest.mark.parametrize(
    ("sizes", "complaint"),
    [
        ({"RSA_1024": 4}, "Unknown KeyPairSpec 'RSA_1024'"),
        ({"RSA_2048": -1}, "must be an integer from 0 to 100000"),
        ({"RSA_2048": 100_001}, "must be an integer from 0 to 100000"),
        ({"RSA_2048": True}, "must be an integer"),
        ({"RSA_2048": "4"}, "must be an integer"),
        ("RSA_2048", "expected SPEC=SIZE"),
        ("RSA_2048=x", "expected SPEC=SIZE"),
        ("RSA_2048=-3", "expected SPEC=SIZE"),
        ("RSA_2048=\u00b2", "expected SPEC=SIZE"),  # a superscript two: a digit to isdigit
        ("RSA_2048=\uff11", "expected SPEC=SIZE"),  # a full-width one
        ("rsa_2048=4", "Unknown KeyPairSpec 'rsa_2048'"),
        (["RSA_2048"], "not list"),
    ],
)
def test_bad_pool_configuration_is_a_value_error_naming_the_problem(
    sizes: Any, complaint: str
) -> None:
    with pytest.raises(InvalidPoolConfigurationError, match=complaint) as raised:
        kmspair.configure_pool(sizes)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("threads", [0, -1, 257, 1.5, True])
def test_bad_pool_thread_count_is_refused(threads: Any) -> None:
    with pytest.raises(InvalidPoolConfigurationError, match="threads"):
        kmspair.configure_pool({"RSA_2048": 1}, threads=threads)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kmspair_pool_environment_variable_configures_the_pool() -> None:
    done = run_python(
        "import kmspair, json;"
        "kmspair.generate_key_pair('ECC_NIST_P256');"
        "print(json.dumps({s: v['capacity'] for s, v in kmspair.pool_stats().items()}))",
        KMSPAIR_POOL="RSA_2048=3,ECC_NIST_P256=5",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"RSA_2048": 3, "ECC_NIST_P256": 5}


def test_the_interpreter_exiting_drops_the_ready_pairs() -> None:
    done = run_python(
        "import atexit, time, kmspair\n"
        "kmspair.configure_pool({'ECC_NIST_P256': 8})\n"
        "while kmspair.pool_stats()['ECC_NIST_P256']['depth'] < 8: time.sleep(0.01)\n"
        "atexit._run_exitfuncs()  # what the interpreter runs as it exits\n"
        "print(kmspair.pool_stats()['ECC_NIST_P256']['depth'])\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def test_bad_kmspair_pool_environment_variable_is_refused_loudly() -> None:
    done = run_python(
        "import kmspair; kmspair.generate_key_pair('ECC_NIST_P256')", KMSPAIR_POOL="RSA_2048"
    )
    assert done.returncode != 0
    assert "InvalidPoolConfigurationError" in done.stderr
    assert "expected SPEC=SIZE" in done.stderr


def test_pool_stats_repr_names_the_spec_and_its_counters() -> None:
    from kmspair import _core

    kmspair.configure_pool({"ECC_NIST_P256": 1})
    wait_until_full("ECC_NIST_P256")
    shown = repr(_core.pool_stats())
    assert "PoolStats(spec='ECC_NIST_P256', capacity=1" in shown


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_pool_threads_run_at_a_lower_priority_than_requests() -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 2}, threads=2)
    wait_until_full("ECC_NIST_P256")
    tasks = Path("/proc/self/task")
    nice_of_pool_threads = [
        # Field 19 of stat is the nice value; the command name in field 2 may hold spaces.
        int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
        for task in tasks.iterdir()
        if (task / "comm").read_text().strip() == "kmspair-pool"
    ]
    assert len(nice_of_pool_threads) >= 2
    assert all(nice == 10 for nice in nice_of_pool_threads)
    main_nice = int((tasks / str(os.getpid()) / "stat").read_text().rsplit(")", 1)[1].split()[16])
    assert main_nice == 0


# Counts this process's refill threads by name, after giving any that exist time to start.
COUNT_POOL_THREADS = (
    "import pathlib, time;"
    "time.sleep(0.2);"
    "print(sum(1 for t in pathlib.Path('/proc/self/task').iterdir()"
    " if (t / 'comm').read_text().strip() == 'kmspair-pool'))"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_that_stopped_filling_starts_no_refill_thread_when_configured() -> None:
    done = run_python(
        "import kmspair, kmspair.pool;"
        "kmspair.pool.stop_filling_here();"
        "kmspair.configure_pool({'ECC_NIST_P256': 4}, threads=2);"
        "print(kmspair.pool_stats()['ECC_NIST_P256']['capacity']);" + COUNT_POOL_THREADS
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", "0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_that_stopped_filling_starts_no_refill_thread_for_kmspair_pool() -> None:
    done = run_python(
        "import kmspair, kmspair.pool;"
        "kmspair.pool.stop_filling_here();"
        "kmspair.generate_key_pair('ECC_NIST_P256');" + COUNT_POOL_THREADS,
        KMSPAIR_POOL="ECC_NIST_P256=4",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_starting_to_fill_again_starts_the_configured_refill_threads() -> None:
    done = run_python(
        "import kmspair, kmspair.pool;"
        "kmspair.pool.stop_filling_here();"
        "kmspair.configure_pool({'ECC_NIST_P256': 4}, threads=2);"
        "kmspair.pool.start_filling_here();" + COUNT_POOL_THREADS
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_by_a_worker_leaves_the_workers_shared_counters_alone() -> None:
    done = run_python(
        "import os, kmspair, kmspair.pool as p;"
        "p.share_stats_across_workers(2); p.claim_stats_slot(0);"
        "kmspair.configure_pool({'ECC_NIST_P256': 2});"
        "[kmspair.generate_key_pair('ECC_NIST_P256') for _ in range(5)];"
        "before = kmspair.pool_stats()['ECC_NIST_P256'];"
        "pid = os.fork();"
        "pid or (kmspair.generate_key_pair('ECC_NIST_P256'), os._exit(0));"
        "os.waitpid(pid, 0);"
        "after = kmspair.pool_stats()['ECC_NIST_P256'];"
        "print(before['hits'] + before['misses'], after['hits'] + after['misses'])"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "5"]
