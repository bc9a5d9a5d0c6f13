"""A native ``SealingKey`` wipes its key when dropped: a second process reading the first's
memory finds the key while the sealer lives, and no copy of it after (Linux, /proc/PID/mem)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HOLDER = """
import gc, json, os, sys
from kmspair import _core

def wait(stage):
    print(json.dumps(stage), flush=True)
    sys.stdin.readline()

key, control = os.urandom(32), os.urandom(32)
sealer = _core.SealingKey(key)
sealer.seal(b"x" * 10, b"")
wait({"pid": os.getpid(), "key": key.hex(), "control": control.hex()})
del key, control
gc.collect()
wait("bytes freed")
del sealer
gc.collect()
# Reuse freed blocks of the keys' size class, so that the Python bytes objects that held the
# keys are overwritten: what is left is what the sealer left.
churn = [os.urandom(32) for _ in range(1000)]
del churn
wait("sealer dropped")
"""


def copies_in_memory(pid: int, needles: dict[str, bytes]) -> dict[str, int]:
    """How many times each needle occurs in the readable memory of process ``pid``."""
    counts = dict.fromkeys(needles, 0)
    with Path(f"/proc/{pid}/maps").open() as maps, Path(f"/proc/{pid}/mem").open("rb", 0) as mem:
        for line in maps:
            span, permissions = line.split()[:2]
            if "r" not in permissions:
                continue
            start, end = (int(bound, 16) for bound in span.split("-"))
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue  # [vvar] and the like cannot be read
            for name, needle in needles.items():
                counts[name] += data.count(needle)
    return counts


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/mem")
def test_a_dropped_sealing_key_leaves_no_copy_of_its_key_in_memory() -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        first = json.loads(holder.stdout.readline())
        pid = first["pid"]
        needles = {name: bytes.fromhex(first[name]) for name in ("key", "control")}
        try:
            alive = copies_in_memory(pid, needles)
        except PermissionError:
            pytest.skip("this system does not let a parent read its child's memory")
        stages = {}
        for _ in range(2):
            holder.stdin.write("\n")
            holder.stdin.flush()
            stage = json.loads(holder.stdout.readline())
            stages[stage] = copies_in_memory(pid, needles)
        holder.stdin.write("\n")
        holder.stdin.flush()
    finally:
        holder.wait(timeout=30)
    # While it lives the sealer holds the key (its AES key schedule begins with it) beside
    # the Python bytes it came from; the control key only has its bytes.
    assert alive["key"] >= 2 and alive["control"] == 1
    assert stages["bytes freed"]["key"] >= 1
    assert stages["sealer dropped"] == {"key": 0, "control": 0}
