"""A measured point of the in-process benchmark, and the ratios between points with their
intervals."""

from __future__ import annotations

import math
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from suite_common import median, percentile, ratio

from kmspair.specs import RSA_SPECS


class Kept:
    """A batch's pairs, handed back to be freed after the clock stops: what a caller does with
    the pairs, dropping them included, is not part of making them."""

    def __init__(self, pairs: object) -> None:
        self.pairs = pairs


#: Generates and seals ``n`` pairs; returns each one's latency when it times them one by one,
#: or the batch it made.
Work = Callable[[int], "list[float] | Kept | None"]


@dataclass
class Point:
    name: str
    work: Work
    block: int = 1
    pairs: list[int] = field(default_factory=list)  # per round
    seconds: list[float] = field(default_factory=list)  # per round
    latencies: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the process's CPU seconds, per round
    last_cpu: float = 0.0  # of the latest run
    budget: float = math.inf  # stop running rounds once this many seconds are spent
    window: float = 0.0  # a round runs blocks until it has run this long

    def run(self, n: int) -> float:
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        outcome = self.work(n)
        elapsed = time.perf_counter() - start
        self.last_cpu = cpu_seconds() - cpu_before
        if isinstance(outcome, list):
            self.latencies.extend(outcome)
        del outcome  # a batch's pairs are freed here, off the clock
        return elapsed

    def run_round(self) -> None:
        """One block, or with a ``window`` as many blocks as it takes to fill it."""
        if self.seconds and sum(self.seconds) >= self.budget:
            return  # over its budget, with at least one round done
        pairs, seconds = self.block, self.run(self.block)
        cpu = self.last_cpu
        while seconds < self.window:
            pairs, seconds = pairs + self.block, seconds + self.run(self.block)
            cpu += self.last_cpu
        self.cpu.append(cpu)
        self.seconds.append(seconds)
        self.pairs.append(pairs)

    @property
    def cores_busy(self) -> float:
        """CPU time over wall time in the rounds: how many cores the point kept busy."""
        total = sum(self.seconds)
        return sum(self.cpu) / total if total else float("nan")

    @property
    def rate(self) -> float:
        total = sum(self.seconds)
        return sum(self.pairs) / total if total else float("nan")

    def round_rate(self, index: int) -> float:
        return self.pairs[index] / self.seconds[index]


def cpu_seconds() -> float:
    """User plus system CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Ratio:
    """A ratio of two points: per round, and pooled over all rounds."""

    rounds: list[float]
    pooled: float
    use_pooled: bool
    #: 95% interval: of a pooled RSA ratio (see ``ratio_of`` and ``scaling_of``), or of the
    #: median of enough rounds (``median_interval``).
    interval: tuple[float, float] | None = None

    @property
    def value(self) -> float:
        return self.pooled if self.use_pooled else median(self.rounds)

    def cell(self) -> str:
        if not self.rounds:
            return "-"
        how = "pooled" if self.use_pooled else "median"
        cell = (
            f"{ratio(self.value)} {how} ({min(self.rounds):.2f}-{max(self.rounds):.2f})"
            if len(self.rounds) > 1
            else ratio(self.value)
        )
        if self.interval is not None:
            cell += f", 95% CI {self.interval[0]:.2f}-{self.interval[1]:.2f}"
        return cell

    def judge(self, target: float) -> tuple[bool, bool]:
        """Whether the ratio meets ``target``, and if not, whether its 95% interval still
        reaches it (a miss the measurement cannot tell from a hit)."""
        passed = self.value >= target
        return passed, not passed and self.interval is not None and self.interval[1] >= target


def ratio_of(top: Point, bottom: Point, spec: str) -> Ratio:
    """``top``'s rate over ``bottom``'s, round by round and overall; for RSA judged overall,
    with a bootstrap interval over the two points' timed keys, otherwise on the median of the
    rounds, with its order-statistic interval."""
    rounds = min(len(top.seconds), len(bottom.seconds))
    per_round = [top.round_rate(i) / bottom.round_rate(i) for i in range(rounds)]
    pooled = spec in RSA_SPECS
    return Ratio(
        per_round,
        top.rate / bottom.rate,
        pooled,
        bootstrap_interval(top.latencies, bottom.latencies)
        if pooled
        else median_interval(per_round),
    )


def median_interval(values: list[float]) -> tuple[float, float] | None:
    """A distribution-free interval of at least 95% for the median the values were drawn
    around: the k-th smallest and k-th largest value, with k the largest rank that leaves at
    most 2.5% on each side (each value falls on either side of the median by a fair coin, so
    fewer than k of n land below it with probability P(Binomial(n, 1/2) < k)). From 15 rounds
    that is the 4th and 12th (96.5%); below 6 rounds no pair of values reaches 95%: ``None``."""
    n = len(values)
    k = 0
    while k < n // 2 and sum(math.comb(n, i) for i in range(k + 1)) / 2**n <= 0.025:
        k += 1
    if k == 0:
        return None
    ordered = sorted(values)
    return ordered[k - 1], ordered[n - k]


def scaling_of(points: dict[str, Point], spec: str) -> Ratio:
    """The Rust batch on all cores against one core.

    For RSA the one-core side pools every one-core Rust key, the one-thread loop's and the
    one-core batch's: a key's time is its prime search's whichever call made it, and twice the
    keys shrink that side's noise by about 30%. Its 95% interval comes from the key-to-key spread
    of the loop's timed keys (delta method: a rate over n keys varies by cv / sqrt(n)), since a
    batch times only its total."""
    top, batch = points["rust all"], points["rust batch 1t"]
    if spec not in RSA_SPECS:
        return ratio_of(top, batch, spec)
    loop = points["rust 1t"]
    rounds = min(len(top.seconds), len(batch.seconds), len(loop.seconds))
    per_round = [
        top.round_rate(i)
        / ((loop.pairs[i] + batch.pairs[i]) / (loop.seconds[i] + batch.seconds[i]))
        for i in range(rounds)
    ]
    one_core_keys = sum(loop.pairs) + sum(batch.pairs)
    one_core = one_core_keys / (sum(loop.seconds) + sum(batch.seconds))
    pooled = top.rate / one_core
    interval = None
    if len(loop.latencies) > 1 and one_core_keys and sum(top.pairs):
        cv = statistics.stdev(loop.latencies) / statistics.fmean(loop.latencies)
        spread = 1.96 * cv * math.sqrt(1 / sum(top.pairs) + 1 / one_core_keys)
        interval = (pooled * math.exp(-spread), pooled * math.exp(spread))
    return Ratio(per_round, pooled, True, interval)


def bootstrap_interval(
    top: list[float], bottom: list[float], resamples: int = 2000
) -> tuple[float, float] | None:
    """The 95% percentile-bootstrap interval of ``mean(bottom) / mean(top)``, the ratio of two
    one-by-one timed points' rates, resampling keys: how far the prime search's key-to-key
    variance alone could move a pooled RSA ratio. ``None`` without per-key timings."""
    if len(top) < 2 or len(bottom) < 2:
        return None
    draw = random.Random(0).choices  # fixed seed: the same timings give the same interval
    ratios = sorted(
        (sum(draw(bottom, k=len(bottom))) / len(bottom)) / (sum(draw(top, k=len(top))) / len(top))
        for _ in range(resamples)
    )
    return percentile(ratios, 0.025), percentile(ratios, 0.975)
