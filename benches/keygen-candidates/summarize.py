#!/usr/bin/env python3
"""Merge several runs' markdown output (Rust program and python_reference.py) into one table.

Usage: python3 summarize.py PRIMARY.md [OTHER_RUN.md ...]
The PRIMARY run supplies the numbers shown; every run (primary included) that has the same
(spec, candidate) row contributes to the "means over runs" column (min-max of the per-run means),
so run-to-run spread on this shared 2-vCPU VM is visible next to each number.
"""

import sys
from pathlib import Path


def rows(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 12 or cells[0] in ("spec", "op") or set(cells[0]) <= {"-", ":"}:
            continue
        out[(cells[0], cells[1])] = cells
    return out


def fmt(x):
    return f"{x:.4f}" if x < 1.0 else f"{x:.1f}"


def rate(mean_ms):
    r = 1000.0 / mean_ms
    return f"{r:.0f}" if r >= 100 else f"{r:.2f}"


def main():
    runs = [rows(p) for p in sys.argv[1:]]
    primary = runs[0]
    print(
        "| spec | candidate | n | mean ms | median ms | pairs/s "
        "| means over runs (ms, min-max, #runs) "
        "| PKCS#8 / priv B | SPKI / pub B | OpenSSL 3.0 parses both + keys match | note |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---|---|")
    order = []
    for spec, _ in primary:
        if spec not in order:
            order.append(spec)
    # group rows by spec (first-appearance order), keeping each run's row order within a spec
    items = sorted(primary.items(), key=lambda kv: order.index(kv[0][0]))
    for key, c in items:
        means = [float(r[key][3]) for r in runs if key in r]
        spread = f"{fmt(min(means))}-{fmt(max(means))} ({len(means)})"
        print(
            f"| {c[0]} | {c[1]} | {c[2]} | {c[3]} | {c[4]} | {rate(float(c[3]))} "
            f"| {spread} | {c[10]} | "
            f"{c[11]} | {c[12]} | {c[13]} |"
        )


if __name__ == "__main__":
    main()
