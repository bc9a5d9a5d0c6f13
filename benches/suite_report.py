"""The suite's report: markdown (a targets summary, then one table per section) and one PNG."""

from __future__ import annotations

import importlib
import math
import os
from typing import Any

from suite_common import Check, Section


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    align = ["---"] + ["--:" if _numeric(header, i, rows) else "---" for i in range(1, len(header))]
    return [line(header), "| " + " | ".join(align) + " |", *(line(row) for row in rows)]


def _numeric(header: list[str], column: int, rows: list[list[str]]) -> bool:
    values = [row[column] for row in rows if column < len(row) and row[column] != "-"]
    return bool(values) and all(value[:1].isdigit() for value in values)


def _tally(checks: list[Check]) -> str:
    passed = sum(check.passed is True for check in checks)
    noise = sum(check.passed is False and check.within_noise for check in checks)
    failed = sum(check.passed is False and not check.within_noise for check in checks)
    counts = [f"{passed} pass", *([f"{noise} within noise"] if noise else []), f"{failed} fail"]
    return "Targets: " + ", ".join(counts)


def _targets(checks: list[Check]) -> list[str]:
    return _table(
        ["target", "wanted", "measured", "result"],
        [[c.name, c.target, c.measured, c.verdict] for c in checks],
    )


def markdown(sections: list[Section], preamble: list[str]) -> str:
    checks: list[Check] = [check for section in sections for check in section.checks]
    lines = [*preamble, ""]
    if checks:
        lines += [f"## {_tally(checks)}", "", *_targets(checks), ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.skipped:
            lines += [f"Not measured: {section.skipped}.", ""]
            continue
        lines += [*_table(section.header, section.rows), ""]
        for note in section.notes:
            lines += [note, ""]
        if section.seconds:
            lines += [f"Section time: {section.seconds:.0f} s.", ""]
    return "\n".join(lines).rstrip() + "\n"


README_START = "<!-- written by benches/suite.py: start -->"
README_END = "<!-- written by benches/suite.py: end -->"
#: The in-process columns README shows, by their header in the section's table.
_README_COLUMNS = (
    "spec",
    "rust 1-thread pairs/s",
    "python 1-thread pairs/s",
    "rust/python 1 thread",
)


def readme_block(sections: list[Section], summary: str) -> list[str]:
    """What README's Speed section shows of a run: ``summary`` (machine, date), every target
    with its result, and pairs/s per spec; the whole report is benches/results.md."""
    checks = [check for section in sections for check in section.checks]
    lines = [README_START, summary, "", f"{_tally(checks)}.", "", *_targets(checks)]
    inprocess = next((s for s in sections if s.key == "inprocess" and not s.skipped), None)
    if inprocess is not None:
        columns = [inprocess.header.index(name) for name in _README_COLUMNS]
        scaling = next(
            i for i, name in enumerate(inprocess.header) if name.startswith("rust batch")
        )
        columns.append(scaling)
        lines += [
            "",
            "Pairs per second of the full pipeline (keygen, DER, AES-256-GCM seal), one thread, "
            "and a batch on all cores against one:",
            "",
            *_table(
                [inprocess.header[i] for i in columns],
                [[row[i] for i in columns] for row in inprocess.rows],
            ),
        ]
    accelerator = next((s for s in sections if s.key == "accelerator" and not s.skipped), None)
    if accelerator is not None:
        lines += [
            "",
            "The accelerator (boto3, KMS `Encrypt` wraps each locally made private key) against "
            "AWS's default GenerateDataKeyPair quota:",
            "",
            *_table(accelerator.header, accelerator.rows),
        ]
    return [*lines, README_END]


def replace_readme_block(text: str, block: list[str]) -> str:
    """``text`` with what lies between the README markers (markers included) replaced."""
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    return text[:start] + "\n".join(block) + text[end:]


def plot(sections: list[Section], path: str, title: str) -> None:
    """One figure, four panels: pairs/s, pool latency, endpoint req/s, accelerator."""
    # By name, so that type-checking the suite needs no matplotlib (the `bench` extra has it).
    matplotlib = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")

    by_key = {section.key: section for section in sections}
    figure, axes = plt.subplots(2, 2, figsize=(14, 10))
    figure.suptitle(title, fontsize=11)
    panels = [
        ("inprocess", _inprocess),
        ("pool", _pool),
        ("endpoint", _endpoint),
        ("accelerator", _accelerator),
    ]
    for axis, (key, draw) in zip(axes.flat, panels, strict=True):
        section = by_key.get(key)
        if section is None or section.skipped or not section.data:
            reason = "not run" if section is None else section.skipped or "no data"
            axis.set_axis_off()
            axis.text(0.5, 0.5, f"{key}: {reason}", ha="center", va="center", wrap=True)
            continue
        draw(axis, section.data)
    figure.tight_layout()
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _finite(values: list[Any]) -> list[float]:
    return [
        v if isinstance(v, (int, float)) and math.isfinite(v) and v > 0 else 0.0 for v in values
    ]


def _inprocess(axis: Any, data: dict[str, Any]) -> None:
    specs: list[str] = data["specs"]
    series = [
        ("rust, 1 thread", data["rust"]),
        ("python backend, 1 thread", data["python"]),
        ("pure-Python lib, 1 thread", data["lib"]),
        ("rust, all cores", data["all"]),
    ]
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(specs))]
        axis.bar(xs, _finite(values), width, label=label)
    axis.set_yscale("log")
    top = max([v for _, values in series for v in _finite(values)] or [1.0])
    axis.set_ylim(top=top * 50)  # room for the legend above the bars
    axis.set_xticks(range(len(specs)))
    axis.set_xticklabels([s.replace("ECC_", "").replace("_", " ") for s in specs], rotation=30)
    axis.set_ylabel("pairs/s (log)")
    axis.set_title("In process: sealed key pairs per second")
    axis.legend(fontsize=8, ncol=2, loc="upper center")
    axis.grid(axis="y", which="both", alpha=0.3)


def _pool(axis: Any, data: dict[str, dict[float, dict[str, float]]]) -> None:
    for mode, style, colour in (("off", "o-", "tab:red"), ("on", "s-", "tab:blue")):
        points = sorted(data.get(mode, {}).items())
        if not points:
            continue
        rates = [rate for rate, _ in points]
        p99 = [p["p99_ms"] for _, p in points]
        p50 = [p["p50_ms"] for _, p in points]
        axis.plot(rates, p99, style, color=colour, label=f"pool {mode}: p99")
        axis.plot(rates, p50, style, color=colour, alpha=0.35, label=f"pool {mode}: p50")
    axis.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="target p99 1 ms @ 10/s")
    axis.set_yscale("log")
    axis.set_xlabel("steady request rate (req/s)")
    axis.set_ylabel("latency ms (log)")
    axis.set_title("Local KMS RSA_2048 GenerateDataKeyPair, pool of 32 off/on")
    axis.legend(fontsize=8)
    axis.grid(which="both", alpha=0.3)


def _endpoint(axis: Any, data: dict[str, float]) -> None:
    names = [
        "kmspair P-256",
        "kmspair P-256, 1 worker",
        "kmspair RSA_2048",
        "kmspair Decrypt",
        "moto GenerateDataKey",
    ]
    values = _finite([data.get(name) for name in names])
    colours = ["tab:blue", "tab:cyan", "tab:blue", "tab:blue", "tab:grey"]
    bars = axis.bar(range(len(names)), values, color=colours)
    for bar, value in zip(bars, values, strict=True):
        axis.annotate(
            f"{value:,.0f}", (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom"
        )
    axis.set_yscale("log")
    axis.set_xticks(range(len(names)))
    axis.set_xticklabels(names, rotation=15)
    axis.set_ylabel("requests/s, 8 connections (log)")
    alone, loaded = data.get("p256_p99_alone_ms"), data.get("p256_p99_with_rsa4096_ms")
    axis.set_title(
        "Endpoint req/s"
        + (f"; P-256 p99 {alone:.2f} ms alone, {loaded:.2f} ms with RSA_4096" if alone else "")
    )
    axis.grid(axis="y", which="both", alpha=0.3)


def _accelerator(axis: Any, data: dict[str, dict[str, float]]) -> None:
    specs = list(data)
    accelerated = _finite([data[s]["accelerated"] for s in specs])
    quota = _finite([data[s]["quota"] for s in specs])
    xs = range(len(specs))
    axis.bar([x - 0.2 for x in xs], accelerated, 0.4, label="accelerator pairs/s")
    axis.bar([x + 0.2 for x in xs], quota, 0.4, label="AWS default quota req/s")
    axis.set_yscale("log")
    axis.set_xticks(list(xs))
    axis.set_xticklabels([s.replace("ECC_", "").replace("_", " ") for s in specs], rotation=30)
    axis.set_title("Accelerator against the KMS default quota")
    axis.legend(fontsize=8)
    axis.grid(axis="y", which="both", alpha=0.3)
