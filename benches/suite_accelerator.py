"""The boto3 accelerator: pairs/s against AWS KMS's default request quota, via
benches/accelerator_bench.py (``run(seconds) -> list[dict]``)."""

from __future__ import annotations

import importlib
from typing import Any

from suite_common import Section, rate


def _number(row: dict[str, Any], key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else float("nan")


def run(quick: bool) -> Section:
    section = Section(
        key="accelerator",
        title="Accelerator: pairs/s against the AWS KMS default quota",
        header=[
            "spec",
            "accelerated pairs/s",
            "kmspair serve pairs/s",
            "AWS default quota req/s",
            "accelerated / quota",
        ],
    )
    try:
        bench = importlib.import_module("accelerator_bench")
    except ImportError as error:
        section.skipped = f"benches/accelerator_bench.py is not there yet ({error})"
        return section
    rows: list[dict[str, Any]] = bench.run(seconds=1.0 if quick else 10.0)
    for row in rows:
        accelerated = _number(row, "accelerated_pairs_per_s")
        quota = _number(row, "aws_default_quota_per_s")
        vs_quota = _number(row, "vs_quota")
        if vs_quota != vs_quota and quota:
            vs_quota = accelerated / quota
        section.rows.append(
            [
                str(row.get("spec", "?")),
                rate(accelerated),
                rate(_number(row, "kmspair_serve_pairs_per_s")),
                rate(quota),
                "-" if vs_quota != vs_quota else f"{vs_quota:,.1f}x",
            ]
        )
        section.data[str(row.get("spec", "?"))] = {"accelerated": accelerated, "quota": quota}
    section.notes = [
        "No target in the issues: the quota column says how many AWS accounts' worth of "
        "default GenerateDataKeyPair quota one process generates. Details: "
        "benches/accelerator_bench.py.",
    ]
    return section
