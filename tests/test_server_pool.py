"""The key pool behind the endpoint: ``kmspair serve --pool`` and its counters at
``GET /kmspair/pool``."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kmspair
from kmspair.server import Server
from server_helpers import ServerProcess, kms_client, serve_process, server

__all__ = ["server"]  # the fixture, imported for pytest


@pytest.fixture(autouse=True)
def pool_off_afterwards() -> Iterator[None]:
    yield
    kmspair.configure_pool(None)


def get(url: str, path: str) -> tuple[int, str, Any]:
    """(status, Content-Type, JSON body) of an unsigned GET."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), json.loads(response.read())
    finally:
        connection.close()


def pool_of(url: str) -> dict[str, Any]:
    status, _, document = get(url, "/kmspair/pool")
    assert status == 200
    return dict(document["pool"])


def wait_until_full(url: str, spec: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        stats = pool_of(url).get(spec, {"depth": 0, "capacity": 1})
        if stats["depth"] >= stats["capacity"]:
            return dict(stats)
        assert time.monotonic() < deadline, stats
        time.sleep(0.02)


def test_pool_counters_are_served_as_json_without_a_signature(server: Server) -> None:
    kmspair.configure_pool({"ECC_NIST_P384": 3})
    status, content_type, document = get(server.url, "/kmspair/pool")
    assert (status, content_type) == (200, "application/json")
    assert document["pool"]["ECC_NIST_P384"]["capacity"] == 3


def test_endpoint_requests_draw_from_the_pool(server: Server) -> None:
    kmspair.configure_pool({"RSA_2048": 2})
    before = wait_until_full(server.url, "RSA_2048")
    kms = kms_client(server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_2048")
    assert (
        kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
        == (pair["PrivateKeyPlaintext"])
    )
    assert pool_of(server.url)["RSA_2048"]["hits"] == before["hits"] + 1


def test_pool_counters_name_no_key_and_no_caller(server: Server) -> None:
    kmspair.configure_pool({"ECC_NIST_P256": 2})
    wait_until_full(server.url, "ECC_NIST_P256")
    kms = kms_client(server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    _, _, document = get(server.url, "/kmspair/pool")
    shown = json.dumps(document)
    assert key_id not in shown
    assert "111122223333" not in shown
    assert set(document["pool"]["ECC_NIST_P256"]) == {
        "capacity",
        "depth",
        "hits",
        "misses",
        "generated",
        "fill_rate_per_s",
    }


def test_other_unsigned_get_paths_are_refused_like_any_unsigned_request(server: Server) -> None:
    status, _, document = get(server.url, "/kmspair/other")
    assert status == 400
    assert document["__type"] == "MissingAuthenticationTokenException"


def stop(process: ServerProcess) -> None:
    process.popen.terminate()
    process.popen.wait(timeout=60)


def test_serve_pool_option_configures_the_endpoints_pool(tmp_path: Path) -> None:
    process = serve_process(tmp_path / "home", "--pool", "RSA_2048=2,ECC_NIST_P256=5")
    try:
        stats = pool_of(process.url)
        assert {spec: s["capacity"] for spec, s in stats.items()} == {
            "RSA_2048": 2,
            "ECC_NIST_P256": 5,
        }
        wait_until_full(process.url, "RSA_2048")
    finally:
        stop(process)


def test_serve_takes_the_pool_from_kmspair_pool_when_no_option_is_given(
    tmp_path: Path,
) -> None:
    process = serve_process(tmp_path / "home", pool_variable="ECC_NIST_P521=3")
    try:
        assert pool_of(process.url)["ECC_NIST_P521"]["capacity"] == 3
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--pool", "RSA_2048"], "expected SPEC=SIZE"),
        (["--pool", "RSA_1024=4"], "Unknown KeyPairSpec 'RSA_1024'"),
        (["--pool", "RSA_2048=2", "--pool-threads", "0"], "Pool threads must be an integer"),
    ],
)
def test_serve_refuses_a_bad_pool_before_listening(
    tmp_path: Path, options: list[str], complaint: str
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kmspair",
            "serve",
            "--port",
            "0",
            "--home",
            str(tmp_path),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert complaint in done.stderr
    assert "listening" not in done.stderr
    assert "Traceback" not in done.stderr


def pool_threads_of(pid: int) -> int:
    """How many of the process's threads are key pool workers (by thread name)."""
    count = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            count += (task / "comm").read_text().strip() == "kmspair-pool"
        except OSError:
            continue  # the thread ended meanwhile (a request's thread, say)
    return count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("options", "pool_variable"),
    [
        (["--pool", "ECC_NIST_P256=4", "--pool-threads", "2"], None),
        (["--pool-threads", "2"], "ECC_NIST_P256=4"),
    ],
    ids=["pool option", "KMSPAIR_POOL"],
)
def test_with_workers_only_the_workers_fill_pools_and_they_start_before_any_request(
    tmp_path: Path, options: list[str], pool_variable: str | None
) -> None:
    process = serve_process(
        tmp_path / "home", "--workers", "2", *options, pool_variable=pool_variable
    )
    try:
        # No signed request has been made: the pool counters come from an unsigned GET that
        # takes no pair, so a full pool here was filled at the worker's start.
        assert wait_until_full(process.url, "ECC_NIST_P256")["hits"] == 0
        children = [
            int(pid)
            for pid in Path(f"/proc/{process.popen.pid}/task/{process.popen.pid}/children")
            .read_text()
            .split()
        ]
        assert len(children) == 2
        deadline = time.monotonic() + 30  # a worker may still be starting
        while not all(pool_threads_of(child) == 2 for child in children):
            assert time.monotonic() < deadline, [pool_threads_of(child) for child in children]
            time.sleep(0.02)
        assert pool_threads_of(process.popen.pid) == 0
    finally:
        stop(process)


def test_with_workers_the_pool_counters_add_up_every_workers_pool(tmp_path: Path) -> None:
    process = serve_process(tmp_path / "home", "--workers", "2", "--pool", "ECC_NIST_P256=4")
    try:
        full = wait_until_full(process.url, "ECC_NIST_P256")
        assert (full["capacity"], full["depth"]) == (8, 8)  # 2 workers, 4 pairs each
        key_id = kms_client(process.url).create_key()["KeyMetadata"]["KeyId"]
        for _ in range(12):  # a new client each time: any worker may answer
            kms_client(process.url).generate_data_key_pair(
                KeyId=key_id, KeyPairSpec="ECC_NIST_P256"
            )
        # Every answer to the unsigned GET, from whichever worker, counts all 12 requests.
        for _ in range(6):
            stats = pool_of(process.url)["ECC_NIST_P256"]
            assert stats["hits"] + stats["misses"] == 12
            assert stats["capacity"] == 8
    finally:
        stop(process)
