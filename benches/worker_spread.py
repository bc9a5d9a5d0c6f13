"""How ``kmspair serve --workers 2`` spreads kept-alive connections over its workers.

Opens 8 connections together, sends one signed ListKeys on each, and counts from the request log
which worker answered each (a kept-alive connection stays with the worker that accepted it);
``--tries`` times, with ``--busy`` spinning processes keeping the cores busy meanwhile. Prints
one sorted split per try, e.g. ``[4, 4]``; a split like ``[1, 7]`` leaves one worker (one core,
because of its GIL) answering nearly everything. Linux or macOS (needs ``os.fork``).

    python benches/worker_spread.py --tries 10 --busy 2
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

import loadgen

WORKER_LINE = re.compile(r"kmspair\.server\.worker\.(\d+) ListKeys ")


def _spin(stop: float) -> None:
    while time.monotonic() < stop:
        pass


def _receive_response(connection: socket.socket) -> None:
    """Reads one response to its end (framed as the load generator frames them)."""
    received = bytearray()
    while loadgen._response_end(received) is None:
        received += connection.recv(65536)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=10)
    parser.add_argument("--busy", type=int, default=0, help="spinning processes meanwhile")
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kmspair-spread-") as home:
        command = [sys.executable, "-m", "kmspair", "serve", "--port", "0", "--workers", "2"]
        server = subprocess.Popen(
            [*command, "--home", home], stderr=subprocess.PIPE, text=True, bufsize=1
        )
        assert server.stderr is not None
        lines: list[str] = []
        url = ""
        for line in server.stderr:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                url = found.group(1)
                break
        threading.Thread(target=lambda: lines.extend(server.stderr or []), daemon=True).start()
        time.sleep(1.0)  # both workers started
        host, port = url.removeprefix("http://").rsplit(":", 1)
        request = loadgen.presign(
            url,
            "TrentService.ListKeys",
            {},
            region=loadgen.REGION,
            access_key=loadgen.ACCESS_KEY,
            secret_key=loadgen.SECRET_KEY,
        )
        spinners = [
            multiprocessing.Process(target=_spin, args=(time.monotonic() + 600,))
            for _ in range(options.busy)
        ]
        for spinner in spinners:
            spinner.start()
        try:
            for _ in range(options.tries):
                before = len(lines)
                connections = [
                    socket.create_connection((host, int(port))) for _ in range(options.connections)
                ]
                for connection in connections:
                    connection.sendall(request)
                for connection in connections:
                    _receive_response(connection)
                time.sleep(0.3)  # the workers' log lines are written
                pids = [m.group(1) for line in lines[before:] if (m := WORKER_LINE.search(line))]
                print(sorted(collections.Counter(pids).values()), flush=True)
                for connection in connections:
                    connection.close()
                time.sleep(0.2)  # the workers see the connections close
        finally:
            for spinner in spinners:
                spinner.terminate()
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
