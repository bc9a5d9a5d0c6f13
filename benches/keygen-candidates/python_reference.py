#!/usr/bin/env python3
"""Python-side reference for keygen-candidates: `cryptography` keygen + DER PKCS#8 + DER SPKI.

Same iteration counts and the same per-iteration work as the Rust "DER" rows:
generate one key pair, private_bytes(DER, PKCS8, NoEncryption), public_bytes(DER, SPKI).
SM2 is absent (cryptography has no SM2).

Usage: python3 python_reference.py [--quick] [FILTER...]
Prints the same markdown row format as the Rust program (stdout); progress to stderr.
"""

import statistics
import sys
import time
from pathlib import Path

import cryptography
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

DER = serialization.Encoding.DER
PKCS8 = serialization.PrivateFormat.PKCS8
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
NOENC = serialization.NoEncryption()

SPECS = [
    ("ECC_NIST_P256", 2000, lambda: ec.generate_private_key(ec.SECP256R1())),
    ("ECC_NIST_P384", 2000, lambda: ec.generate_private_key(ec.SECP384R1())),
    ("ECC_NIST_P521", 2000, lambda: ec.generate_private_key(ec.SECP521R1())),
    ("ECC_SECG_P256K1", 2000, lambda: ec.generate_private_key(ec.SECP256K1())),
    ("Ed25519", 2000, ed25519.Ed25519PrivateKey.generate),
    ("RSA_2048", 150, lambda: rsa.generate_private_key(65537, 2048)),
    ("RSA_3072", 60, lambda: rsa.generate_private_key(65537, 3072)),
    ("RSA_4096", 40, lambda: rsa.generate_private_key(65537, 4096)),
]


def one(gen):
    sk = gen()
    return (
        sk.private_bytes(DER, PKCS8, NOENC),
        sk.public_key().public_bytes(DER, SPKI),
    )


def fmt(x):
    return f"{x:.4f}" if x < 1.0 else f"{x:.1f}"


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    filters = [a for a in args if a != "--quick"]
    label = f"Python cryptography {cryptography.__version__}"
    rows = []
    for spec, n, gen in SPECS:
        if filters and not any(f in spec for f in filters):
            continue
        if quick:
            n = max(3, n // 10)
        first = one(gen)  # warm-up + lengths
        for _ in range(50 if n >= 2000 else 0):
            one(gen)
        times = []
        cpu0 = time.thread_time()
        for _ in range(n):
            t = time.perf_counter()
            one(gen)
            times.append((time.perf_counter() - t) * 1e3)
        cpu_mean = (time.thread_time() - cpu0) * 1e3 / n
        load1 = Path("/proc/loadavg").read_text().split()[0]
        mean = statistics.fmean(times)
        med = statistics.median(times)
        row = (
            f"| {spec} | {label} | {n} | {fmt(mean)} | {fmt(med)} | {fmt(min(times))} | "
            f"{fmt(max(times))} | {1000.0 / mean:.0f} | {fmt(cpu_mean)} | {load1} | "
            f"{len(first[0])} | {len(first[1])} | - |  |"
        )
        print(
            f"{spec:<16} n={n:<5} mean={mean:.4f} ms median={med:.4f} ms "
            f"cpu={cpu_mean:.4f} ms load1={load1}",
            file=sys.stderr,
        )
        rows.append(row)
    print(
        "| spec | candidate | n | mean ms | median ms | min ms | max ms | pairs/s (1/mean) "
        "| cpu ms/pair | load1 | priv B | pub B | OpenSSL cross-check | note |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
