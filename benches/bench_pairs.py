"""Key pairs per second of kmspair's Rust core against its pure-Python backend.

For every KeyPairSpec this measures the full pipeline (key generation, PKCS#8/SPKI DER and an
AES-256-GCM seal of the private key under 64 bytes of AAD) five ways:

* ``rust 1t`` / ``python 1t``: one thread calling ``generate_sealed_key_pair`` in a loop;
* ``rust all`` / ``python all``: ``generate_sealed_key_pairs(spec, key, aad, n, None)``, the
  whole pipeline on every core;
* ``rust batch 1t``: the same batch with ``threads=1``, the base of the scaling column.

Each point runs in ``ROUNDS`` blocks and the five points take turns block by block (in a
rotating order), so machine noise hits every point alike; a rate is total pairs over total
time. RSA key generation time varies by about +-60% per key, so every RSA point generates
``--rsa-keys`` pairs; every other point runs for about ``--ec-seconds`` after a warm-up.

Run from the repository root, with kmspair installed (``maturin develop --release``)::

    python benches/bench_pairs.py
    python benches/bench_pairs.py --specs ECC_NIST_P256,RSA_2048 --markdown-out results.md
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import kmspair
from kmspair.backend import Backend, Sealer, resolve
from kmspair.specs import RSA_SPECS

ROUNDS = 3
AAD = bytes(range(64))
CORES = os.cpu_count() or 1

#: Generates and seals ``n`` key pairs.
Work = Callable[[int], None]


@dataclass
class Point:
    """One measured configuration: its work, block size and running totals."""

    name: str
    work: Work
    block: int = 1
    pairs: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.pairs / self.seconds

    def run(self, n: int) -> float:
        start = time.perf_counter()
        self.work(n)
        return time.perf_counter() - start


def loop(backend: Backend, key: Sealer, spec: str) -> Work:
    def work(n: int) -> None:
        for _ in range(n):
            backend.generate_sealed_key_pair(spec, key, AAD)

    return work


def batch(backend: Backend, key: Sealer, spec: str, threads: int | None) -> Work:
    def work(n: int) -> None:
        backend.generate_sealed_key_pairs(spec, key, AAD, n, threads)

    return work


def size_block(point: Point, spec: str, smallest: int, args: argparse.Namespace) -> None:
    """Warm ``point`` up and choose how many pairs one of its blocks generates."""
    point.run(smallest)  # first calls pay one-time costs (imports, tables, thread start-up)
    if spec in RSA_SPECS:
        point.block = max(smallest, math.ceil(args.rsa_keys / ROUNDS))
        return
    target = args.ec_seconds / ROUNDS
    n = smallest
    while (elapsed := point.run(n)) < min(0.1, target / 4):
        n *= 2
    point.block = max(smallest, round(n * target / elapsed))


def measure(spec: str, args: argparse.Namespace) -> dict[str, float]:
    """Pairs per second of every point for ``spec``."""
    rust, python = resolve("rust"), resolve("python")
    secret = os.urandom(32)
    rust_key, python_key = rust.SealingKey(secret), python.SealingKey(secret)
    points = [
        Point("rust 1t", loop(rust, rust_key, spec)),
        Point("python 1t", loop(python, python_key, spec)),
        Point("rust all", batch(rust, rust_key, spec, None)),
        Point("python all", batch(python, python_key, spec, None)),
        Point("rust batch 1t", batch(rust, rust_key, spec, 1)),
    ]
    for point in points:
        smallest = 1 if point.name.endswith("1t") else 2 * CORES
        size_block(point, spec, smallest, args)
    for round_ in range(ROUNDS):
        for i in range(len(points)):
            point = points[(i + round_) % len(points)]
            point.seconds += point.run(point.block)
            point.pairs += point.block
    for point in points:
        print(
            f"  {spec:<22} {point.name:<14} {point.pairs:>7} pairs "
            f"in {point.seconds:7.2f} s = {point.rate:10.1f}/s",
            file=sys.stderr,
            flush=True,
        )
    return {point.name: point.rate for point in points}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    command = shlex.join(["python", *sys.argv])
    lines = [
        f"Machine: {CORES} cores (nproc), {cpu_model()}; Python {platform.python_version()}, "
        f"kmspair {kmspair.__version__}.",
        "",
        f"Command: `{command}`",
        "",
        "Full pipeline (keygen + PKCS#8/SPKI DER + AES-256-GCM seal of the private key), "
        f"in pairs per second; each rate is total pairs / total time over {ROUNDS} interleaved "
        f"rounds. RSA points: {ROUNDS * math.ceil(args.rsa_keys / ROUNDS)} pairs each; other "
        f"points: about {args.ec_seconds:g} s each.",
        "",
        "| spec | rust 1-thread pairs/s | python 1-thread pairs/s | rust/python (1 thread) "
        f"| rust all-cores pairs/s | python all-cores pairs/s "
        f"| rust {CORES} cores / 1 core |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for spec, r in results.items():
        lines.append(
            f"| {spec} | {rate(r['rust 1t'])} | {rate(r['python 1t'])} "
            f"| {r['rust 1t'] / r['python 1t']:.2f}x | {rate(r['rust all'])} "
            f"| {rate(r['python all'])} | {r['rust all'] / r['rust batch 1t']:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--specs",
        default=",".join(kmspair.KEY_PAIR_SPECS),
        help="comma-separated KeyPairSpecs (default: all)",
    )
    parser.add_argument(
        "--rsa-keys", type=int, default=150, help="pairs per RSA point (default: 150)"
    )
    parser.add_argument(
        "--ec-seconds", type=float, default=2.0, help="seconds per non-RSA point (default: 2.0)"
    )
    parser.add_argument("--markdown-out", help="also write the markdown report to this file")
    args = parser.parse_args()
    args.specs = [spec.strip() for spec in args.specs.split(",") if spec.strip()]
    unknown = [spec for spec in args.specs if spec not in kmspair.KEY_PAIR_SPECS]
    if unknown:
        parser.error(f"unknown specs {unknown}; valid: {', '.join(kmspair.KEY_PAIR_SPECS)}")
    if args.rsa_keys < 1 or args.ec_seconds <= 0:
        parser.error("--rsa-keys and --ec-seconds must be positive")
    return args


def main() -> None:
    args = parse_args()
    results = {spec: measure(spec, args) for spec in args.specs}
    markdown = report(results, args)
    print(markdown, end="")
    if args.markdown_out:
        with open(args.markdown_out, "w", encoding="utf-8") as out:
            out.write(markdown)


if __name__ == "__main__":
    main()
