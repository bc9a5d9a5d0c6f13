"""The endpoint under load: `kmspair serve` against moto's server, through benches/loadgen.py.

Every load runs ``loadgen.run`` (signed requests replayed over keep-alive connections from one
selector thread) in a process of its own, so the load generator shares nothing with the suite;
its CPU time is reported, to show it is not the bottleneck. The servers are the subprocesses
``loadgen.start_kmspair`` and ``loadgen.start_moto`` start. ``kmspair serve`` runs with one
worker process per core (``--workers``), as a deployment on this machine would; one row shows
a single worker for reference (one process is held to about one core by its GIL).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import loadgen
from suite_common import Check, Section, milliseconds, rate, ratio, verdict

CONNECTIONS = 8
WORKERS = os.cpu_count() or 1
RSA_CONNECTIONS = 2
PAIR = "TrentService.GenerateDataKeyPair"
SPEEDUP_TARGET = 5.0  # P-256 GenerateDataKeyPair req/s over moto's GenerateDataKey req/s
INTERFERENCE_TARGET = 2.0  # P-256 p99 while RSA_4096 runs over its p99 alone
#: An open-loop P-256 rate well under capacity: latency without queueing behind the load itself.
STEADY_RATE = 200.0


def _arguments(url: str, target: str, body: dict[str, Any], **options: Any) -> dict[str, Any]:
    return dict(
        url=url,
        target=target,
        body=body,
        region=loadgen.REGION,
        access_key=loadgen.ACCESS_KEY,
        secret_key=loadgen.SECRET_KEY,
        **options,
    )


def _submit(executor: ProcessPoolExecutor, arguments: dict[str, Any]) -> Future[dict[str, Any]]:
    return executor.submit(loadgen.run, **arguments)


def _measure(
    executor: ProcessPoolExecutor, server: loadgen.RunningServer, arguments: dict[str, Any]
) -> dict[str, Any]:
    """``loadgen.run`` in ``executor``'s process, plus the server's CPU time over its wall time."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    result = _submit(executor, arguments).result()
    result["server_cpu"] = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    print(
        f"  endpoint {arguments['target']} {arguments['body'].get('KeyPairSpec', '')}: "
        f"{result['rps']:.0f} req/s, p99 {result['p99_ms']:.2f} ms, {result['errors']} errors",
        file=sys.stderr,
        flush=True,
    )
    return result


def run(quick: bool) -> Section:
    seconds = 2.0 if quick else 10.0
    section = Section(
        key="endpoint",
        title="Endpoint: `kmspair serve` against moto's server",
        header=[
            "load",
            "connections",
            "req/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "errors",
            "load generator CPU",
            "server CPU",
            "target",
            "result",
        ],
    )
    results: dict[str, dict[str, Any]] = {}
    context = multiprocessing.get_context("spawn")

    def row(
        name: str,
        result: dict[str, Any],
        connections: int,
        span: float,
        target: str = "-",
        passed: bool | None = None,
    ) -> list[str]:
        return [
            name,
            str(connections),
            rate(result["rps"]),
            milliseconds(result["p50_ms"]),
            milliseconds(result["p90_ms"]),
            milliseconds(result["p99_ms"]),
            milliseconds(result["max_ms"]),
            str(result["errors"]),
            f"{result['cpu_seconds_client'] / span:.0%}",
            f"{result['server_cpu']:.0%}" if "server_cpu" in result else "-",
            target,
            "-" if passed is None else verdict(passed),
        ]

    with (
        ProcessPoolExecutor(1, mp_context=context) as foreground,
        ProcessPoolExecutor(1, mp_context=context) as background,
    ):
        with loadgen.start_kmspair(workers=1) as single:
            key = loadgen.create_symmetric_key(single.url)
            p256 = {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"}
            warm_up = _arguments(single.url, PAIR, p256, seconds=1.0, connections=CONNECTIONS)
            _submit(foreground, warm_up).result()
            arguments = _arguments(single.url, PAIR, p256, seconds=seconds, connections=CONNECTIONS)
            one_worker = _measure(foreground, single, arguments)
        with loadgen.start_kmspair(workers=WORKERS) as server:
            url = server.url
            key = loadgen.create_symmetric_key(url)
            blob = loadgen.encrypt_for_decrypt(url, key)
            p256 = {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"}
            loads: list[tuple[str, str, dict[str, Any]]] = [
                ("kmspair GenerateDataKeyPair ECC_NIST_P256", PAIR, p256),
                ("kmspair GenerateDataKeyPair RSA_2048", PAIR, {**p256, "KeyPairSpec": "RSA_2048"}),
                ("kmspair Decrypt", "TrentService.Decrypt", {"CiphertextBlob": blob}),
            ]
            warm_up = _arguments(url, PAIR, p256, seconds=1.0, connections=CONNECTIONS)
            _submit(foreground, warm_up).result()
            for name, target, body in loads:
                arguments = _arguments(url, target, body, seconds=seconds, connections=CONNECTIONS)
                results[name] = _measure(foreground, server, arguments)
            steady = _arguments(
                url, PAIR, p256, seconds=seconds, connections=CONNECTIONS, rate=STEADY_RATE
            )
            steady_alone = _measure(foreground, server, steady)
            # P-256 again, closed loop then at the steady rate, while RSA_4096 pairs are
            # generated on more connections from a process of their own, started two seconds
            # early so that they are all busy, and ending two seconds after.
            rsa = {**p256, "KeyPairSpec": "RSA_4096"}
            rsa_arguments = _arguments(
                url, PAIR, rsa, seconds=2 * seconds + 4, connections=RSA_CONNECTIONS
            )
            rsa_future = _submit(background, rsa_arguments)
            time.sleep(2.0)
            arguments = _arguments(url, PAIR, p256, seconds=seconds, connections=CONNECTIONS)
            loaded = _measure(foreground, server, arguments)
            steady_loaded = _measure(foreground, server, steady)
            rsa_result = rsa_future.result()
        with loadgen.start_moto() as moto_server:
            moto_url = moto_server.url
            moto_key = loadgen.create_symmetric_key(moto_url)
            data_key = {"KeyId": moto_key, "KeySpec": "AES_256"}
            target = "TrentService.GenerateDataKey"
            warm_up = _arguments(moto_url, target, data_key, seconds=1.0, connections=CONNECTIONS)
            _submit(foreground, warm_up).result()
            arguments = _arguments(
                moto_url, target, data_key, seconds=seconds, connections=CONNECTIONS
            )
            moto = _measure(foreground, moto_server, arguments)

    alone = results["kmspair GenerateDataKeyPair ECC_NIST_P256"]
    speedup = alone["rps"] / moto["rps"] if moto["rps"] else float("nan")
    interference = loaded["p99_ms"] / alone["p99_ms"]
    speedup_ok = speedup >= SPEEDUP_TARGET
    interference_ok = interference <= INTERFERENCE_TARGET
    names = list(results)
    section.rows = [
        row(
            names[0],
            alone,
            CONNECTIONS,
            seconds,
            f">= {SPEEDUP_TARGET:g}x moto: {ratio(speedup)}",
            speedup_ok,
        ),
        *(row(name, results[name], CONNECTIONS, seconds) for name in names[1:]),
        row(f"{names[0]}, 1 worker process", one_worker, CONNECTIONS, seconds),
        row(
            "kmspair ECC_NIST_P256 while RSA_4096 runs",
            loaded,
            CONNECTIONS,
            seconds,
            f"p99 <= {INTERFERENCE_TARGET:g}x alone: {ratio(interference)}",
            interference_ok,
        ),
        row(
            f"kmspair ECC_NIST_P256 at a steady {STEADY_RATE:g} req/s",
            steady_alone,
            CONNECTIONS,
            seconds,
        ),
        row(
            f"kmspair ECC_NIST_P256 at a steady {STEADY_RATE:g} req/s while RSA_4096 runs",
            steady_loaded,
            CONNECTIONS,
            seconds,
            f"(p99 {ratio(steady_loaded['p99_ms'] / steady_alone['p99_ms'])} alone)",
        ),
        row("  (the RSA_4096 load meanwhile)", rsa_result, RSA_CONNECTIONS, 2 * seconds + 4),
        row("moto GenerateDataKey AES_256 (peer reference)", moto, CONNECTIONS, seconds),
    ]
    section.checks = [
        Check(
            "#6 endpoint P-256 GenerateDataKeyPair req/s / moto GenerateDataKey req/s",
            f">= {SPEEDUP_TARGET:g}x",
            ratio(speedup),
            speedup_ok,
        ),
        Check(
            "#6 endpoint P-256 p99 while RSA_4096 runs / alone",
            f"<= {INTERFERENCE_TARGET:g}x",
            ratio(interference),
            interference_ok,
        ),
    ]
    section.notes = [
        f"`kmspair serve --workers {WORKERS}` (one process per core) unless a row says 1 "
        "worker. "
        f"Closed loop: each of the {CONNECTIONS} keep-alive connections sends its next signed "
        f"request when the last is answered, for {seconds:g} s a row (after a warm-up); "
        "latency runs from the send. CPU columns: CPU time over wall time (one core = 100%; "
        "server CPU counts every thread of the server process). The steady rows are an open "
        f"loop at {STEADY_RATE:g} requests/s (latency from when each was due), for P-256 "
        "latency without the closed loop's own queueing; their ratio is shown, the target is "
        "judged on the closed loop. The RSA_4096 load runs on "
        f"{RSA_CONNECTIONS} connections from another process, from 2 s before the loaded P-256 "
        "rows to 2 s after them. moto's server answers "
        "GenerateDataKey (it has no GenerateDataKeyPair) under the same load.",
    ]
    section.data = {
        "kmspair P-256": alone["rps"],
        "kmspair P-256, 1 worker": one_worker["rps"],
        "kmspair RSA_2048": results["kmspair GenerateDataKeyPair RSA_2048"]["rps"],
        "kmspair Decrypt": results["kmspair Decrypt"]["rps"],
        "moto GenerateDataKey": moto["rps"],
        "p256_p99_alone_ms": alone["p99_ms"],
        "p256_p99_with_rsa4096_ms": loaded["p99_ms"],
    }
    return section
