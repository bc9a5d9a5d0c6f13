"""The extension keeps working as threads come and go. kmspair loads its native module on
first use, which may be on a worker thread that later ends, and each later call may run on a
thread started after that. Whatever keeps per-thread state on the Rust side must cope (the
allocator mimalloc 3.3.2, which the extension used for a while, crashed on the second thread
once the first, which had loaded it, was gone), so each scenario runs in a process of its
own, where a crash is a failed test rather than a lost test run."""

from __future__ import annotations

import subprocess
import sys

import pytest

THREAD_AFTER_THREAD = """
import threading, kmspair
def work():
    from kmspair import _core
    {call}
for _ in range({threads}):
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
print("ok")
"""

CALLS = {
    "EC pairs": "kmspair.generate_key_pair('ECC_NIST_P256', backend='rust')",
    "RSA pairs": "kmspair.generate_key_pair('RSA_2048', backend='rust')",
    "batches": "kmspair.generate_key_pairs('ECC_SECG_P256K1', 64, backend='rust')",
    "sealed pairs": (
        "_core.generate_sealed_key_pair('ECC_NIST_P384', _core.SealingKey(bytes(32)), b'')"
    ),
    "a pool": (
        "kmspair.configure_pool({'ECC_NIST_P256': 4}); kmspair.generate_key_pair('ECC_NIST_P256')"
    ),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_calls_on_threads_started_one_after_another_all_succeed(call: str) -> None:
    script = THREAD_AFTER_THREAD.format(call=call, threads=12)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr[-2000:]
