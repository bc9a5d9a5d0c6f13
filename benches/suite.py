"""kmspair's benchmark suite (issue #6): one command, one markdown report, one PNG plot.

Sections (``--only`` picks some, in this order):

* ``inprocess``: pairs/s and p50/p99 latency per KeyPairSpec, Rust core against the Python
  backend and the pure-Python libraries, one thread against all cores (benches/suite_inprocess.py);
* ``pool``: RSA_2048 GenerateDataKeyPair through the local KMS at steady rates, key pool off
  and on (benches/suite_pool.py);
* ``endpoint``: `kmspair serve` under 8 connections against moto's server
  (benches/suite_endpoint.py, driving benches/loadgen.py);
* ``accelerator``: the boto3 accelerator against the AWS default quota
  (benches/suite_accelerator.py, driving benches/accelerator_bench.py).

Run from the repository root with kmspair installed (``pip install -e '.[bench]'``)::

    python benches/suite.py                 # everything: benches/results.md, docs/benchmarks.png
                                            # and the results block of README.md
    python benches/suite.py --quick         # smoke run (a minute or two): prints, writes nothing
    python benches/suite.py --only inprocess --specs ECC_NIST_P256,RSA_2048
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import sys
import time
import traceback
from collections.abc import Callable

from suite_common import Section, cpu_model, load_average
from suite_report import markdown, plot, readme_block, replace_readme_block

import kmspair

SECTIONS = ("inprocess", "pool", "endpoint", "accelerator")
MARKDOWN_OUT = "benches/results.md"
PLOT_OUT = "docs/benchmarks.png"
README = "README.md"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short smoke run; writes files only where --markdown-out/--plot say",
    )
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}"
    )
    parser.add_argument(
        "--specs",
        default=",".join(kmspair.KEY_PAIR_SPECS),
        help="KeyPairSpecs of the inprocess section (default: all)",
    )
    parser.add_argument(
        "--markdown-out", help=f"write the report here (default: {MARKDOWN_OUT}, not with --quick)"
    )
    parser.add_argument(
        "--plot", help=f"write the PNG here (default: {PLOT_OUT}, not with --quick)"
    )
    parser.add_argument(
        "--readme",
        help=f"rewrite the results in this README (default: {README}, only by a full run of "
        "every section with the default files)",
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown sections {unknown}; valid: {', '.join(SECTIONS)}")
    args.specs = [spec.strip() for spec in args.specs.split(",") if spec.strip()]
    unknown = [spec for spec in args.specs if spec not in kmspair.KEY_PAIR_SPECS]
    if unknown:
        parser.error(f"unknown specs {unknown}; valid: {', '.join(kmspair.KEY_PAIR_SPECS)}")
    if not args.quick:
        # README shows the committed results: only a full run that writes them updates it.
        full = args.only == list(SECTIONS) and args.specs == list(kmspair.KEY_PAIR_SPECS)
        if full and args.markdown_out is None and args.plot is None:
            args.readme = args.readme or README
        args.markdown_out = args.markdown_out or MARKDOWN_OUT
        args.plot = args.plot or PLOT_OUT
    return args


def runners(args: argparse.Namespace) -> dict[str, Callable[[], Section]]:
    # Imported here: each section imports only what it needs (loadgen needs botocore, ...).
    def inprocess() -> Section:
        import suite_inprocess

        return suite_inprocess.run(args.specs, args.quick)

    def pool() -> Section:
        import suite_pool

        return suite_pool.run(args.quick)

    def endpoint() -> Section:
        import suite_endpoint

        return suite_endpoint.run(args.quick)

    def accelerator() -> Section:
        import suite_accelerator

        return suite_accelerator.run(args.quick)

    return {
        "inprocess": inprocess,
        "pool": pool,
        "endpoint": endpoint,
        "accelerator": accelerator,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Single pairs come from the key pool when one is configured: only the pool section may
    # have one, so neither this process nor the servers it starts inherit one.
    if os.environ.pop("KMSPAIR_POOL", None):
        print("KMSPAIR_POOL ignored: the suite configures the pool itself", file=sys.stderr)
    kmspair.configure_pool(None)
    started = datetime.datetime.now(datetime.timezone.utc)
    load = load_average()
    start = time.perf_counter()
    sections: list[Section] = []
    available = runners(args)
    for name in SECTIONS:
        if name not in args.only:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        section_start = time.perf_counter()
        try:
            section = available[name]()
        except Exception as error:  # one broken section must not cost the others' numbers
            traceback.print_exc()
            section = Section(name, name, [], skipped=f"it failed: {type(error).__name__}: {error}")
        section.seconds = time.perf_counter() - section_start
        if section.skipped:
            print(f"  skipped: {section.skipped}", file=sys.stderr, flush=True)
        sections.append(section)
    minutes = (time.perf_counter() - start) / 60
    command = shlex.join(["python", *sys.argv])
    preamble = [
        "# kmspair benchmark suite"
        + (" (--quick: smoke numbers, not results)" if args.quick else ""),
        "",
        f"Machine: {os.cpu_count()} cores (nproc), {cpu_model()}; load average "
        f"{load} at the start; {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}; kmspair {kmspair.__version__}.",
        "",
        f"Command: `{command}`, started {started:%Y-%m-%d %H:%M} UTC, took {minutes:.1f} min.",
    ]
    report = markdown(sections, preamble)
    print(report, end="")
    if args.markdown_out:
        with open(args.markdown_out, "w", encoding="utf-8") as out:
            out.write(report)
        print(f"wrote {args.markdown_out}", file=sys.stderr)
    if args.readme:
        summary = (
            f"Last run: `{command}`, {started:%Y-%m-%d} on {os.cpu_count()} cores "
            f"({cpu_model()}), {minutes:.0f} min; the full report is "
            f"[`benches/results.md`](benches/results.md)."
        )
        with open(args.readme, encoding="utf-8") as readme:
            text = readme.read()
        with open(args.readme, "w", encoding="utf-8") as readme:
            readme.write(replace_readme_block(text, readme_block(sections, summary)))
        print(f"wrote the results into {args.readme}", file=sys.stderr)
    if args.plot:
        title = (
            f"kmspair {kmspair.__version__}, {os.cpu_count()} cores, {cpu_model()}, "
            f"{started:%Y-%m-%d}"
        )
        plot(sections, args.plot, title)
        print(f"wrote {args.plot}", file=sys.stderr)


if __name__ == "__main__":
    main()
