"""How late a sleeping thread wakes while background work keeps every core busy, by the
scheduling class of that work: the question behind the pool threads' priority (priority.rs;
benches/README.md, "Pool threads and the scheduler").

Per class, one CPU-bound process per core runs as the background ("none": no background), and
this process sleeps ``--gap`` seconds ``--wakeups`` times, recording how late each sleep ends
and how long 0.05 ms of SHA-256 then takes. Linux only (SCHED_IDLE, sched_setattr).

    python benches/sched_wakeup.py [--wakeups 1000] [--gap 0.02] [none nice10 short idle ...]

"short" is nice 10 with the shortest EEVDF slice a task may ask for (0.1 ms, Linux >= 6.12).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time

# Run by each background process: take the class, then spin.
_BACKGROUND = r"""
import ctypes, os, sys
how = sys.argv[1]
if how == "nice10":
    os.nice(10)
elif how == "idle":
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
elif how == "short":
    class Attr(ctypes.Structure):
        _fields_ = [("size", ctypes.c_uint32), ("policy", ctypes.c_uint32),
                    ("flags", ctypes.c_uint64), ("nice", ctypes.c_int32),
                    ("priority", ctypes.c_uint32), ("runtime", ctypes.c_uint64),
                    ("deadline", ctypes.c_uint64), ("period", ctypes.c_uint64)]
    attr = Attr(size=ctypes.sizeof(Attr), nice=10, runtime=100_000)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(314, 0, ctypes.byref(attr), 0) != 0:  # x86-64 sched_setattr
        sys.exit(f"sched_setattr: errno {ctypes.get_errno()}")
while True:
    pass
"""
CLASSES = ("none", "nice10", "short", "idle")


def _measure(wakeups: int, gap: float) -> tuple[list[float], list[float]]:
    late, work = [], []
    for _ in range(wakeups):
        due = time.perf_counter() + gap
        time.sleep(gap)
        woke = time.perf_counter()
        for _ in range(50):
            hashlib.sha256(b"x" * 100).digest()
        late.append(woke - due)
        work.append(time.perf_counter() - woke)
    return sorted(late), sorted(work)


def _ms(values: list[float], fraction: float) -> str:
    return f"{values[min(len(values) - 1, int(fraction * len(values)))] * 1000:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--wakeups", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=0.02, help="seconds asleep per wakeup")
    parser.add_argument("classes", nargs="*", choices=CLASSES, default=list(CLASSES))
    args = parser.parse_args()
    print("| background | wake late p50 ms | p99 | p99.9 | max | woke > 1 ms late | work p99 ms |")
    print("| --- | --: | --: | --: | --: | --: | --: |")
    for how in args.classes:
        background = [
            subprocess.Popen([sys.executable, "-c", _BACKGROUND, how])
            for _ in range(0 if how == "none" else os.cpu_count() or 1)
        ]
        try:
            time.sleep(0.5)
            late, work = _measure(args.wakeups, args.gap)
        finally:
            for process in background:
                process.kill()
                process.wait()
        slow = sum(value > 0.001 for value in late)
        print(
            f"| {how} | {_ms(late, 0.5)} | {_ms(late, 0.99)} | {_ms(late, 0.999)} | "
            f"{late[-1] * 1000:.3f} | {slow} | {_ms(work, 0.99)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
