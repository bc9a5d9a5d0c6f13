"""Key pairs per second of kmspair's Rust core against its pure-Python backend (issue #2).

The in-process section of the benchmark suite on its own, with its knobs: the measurement is
``benches/suite_inprocess.py`` (see there, and benches/README.md, for the method: interleaved
rounds, ratios as the median of per-round ratios). ``python benches/suite.py --only inprocess``
runs the same with the suite's settings.

Run from the repository root, with kmspair installed::

    python benches/bench_pairs.py
    python benches/bench_pairs.py --specs ECC_NIST_P256,RSA_2048 --rsa-keys 10 --ec-seconds 0.2
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys

import suite_inprocess
from suite_common import cpu_model, load_average
from suite_report import markdown

import kmspair


def parse_args() -> argparse.Namespace:
    defaults = suite_inprocess.Settings()
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--specs",
        default=",".join(kmspair.KEY_PAIR_SPECS),
        help="comma-separated KeyPairSpecs (default: all)",
    )
    parser.add_argument(
        "--rsa-keys",
        type=int,
        default=None,
        help=(
            "pairs per one-thread RSA point over all rounds (default: "
            f"{defaults.rsa_2048_keys} for RSA_2048, {defaults.rsa_keys} for RSA_3072/4096)"
        ),
    )
    parser.add_argument(
        "--ec-seconds",
        type=float,
        default=defaults.ec_window,
        help=f"seconds per non-RSA point and round (default: {defaults.ec_window:g})",
    )
    parser.add_argument(
        "--rounds", type=int, default=defaults.rounds, help=f"(default: {defaults.rounds})"
    )
    parser.add_argument("--markdown-out", help="also write the markdown report to this file")
    args = parser.parse_args()
    args.specs = [spec.strip() for spec in args.specs.split(",") if spec.strip()]
    unknown = [spec for spec in args.specs if spec not in kmspair.KEY_PAIR_SPECS]
    if unknown:
        parser.error(f"unknown specs {unknown}; valid: {', '.join(kmspair.KEY_PAIR_SPECS)}")
    if (args.rsa_keys is not None and args.rsa_keys < 1) or args.ec_seconds <= 0 or args.rounds < 1:
        parser.error("--rsa-keys, --ec-seconds and --rounds must be positive")
    return args


def main() -> None:
    args = parse_args()
    settings = suite_inprocess.Settings(
        rounds=args.rounds,
        scaling_rounds=3 * args.rounds,  # as the suite: 15 for its 5
        ec_window=args.ec_seconds,
    )
    if args.rsa_keys is not None:
        settings.rsa_keys = settings.rsa_2048_keys = args.rsa_keys
    section = suite_inprocess.run(args.specs, quick=False, settings=settings)
    preamble = [
        f"Machine: {os.cpu_count()} cores (nproc), {cpu_model()}; load average "
        f"{load_average()} at the end; Python {platform.python_version()}, "
        f"kmspair {kmspair.__version__}.",
        "",
        f"Command: `{shlex.join(['python', *sys.argv])}`",
    ]
    report = markdown([section], preamble)
    print(report, end="")
    if args.markdown_out:
        with open(args.markdown_out, "w", encoding="utf-8") as out:
            out.write(report)


if __name__ == "__main__":
    main()
