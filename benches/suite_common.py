"""What every section of the benchmark suite shares: its result type, statistics and formats."""

from __future__ import annotations

import platform
import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Check:
    """One target of the issues, measured: ``passed`` is None when it could not be judged."""

    name: str
    target: str
    measured: str
    passed: bool | None
    #: Missed, but the measurement's 95% interval reaches the target: it cannot tell the two
    #: apart (RSA, whose key-to-key variance no affordable number of keys averages away, or a
    #: median of rounds that scatter with the machine).
    within_noise: bool = False

    @property
    def verdict(self) -> str:
        return verdict(self.passed, self.within_noise)


@dataclass
class Section:
    """A section's report: a markdown table (with its own target columns), notes and checks.

    ``data`` carries the raw numbers the plot draws, keyed by what the plot expects.
    """

    key: str
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0


def verdict(passed: bool | None, within_noise: bool = False) -> str:
    if passed is None:
        return "n/a"
    if passed:
        return "PASS"
    return "within noise" if within_noise else "**FAIL**"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (NaN for an empty one)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rate(value: float) -> str:
    """Pairs or requests per second, with three significant figures where they matter."""
    if value != value:  # NaN
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def ms(seconds: float) -> str:
    """A latency given in seconds, printed in milliseconds."""
    return milliseconds(seconds * 1000)


def milliseconds(value: float) -> str:
    if value != value:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio(value: float) -> str:
    return "-" if value != value else f"{value:.2f}x"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        with open("/proc/loadavg", encoding="utf-8") as loadavg:
            return " ".join(loadavg.read().split()[:3])
    except OSError:
        return "unknown"
