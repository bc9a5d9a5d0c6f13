"""The key pool at steady request rates: RSA_2048 through the local KMS, pool off and on.

An open-loop driver issues ``GenerateDataKeyPair`` RSA_2048 on ``kmspair.client()`` (a
temporary ``KMSPAIR_HOME``, one symmetric key) at a fixed rate: request ``i`` is due at
``start + i / rate`` whatever happened to the ones before. ``WORKERS`` threads take the due
requests in turn, so up to that many are in flight. With the pool on
(``configure_pool({"RSA_2048": 32})``) each rate starts with a full pool.

Two latencies per request:

* **latency** (the judged one) runs from when the request was issued, where a request that
  could not be issued on time because earlier ones still held every worker counts from when it
  was due (a backlog the service caused is charged to it: no coordinated omission). What is left
  out is only the driver's own lateness: a worker that slept until the due time and woke late.
  On this VM ``time.sleep`` wakes up to ~5 ms late (the virtual CPU is halted while idle), and
  that is the load generator's timer, not the request's wait;
* **from due** runs from the due time whatever delayed the start, the driver's timer included.
  It is shown beside the latency, with the driver's lateness, so the difference is visible.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

from suite_common import Check, Section, milliseconds, percentile, verdict

import kmspair

SPEC = "RSA_2048"
CAPACITY = 32
RATES = (2.0, 5.0, 10.0, 20.0)
TARGET_RATE = 10.0
TARGET_P99_MS = 1.0
WORKERS = 8
FILL_TIMEOUT = 60.0
# The judged point runs this many times as long as the others, in segments that alternate
# with the machine floor's: a p99 of 200 requests is their second-worst, which one host stall
# decides, and a floor measured minutes apart may have seen another host.
TARGET_SEGMENTS = 3


@dataclass
class Timings:
    """Per-request seconds of one run, each list sorted."""

    latency: list[float]
    from_due: list[float]
    driver_lateness: list[float]


def _drive(client: Any, key_id: str, rate: float, count: int) -> Timings:
    """The timings of ``count`` requests at ``rate`` per second (see the module's docstring)."""
    counter = itertools.count()
    lock = threading.Lock()
    latency: list[float] = []
    from_due: list[float] = []
    lateness: list[float] = []
    errors: list[BaseException] = []
    start = time.perf_counter() + 0.05

    def worker() -> None:
        while True:
            with lock:
                i = next(counter)
            if i >= count:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            issued = due  # backlogged: the worker was busy past the due time
            if delay > 0:
                time.sleep(delay)
                issued = time.perf_counter()  # on time but for the driver's own wake-up
            try:
                client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=SPEC)
            except BaseException as error:  # reported after the run
                errors.append(error)
                return
            finished = time.perf_counter()
            with lock:
                latency.append(finished - issued)
                from_due.append(finished - due)
                lateness.append(issued - due)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return Timings(sorted(latency), sorted(from_due), sorted(lateness))


def _pooled(runs: list[Timings]) -> Timings:
    return Timings(
        sorted(value for run in runs for value in run.latency),
        sorted(value for run in runs for value in run.from_due),
        sorted(value for run in runs for value in run.driver_lateness),
    )


class _Floor:
    """Stands in for the client: about 0.1 ms of pure CPU work (SHA-256 over small blocks) per
    call and nothing else. Driven at the same rates, it shows the latency this machine adds to
    any short request that arrives after an idle gap (a halted virtual CPU waking, cold caches):
    the floor under the pool's numbers."""

    def generate_data_key_pair(self, **request: Any) -> None:
        for _ in range(200):
            hashlib.sha256(b"x" * 100).digest()


def _configure(sizes: dict[str, int] | None) -> None:
    kmspair.configure_pool(sizes)


def _stats() -> dict[str, Any]:
    return dict(kmspair.pool_stats().get(SPEC, {}))


def _wait_full() -> int:
    """Wait until the pool holds its capacity (at most ``FILL_TIMEOUT``); its depth then."""
    start = time.perf_counter()
    while True:
        stats = _stats()
        depth = int(stats.get("depth", 0))
        if depth >= CAPACITY or time.perf_counter() - start > FILL_TIMEOUT:
            return depth
        time.sleep(0.02)


def _row(
    section: Section,
    data: dict[str, dict[float, dict[str, float]]],
    mode: str,
    rate: float,
    timings: Timings,
    before: dict[str, Any],
    after: dict[str, Any],
) -> list[str]:
    """One table row; the check when this is the target's point."""
    latencies = timings.latency
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    due_p99 = percentile(timings.from_due, 0.99)
    hits = "-"
    if mode == "on" and before and after:
        hits = f"{after['hits'] - before['hits']} / {after['misses'] - before['misses']}"
    judged = rate == TARGET_RATE and mode == "on"
    passed = p99 * 1000 <= TARGET_P99_MS if judged else None
    if judged:
        section.checks.append(
            Check(
                f"#6 {SPEC} through the local KMS, pool of {CAPACITY}, p99 at {rate:g} req/s",
                f"<= {TARGET_P99_MS:g} ms",
                f"{milliseconds(p99 * 1000)} ms",
                passed,
            )
        )
    data[mode][rate] = {
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": latencies[-1] * 1000,
        "from_due_p99_ms": due_p99 * 1000,
    }
    print(
        f"  pool {mode:<3} {rate:5g} req/s: {len(latencies)} requests, "
        f"p50 {p50 * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms (from due {due_p99 * 1000:.3f} ms), "
        f"hits/misses {hits}",
        file=sys.stderr,
        flush=True,
    )
    return [
        f"{rate:g}",
        f"on ({CAPACITY})" if mode == "on" else "off",
        str(len(latencies)),
        milliseconds(p50 * 1000),
        milliseconds(p99 * 1000),
        milliseconds(latencies[-1] * 1000),
        milliseconds(due_p99 * 1000),
        milliseconds(percentile(timings.driver_lateness, 0.99) * 1000),
        hits,
        f"p99 <= {TARGET_P99_MS:g} ms" if judged else "-",
        verdict(passed) if judged else "-",
    ]


def run(quick: bool) -> Section:
    section = Section(
        key="pool",
        title=f"Key pool: {SPEC} GenerateDataKeyPair through the local KMS at steady rates",
        header=[
            "rate req/s",
            "pool",
            "requests",
            "p50 ms",
            "p99 ms",
            "max ms",
            "p99 from due ms",
            "driver late p99 ms",
            "pool hits / misses",
            "target",
            "result",
        ],
    )
    seconds, minimum = (2.0, 6) if quick else (20.0, 100)
    data: dict[str, dict[float, dict[str, float]]] = {"off": {}, "on": {}}
    with tempfile.TemporaryDirectory(prefix="kmspair-suite-pool-") as home:
        client = kmspair.client(region_name="us-east-1", home=home)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        for _ in range(3):  # warm-up: imports, botocore's model, the keystore's connection
            client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=SPEC)
        shortfalls: list[str] = []
        floors: list[Timings] = []
        try:
            # All rates without the pool, then all with it (configured once, refilled before
            # each rate): reconfiguring is not what is measured.
            for mode in ("off", "on"):
                _configure({SPEC: CAPACITY} if mode == "on" else None)
                for rate in RATES:
                    count = max(minimum, round(rate * seconds))
                    judged = mode == "on" and rate == TARGET_RATE
                    runs: list[Timings] = []
                    before: dict[str, Any] = {}
                    for segment in range(TARGET_SEGMENTS if judged else 1):
                        if mode == "on":
                            depth = _wait_full()
                            if depth < CAPACITY:
                                shortfalls.append(f"{depth} of {CAPACITY} at {rate:g} req/s")
                            if segment == 0:
                                before = _stats()
                        runs.append(_drive(client, key_id, rate, count))
                        if judged:
                            floors.append(_drive(_Floor(), key_id, rate, count))
                    timings = _pooled(runs)
                    section.rows.append(_row(section, data, mode, rate, timings, before, _stats()))
            fill_rate = _stats().get("fill_rate_per_s")
            floor = _pooled(floors)
        finally:
            _configure(None)
    section.data = data
    section.rows.append(
        [
            f"{TARGET_RATE:g}",
            "none: machine floor",
            str(len(floor.latency)),
            milliseconds(percentile(floor.latency, 0.5) * 1000),
            milliseconds(percentile(floor.latency, 0.99) * 1000),
            milliseconds(floor.latency[-1] * 1000),
            milliseconds(percentile(floor.from_due, 0.99) * 1000),
            milliseconds(percentile(floor.driver_lateness, 0.99) * 1000),
            "-",
            "-",
            "-",
        ]
    )
    section.notes = [
        "The machine-floor row drives the same schedule into about 0.1 ms of plain CPU work "
        "(SHA-256) instead of the KMS: what this machine adds to any short request arriving "
        "after an idle gap (cold caches after the virtual CPU idled).",
        f"The judged point ({TARGET_RATE:g} req/s, pool on) runs {TARGET_SEGMENTS} segments of "
        "the schedule below, each followed by a machine-floor segment of the same schedule; "
        "both rows pool their segments, so the p99 is not one request's worth of host stall "
        "and the floor saw the same minutes of host as the pool.",
        "Open loop: request i is due at start + i/rate. Latency runs from when the request was "
        "issued, or from when it was due if every worker was still busy then (a backlog counts); "
        "p99 from due also counts the driver's own lateness (a sleeping worker waking late, "
        "shown as driver late p99). The target is judged on latency. "
        f"{WORKERS} threads share the schedule. Each point runs max({minimum} requests, "
        f"{seconds:g} s). Pool on: `kmspair.configure_pool({{'{SPEC}': {CAPACITY}}})` (its "
        f"default fill threads), full before each rate; its threads share the "
        f"{os.cpu_count()} cores with the requests"
        + (f" (fill rate {fill_rate:.1f} keys/s)." if fill_rate is not None else "."),
    ]
    if shortfalls:
        section.notes.append(
            f"The pool did not fill within {FILL_TIMEOUT:g} s: depth " + "; ".join(shortfalls) + "."
        )
    return section
