"""A load generator for the kmspair endpoint (and moto's server, as a peer reference).

It is built to cost the machine as little as possible, since on 2 cores it shares them with the
server it measures: every request is signed once with botocore's SigV4 signer and its raw bytes
are replayed (a signature stays valid for 15 minutes, and neither kmspair nor AWS refuses a
replayed one), over ``connections`` persistent HTTP/1.1 keep-alive connections driven by ONE
thread with a ``selectors`` loop. A response is parsed only as far as its status line and
``Content-Length``. Run it in its own process (``python benches/loadgen.py`` does).

``run`` is the interface the benchmark suite imports; ``start_kmspair`` / ``start_moto`` start
the servers in subprocesses; ``create_symmetric_key`` / ``encrypt_for_decrypt`` make what the
requests need. ``python benches/loadgen.py`` prints the comparison table of issue #6.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CONTENT_TYPE = "application/x-amz-json-1.1"
REGION = "us-east-1"
ACCESS_KEY = "test"  # the identity `kmspair serve` accepts without a credentials file
SECRET_KEY = "test"
_RECV_BYTES = 65536


def presign(
    url: str, target: str, body: dict[str, Any], *, region: str, access_key: str, secret_key: str
) -> bytes:
    """The complete raw bytes of one SigV4-signed awsJson1_1 POST, to be replayed as they are."""
    payload = json.dumps(body).encode()
    parsed = urllib.parse.urlsplit(url)
    request = AWSRequest(
        method="POST",
        url=url.rstrip("/") + "/",
        data=payload,
        headers={"X-Amz-Target": target, "Content-Type": CONTENT_TYPE},
    )
    SigV4Auth(Credentials(access_key, secret_key), "kms", region).add_auth(request)
    lines = [f"POST {parsed.path or '/'} HTTP/1.1", f"Host: {parsed.netloc}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items() if name != "Host"]
    lines += [f"Content-Length: {len(payload)}", "Connection: keep-alive"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class _Connection:
    """One keep-alive connection: at most one request in flight."""

    address: tuple[str, int]
    sock: socket.socket | None = None
    buffer: bytearray = field(default_factory=bytearray)
    started: float | None = None  # when the request in flight was due (its latency origin)

    def open(self) -> socket.socket:
        sock = socket.create_connection(self.address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.sock = sock
        self.buffer.clear()
        return sock


def _response_end(buffer: bytearray) -> tuple[int, int, bool] | None:
    """(status, total length, server closes) of the buffered response, once it is complete."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buffer[:head_end]).lower()
    status = int(head[9:12])
    at = head.find(b"\r\ncontent-length:")
    length = 0
    if at >= 0:
        end = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : end if end >= 0 else len(head)])
    total = head_end + 4 + length
    if len(buffer) < total:
        return None
    return status, total, b"\r\nconnection: close" in head


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(
    url: str,
    target: str,
    body: dict[str, Any],
    *,
    region: str,
    access_key: str,
    secret_key: str,
    connections: int = 8,
    seconds: float = 10.0,
    rate: float | None = None,
) -> dict[str, Any]:
    """Replay one signed request over ``connections`` keep-alive connections for ``seconds``.

    ``rate=None`` is a closed loop: each connection sends its next request as soon as the last
    is answered, and latency runs from the send. A ``rate`` is an open loop at that fixed
    arrival rate: a request due while every connection is busy waits, and its latency runs from
    when it was due, so the server's stalls are not hidden (no coordinated omission).

    Before the clock starts, each connection is opened and answers one request (not counted);
    requests still queued or in flight when the time is up are not counted either. A server
    answering ``Connection: close`` (moto's does) gets a new connection for the next request.
    ``requests`` counts answered requests, ``errors`` those not answered 200 plus broken
    connections; ``cpu_seconds_client`` is this process's CPU time during the run (so call it
    from a process that runs nothing else).
    """
    parsed = urllib.parse.urlsplit(url)
    address = (parsed.hostname or "127.0.0.1", parsed.port or 80)
    raw = presign(url, target, body, region=region, access_key=access_key, secret_key=secret_key)
    pool = [_Connection(address) for _ in range(connections)]
    _warm_up(pool, raw)
    selector = selectors.DefaultSelector()
    for connection in pool:
        assert connection.sock is not None
        selector.register(connection.sock, selectors.EVENT_READ, connection)

    latencies: list[float] = []
    errors = 0
    idle: deque[_Connection] = deque(pool)
    due: deque[float] = deque()  # open loop: requests due but not yet sent
    interval = 0.0 if rate is None else 1.0 / rate
    cpu_start = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    next_due = start
    now = start
    while now < deadline:
        if rate is None:
            due.extend(now for _ in range(len(idle)))
        else:
            while next_due <= now:
                due.append(next_due)
                next_due += interval
        while idle and due:
            connection = idle.popleft()
            connection.started = due.popleft()
            assert connection.sock is not None
            try:
                connection.sock.sendall(raw)  # a few hundred bytes: fits the empty send buffer
            except OSError:
                errors += 1
                _reopen(selector, connection)
                idle.append(connection)
        timeout = deadline - now if rate is None else min(deadline, next_due) - now
        for key, _ in selector.select(max(timeout, 0.0)):
            connection = key.data
            try:
                chunk = key.fileobj.recv(_RECV_BYTES)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:  # the server closed the connection
                if connection.started is not None:
                    errors += 1
                _reopen(selector, connection)
                idle.append(connection)
                continue
            connection.buffer += chunk
            parsed_end = _response_end(connection.buffer)
            if parsed_end is None:
                continue
            status, total, closes = parsed_end
            finished = time.perf_counter()
            if connection.started is not None:
                latencies.append(finished - connection.started)
            errors += status != 200
            connection.started = None
            del connection.buffer[:total]
            if closes:
                _reopen(selector, connection)
            idle.append(connection)
        now = time.perf_counter()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    for connection in pool:
        if connection.sock is not None:
            selector.unregister(connection.sock)
            connection.sock.close()
    selector.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p90_ms": _percentile(latencies, 0.90) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "cpu_seconds_client": cpu,
    }


def _warm_up(pool: list[_Connection], raw: bytes) -> None:
    """Open every connection and have it answered once (the server's thread starts)."""
    for connection in pool:
        sock = connection.open()
        sock.setblocking(True)
        sock.sendall(raw)
        while _response_end(connection.buffer) is None:
            chunk = sock.recv(_RECV_BYTES)
            if not chunk:
                raise ConnectionError(f"{connection.address} closed during warm-up")
            connection.buffer += chunk
        status, total, closes = _response_end(connection.buffer) or (0, 0, False)
        if status != 200:
            raise RuntimeError(f"warm-up request answered {status}: {bytes(connection.buffer)!r}")
        del connection.buffer[:total]
        sock.setblocking(False)
        if closes:
            sock.close()
            connection.open()


def _reopen(selector: selectors.BaseSelector, connection: _Connection) -> None:
    if connection.sock is not None:
        selector.unregister(connection.sock)
        connection.sock.close()
    connection.started = None
    selector.register(connection.open(), selectors.EVENT_READ, connection)


# -- servers and keys ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@dataclass(frozen=True)
class RunningServer:
    """A server subprocess started by :func:`start_kmspair` or :func:`start_moto`."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time so far (user + system, every thread) of the server process and of its
        live children (``kmspair serve --workers N`` serves from N child processes); Linux
        only."""
        return sum(_cpu_seconds(pid) for pid in (self.pid, *_children(self.pid)))


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a child that just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []


@contextlib.contextmanager
def _process(command: list[str], port: int, env: dict[str, str]) -> Iterator[RunningServer]:
    # The request logs go nowhere: formatting them is part of the server's cost, printing
    # them to a terminal would not be.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_listening(port, process)
        yield RunningServer(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def start_kmspair(
    extra_env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[RunningServer]:
    """``kmspair serve --workers N`` in a subprocess on a free port and a temporary
    KMSPAIR_HOME.

    It accepts the default identity (``test``/``test``, account 111122223333).
    """
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="kmspair-loadgen-") as home:
        env = {**os.environ, "KMSPAIR_HOME": home, **(extra_env or {})}
        command = [sys.executable, "-m", "kmspair", "serve", "--port", str(port)]
        command += ["--workers", str(workers)]
        with _process(command, port, env) as server:
            yield server


@contextlib.contextmanager
def start_moto() -> Iterator[RunningServer]:
    """moto's ThreadedMotoServer in a subprocess on a free port."""
    port = _free_port()
    script = (
        "import sys, threading\n"
        "from moto.server import ThreadedMotoServer\n"
        f"server = ThreadedMotoServer(ip_address='127.0.0.1', port={port}, verbose=False)\n"
        "server.start()\n"
        "threading.Event().wait()\n"
    )
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    with _process([sys.executable, "-c", script], port, env) as server:
        yield server


def _client(url: str) -> Any:
    import boto3

    return boto3.client(
        "kms",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def create_symmetric_key(url: str) -> str:
    """A new SYMMETRIC_DEFAULT key at ``url``; its ARN."""
    return str(_client(url).create_key()["KeyMetadata"]["Arn"])


def encrypt_for_decrypt(url: str, key_id: str) -> str:
    """A ciphertext (base64, as the JSON body carries it) of 32 bytes under ``key_id``."""
    import base64

    blob = _client(url).encrypt(KeyId=key_id, Plaintext=os.urandom(32))["CiphertextBlob"]
    return base64.b64encode(blob).decode()


# -- the comparison table -----------------------------------------------------------------------


def _run_in_child(arguments: dict[str, Any], results: Any) -> None:
    results.put(run(**arguments))


def _arguments(url: str, target: str, body: dict[str, Any], **options: Any) -> dict[str, Any]:
    return dict(
        url=url,
        target=target,
        body=body,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        **options,
    )


def _measured(server: RunningServer, **arguments: Any) -> dict[str, Any]:
    """``run`` plus the server's CPU time over the same wall time (``server_cpu``)."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    result = run(**arguments)
    result["server_cpu"] = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return result


def _row(name: str, result: dict[str, Any], seconds: float) -> str:
    server = f"{result['server_cpu']:.0%}" if "server_cpu" in result else "-"
    return (
        f"| {name} | {result['rps']:.0f} | {result['p50_ms']:.2f} | {result['p90_ms']:.2f} | "
        f"{result['p99_ms']:.2f} | {result['max_ms']:.1f} | {result['errors']} | "
        f"{result['cpu_seconds_client'] / seconds:.0%} | {server} |"
    )


def main(argv: list[str] | None = None) -> None:
    """Print the issue #6 comparison table (markdown) for one side-by-side session."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--double-check", action="store_true", help="also P-256 at 2x connections")
    options = parser.parse_args(argv)
    seconds, conns = options.seconds, options.connections
    lines = [
        f"{conns} connections, {seconds:g} s per row. CPU columns: CPU time over wall time "
        "(one core = 100%, the machine has " + f"{os.cpu_count()})",
        "",
        "| load | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | client CPU | server CPU |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    pair = "TrentService.GenerateDataKeyPair"
    with start_kmspair() as server:
        key = create_symmetric_key(server.url)
        blob = encrypt_for_decrypt(server.url, key)
        p256 = {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"}
        rsa2048 = {**p256, "KeyPairSpec": "RSA_2048"}
        decrypt = {"CiphertextBlob": blob}
        run(**_arguments(server.url, pair, p256, seconds=1.0, connections=conns))  # warm-up
        alone = _measured(
            server, **_arguments(server.url, pair, p256, seconds=seconds, connections=conns)
        )
        lines.append(
            _row(f"kmspair GenerateDataKeyPair ECC_NIST_P256 ({conns} conn.)", alone, seconds)
        )
        if options.double_check:
            double = _measured(
                server, **_arguments(server.url, pair, p256, seconds=seconds, connections=2 * conns)
            )
            lines.append(_row(f"  same, {2 * conns} conn.", double, seconds))
        result = _measured(
            server, **_arguments(server.url, pair, rsa2048, seconds=seconds, connections=conns)
        )
        lines.append(_row(f"kmspair GenerateDataKeyPair RSA_2048 ({conns} conn.)", result, seconds))
        result = _measured(
            server,
            **_arguments(
                server.url, "TrentService.Decrypt", decrypt, seconds=seconds, connections=conns
            ),
        )
        lines.append(_row(f"kmspair Decrypt ({conns} conn.)", result, seconds))
        # P-256 while RSA_4096 pairs are generated on 2 more connections, from another process.
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        rsa4096 = {**p256, "KeyPairSpec": "RSA_4096"}
        background = context.Process(
            target=_run_in_child,
            args=(_arguments(server.url, pair, rsa4096, seconds=seconds + 4, connections=2), queue),
        )
        background.start()
        time.sleep(2.0)  # its process is up and its first keys are being generated
        loaded = _measured(
            server, **_arguments(server.url, pair, p256, seconds=seconds, connections=conns)
        )
        rsa_result = queue.get()
        background.join()
        lines.append(_row(f"kmspair P-256 while RSA_4096 runs ({conns} conn.)", loaded, seconds))
        lines.append(_row("  the RSA_4096 load meanwhile (2 conn.)", rsa_result, seconds + 4))
    with start_moto() as moto_server:
        moto_key = create_symmetric_key(moto_server.url)
        data_key = {"KeyId": moto_key, "KeySpec": "AES_256"}
        target = "TrentService.GenerateDataKey"
        run(**_arguments(moto_server.url, target, data_key, seconds=1.0, connections=conns))
        moto = _measured(
            moto_server,
            **_arguments(moto_server.url, target, data_key, seconds=seconds, connections=conns),
        )
        lines.append(_row(f"moto GenerateDataKey AES_256 ({conns} conn.)", moto, seconds))
        if options.double_check:
            double = _measured(
                moto_server,
                **_arguments(
                    moto_server.url, target, data_key, seconds=seconds, connections=2 * conns
                ),
            )
            lines.append(_row(f"  same, {2 * conns} conn.", double, seconds))
    lines += [
        "",
        f"kmspair P-256 / moto GenerateDataKey: {alone['rps'] / moto['rps']:.1f}x (target >= 5x)",
        f"P-256 p99 with RSA_4096 / without: {loaded['p99_ms'] / alone['p99_ms']:.2f} "
        "(target <= 2)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
