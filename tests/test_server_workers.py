"""``kmspair serve --workers N``: a parent that listens and supervises, N forked worker processes
sharing its socket and the keystore. Real processes; workers are told apart by the pid in their
logger's name (``kmspair.server.worker.<pid>``) and found as the parent's children in /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from kmspair.cli.errors import EXIT_USAGE_ERROR
from kmspair.server import serve
from server_helpers import ServerProcess, call, kms_client, live_children, signed_headers

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self/stat").exists(),
    reason="pre-fork workers need os.fork; the tests find them in /proc",
)

T = TypeVar("T")
WORKER_LINE = re.compile(r"kmspair\.server\.worker\.(\d+) (\w+) ")


class Workers(ServerProcess):
    """A running ``<command> --workers 2 --port 0`` and what it writes to stderr (read by a
    thread, so the pipe never fills)."""

    def __init__(self, home: Path, command: list[str], workers: int = 2) -> None:
        super().__init__([*command, "--workers", str(workers), "--port", "0", "--home", str(home)])
        self.workers = workers
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.lines.append(line)

    def children(self) -> set[int]:
        """The pids of the parent's live child processes."""
        return live_children(self.popen.pid)

    def serving(self) -> set[int]:
        """The pids of the workers that have logged that they serve (their accept loop is
        about to start)."""
        return {
            int(match.group(1))
            for line in list(self.lines)
            if (match := WORKER_LINE.search(line)) and "KMS endpoint on" in line
        }

    def wait_until_every_worker_serves(self) -> None:
        def every_worker_serves() -> bool | None:
            children = self.children()
            return True if len(children) == self.workers and children <= self.serving() else None

        wait_for(every_worker_serves)

    def answered_by(self, operation: str, count: int) -> list[int]:
        """The worker pid of each of the first ``count`` log lines of ``operation``."""
        return wait_for(lambda: self._answered_by(operation, count))

    def _answered_by(self, operation: str, count: int) -> list[int] | None:
        pids = [
            int(match.group(1))
            for line in list(self.lines)
            if (match := WORKER_LINE.search(line)) and match.group(2) == operation
        ]
        return pids[:count] if len(pids) >= count else None

    def stop(self) -> int:
        """SIGTERM, then the exit status."""
        self.popen.send_signal(signal.SIGTERM)
        status = self.popen.wait(timeout=60)
        self._reader.join(timeout=10)
        return status


def wait_for(probe: Callable[[], T | None], seconds: float = 20) -> T:
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value is not None and value != set():
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def kmspair_serve() -> list[str]:
    return [sys.executable, "-m", "kmspair", "serve"]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    running = Workers(tmp_path / "home", kmspair_serve())
    pids = wait_for(lambda: running.children() if len(running.children()) == 2 else None)
    yield running
    if running.popen.poll() is None:
        running.popen.kill()
        running.popen.wait()
    for pid in pids | running.children():  # no orphan outlives a failed test
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def list_keys_on_fresh_connections(url: str, count: int) -> None:
    """``count`` ListKeys, each on a new connection, from 4 threads; all must succeed."""
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: call(url, "TrentService.ListKeys", {}), range(count)))
    assert [reply.status for reply in replies] == [200] * count


def test_boto3_calls_work_with_two_workers(workers: Workers) -> None:
    kms = kms_client(workers.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"hello")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"
    assert kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")["KeyId"]


def test_requests_on_fresh_connections_are_answered_by_both_workers(workers: Workers) -> None:
    list_keys_on_fresh_connections(workers.url, 60)
    answered = set(workers.answered_by("ListKeys", 60))
    assert answered == workers.children()
    assert len(answered) == 2


def test_sigterm_stops_the_parent_and_every_worker_with_exit_0(workers: Workers) -> None:
    children = workers.children()
    assert len(children) == 2
    assert workers.stop() == 0
    wait_for(lambda: True if not any(Path(f"/proc/{pid}").exists() for pid in children) else None)
    assert not any("Traceback" in line for line in workers.lines)


def test_a_worker_killed_with_sigkill_is_replaced_and_the_endpoint_keeps_answering(
    workers: Workers,
) -> None:
    before = workers.children()
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    after = wait_for(
        lambda: (
            workers.children()
            if len(workers.children()) == 2 and victim not in workers.children()
            else None
        )
    )
    assert len(after & before) == 1
    list_keys_on_fresh_connections(workers.url, 40)
    # The parent logs the replacement as it forks it; the log reaches us on its own schedule.
    assert wait_for(
        lambda: (
            any("was killed by SIGKILL; starting a replacement" in x for x in workers.lines) or None
        )
    )
    assert workers.stop() == 0


def test_a_key_created_through_one_worker_is_usable_through_the_other(workers: Workers) -> None:
    key_id = kms_client(workers.url).create_key()["KeyMetadata"]["KeyId"]
    creator = workers.answered_by("CreateKey", 1)[0]
    with ThreadPoolExecutor(4) as pool:
        replies = list(
            pool.map(
                lambda _: call(
                    workers.url, "TrentService.Encrypt", {"KeyId": key_id, "Plaintext": "aGk="}
                ),
                range(60),
            )
        )
    assert [reply.status for reply in replies] == [200] * 60
    encrypters = set(workers.answered_by("Encrypt", 60))
    assert encrypters - {creator}, "no Encrypt was answered by the worker that did not create"


def test_python_m_kmspair_server_takes_workers(tmp_path: Path) -> None:
    running = Workers(tmp_path / "home", [sys.executable, "-m", "kmspair.server"])
    try:
        wait_for(lambda: True if len(running.children()) == 2 else None)
        list_keys_on_fresh_connections(running.url, 4)
    finally:
        assert running.stop() == 0


@pytest.mark.parametrize("value", ["0", "x", "65", "-1"])
def test_a_bad_number_of_workers_is_refused(tmp_path: Path, value: str) -> None:
    result = subprocess.run(
        [*kmspair_serve(), "--workers", value, "--port", "0", "--home", str(tmp_path / "h")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_USAGE_ERROR  # as for any bad option, e.g. --port x
    assert "argument --workers" in result.stderr
    assert "listening" not in result.stderr


@pytest.mark.parametrize("value", [0, 65, "2", True])
def test_serve_refuses_a_bad_number_of_workers(value: object) -> None:
    with pytest.raises(ValueError, match="workers"):
        serve(port=0, workers=value)  # type: ignore[arg-type]


def test_a_bad_home_fails_fast_with_two_workers_as_with_one(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("")
    results = [
        subprocess.run(
            [*kmspair_serve(), "--workers", workers, "--port", "0", "--home", str(home)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        for workers in ("1", "2")
    ]
    one, two = results
    assert two.returncode == one.returncode != 0
    assert two.stderr == one.stderr
    assert "Cannot open the keystore" in two.stderr


def open_connections(url: str, count: int, timeout: float = 30) -> list[http.client.HTTPConnection]:
    """``count`` connections, all established before any of them sends a request."""
    parsed = urllib.parse.urlsplit(url)
    connections = [
        http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=timeout)
        for _ in range(count)
    ]
    for connection in connections:
        connection.connect()
    return connections


def list_keys_on(connection: http.client.HTTPConnection, url: str) -> int:
    """One signed ListKeys on a kept-alive ``connection``; its HTTP status."""
    connection.request("POST", "/", body=b"{}", headers=signed_headers(url, b"{}"))
    response = connection.getresponse()
    response.read()
    return response.status


def test_kept_alive_connections_opened_together_are_spread_evenly_over_the_workers(
    workers: Workers,
) -> None:
    # A kept-alive connection stays with the worker that accepted it: when one worker takes
    # most of a burst, it answers most of the load on one core.
    workers.wait_until_every_worker_serves()
    opened: list[http.client.HTTPConnection] = []
    try:
        for burst in (1, 2, 3):
            connections = open_connections(workers.url, 8)
            opened += connections
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda c: list_keys_on(c, workers.url), connections))
            assert statuses == [200] * 8
            per_worker = Counter(workers.answered_by("ListKeys", 8 * burst))
            assert sorted(per_worker.values()) == [4 * burst, 4 * burst]
    finally:
        for connection in opened:
            connection.close()


def test_a_connection_is_taken_even_when_the_least_loaded_worker_cannot_take_it(
    workers: Workers,
) -> None:
    # A stopped worker keeps the fewest connections (none) in the table but accepts nothing;
    # the other worker takes each waiting connection after a short deferral, well within the
    # client's timeout.
    workers.wait_until_every_worker_serves()
    stopped, running = sorted(workers.children())
    os.kill(stopped, signal.SIGSTOP)
    held = []
    try:
        for _ in range(3):
            held += open_connections(workers.url, 1, timeout=5)
            assert list_keys_on(held[-1], workers.url) == 200
        assert workers.answered_by("ListKeys", 3) == [running] * 3
    finally:
        os.kill(stopped, signal.SIGCONT)
        for connection in held:
            connection.close()
