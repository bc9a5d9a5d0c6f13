"""A/B of builds of the extension on batches: pairs/s on one thread and on all cores, their
ratio, and peak memory, each build in its own process (an extension module loads once per
process), the builds taking turns run by run.

Keep a build aside with ``cp python/kmspair/_core.abi3.so /tmp/a.so`` before a change and
``/tmp/b.so`` after it, then::

    python benches/batch_ab.py --spec ECC_NIST_P256 --pairs 30000 --runs 2 /tmp/a.so /tmp/b.so

A run times 16 interleaved rounds of one batch each way (``threads=1`` and ``threads=None``,
the order alternating) and prints the median ratio with its quartiles, the median rates, and
the process's peak RSS.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

ROUNDS = 16


def _load(path: str) -> Any:
    loader = importlib.machinery.ExtensionFileLoader("kmspair._core", path)
    spec = importlib.util.spec_from_loader("kmspair._core", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def measure(path: str, spec: str, pairs: int) -> dict[str, float]:
    """One run of one build, in this process."""
    core = _load(path)
    key = core.SealingKey(bytes(32))

    def rate(threads: int | None) -> float:
        start = time.perf_counter()
        made = core.generate_sealed_key_pairs(spec, key, b"a" * 64, pairs, threads)
        elapsed = time.perf_counter() - start
        del made  # freed off the clock
        return pairs / elapsed

    rate(1), rate(None)  # warm-up
    one: list[float] = []
    every: list[float] = []
    for round_ in range(ROUNDS):
        for threads in (1, None) if round_ % 2 == 0 else (None, 1):
            (one if threads == 1 else every).append(rate(threads))
    ratios = sorted(b / a for a, b in zip(one, every, strict=True))
    return {
        "ratio": statistics.median(ratios),
        "q1": ratios[ROUNDS // 4],
        "q3": ratios[3 * ROUNDS // 4 - 1],
        "one": statistics.median(one),
        "every": statistics.median(every),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("builds", nargs="+", help="paths of _core extension builds")
    parser.add_argument("--spec", default="ECC_NIST_P256")
    parser.add_argument("--pairs", type=int, default=30000, help="pairs per batch")
    parser.add_argument("--runs", type=int, default=2, help="runs per build, taking turns")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.builds[0], args.spec, args.pairs)))
        return
    for _ in range(args.runs):
        for build in args.builds:
            child = [sys.executable, __file__, "--child", "--spec", args.spec]
            out = subprocess.run(
                [*child, "--pairs", str(args.pairs), build],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out)
            print(
                f"{build}: {args.spec} x{args.pairs}: all cores / 1 = {r['ratio']:.3f} "
                f"({r['q1']:.3f}-{r['q3']:.3f}); 1 thread {r['one']:,.0f}/s, all cores "
                f"{r['every']:,.0f}/s; peak RSS {r['peak_mib']:.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
