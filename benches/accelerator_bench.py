"""GenerateDataKeyPair through the accelerator, against AWS's quota and the real operation.

For each spec (RSA_2048 and ECC_NIST_P384 by default) one caller thread calls
``generate_data_key_pair`` in a loop for ``seconds``, twice, on a ``kmspair serve`` endpoint
started in this process on a free port:

* ``accelerated``: a boto3 client given to :func:`kmspair.accelerate`: the pair is made in the
  caller, the endpoint only runs ``Encrypt`` on the private key;
* ``kmspair serve``: the same client, not accelerated: the endpoint's own GenerateDataKeyPair.

Both go over HTTP with SigV4, and both generate with the Rust core, so for RSA, where key
generation dominates, they come out close: the accelerator's gain is against AWS's quota
(spec §8), which is what ``vs_quota`` reports. One caller is the fair comparison with a quota,
which is per account whatever the concurrency. The rates are single runs on whatever machine
this is; a busy machine lowers them.

Run from the repository root::

    python benches/accelerator_bench.py --seconds 10
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import boto3
from botocore.config import Config

import kmspair
from kmspair.server import Server

#: AWS KMS default requests per second, per account and region, GenerateDataKeyPair and
#: GenerateDataKeyPairWithoutPlaintext together (behaviour spec §8; Ed25519 has no listed quota).
AWS_DEFAULT_QUOTA_PER_S: dict[str, float] = {
    "RSA_2048": 1.0,
    "RSA_3072": 0.5,
    "RSA_4096": 0.1,
    "ECC_NIST_P256": 25.0,
    "ECC_NIST_P384": 10.0,
    "ECC_NIST_P521": 5.0,
    "ECC_SECG_P256K1": 25.0,
    "SM2": 25.0,
}

DEFAULT_SPECS: tuple[str, ...] = ("RSA_2048", "ECC_NIST_P384")
_REGION = "us-east-1"
_CHINA_REGION = "cn-north-1"  # the only kind of region KMS offers SM2 in


def _client(url: str, region: str) -> Any:
    return boto3.client(
        "kms",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _rate(call: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``call`` in a loop for about ``seconds`` (at least 2 calls)."""
    call()  # warm-up: connection, first-use caches
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while count < 2 or time.perf_counter() < deadline:
        call()
        count += 1
    return count / (time.perf_counter() - start)


def run(
    seconds: float = 10.0,
    *,
    specs: Sequence[str] = DEFAULT_SPECS,
    pool: Mapping[str, int] | str | None = None,
) -> list[dict[str, Any]]:
    """One row per spec: ``spec``, ``accelerated_pairs_per_s``, ``kmspair_serve_pairs_per_s``,
    ``aws_default_quota_per_s`` (``None`` when AWS lists none), ``vs_quota`` (accelerated over
    quota) and ``vs_kmspair_serve`` (accelerated over un-accelerated).

    ``pool`` goes to :func:`kmspair.accelerate` (the key pool is process-wide, so it then serves
    the endpoint too); ``None`` measures without one.
    """
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="kmspair-accelerator-bench-") as home,
        Server(port=0, home=home).start() as server,
    ):
        for spec in specs:
            region = _CHINA_REGION if spec == "SM2" else _REGION
            client = _client(server.url, region)
            key_id = client.create_key()["KeyMetadata"]["KeyId"]

            def call(client: Any = client, key_id: str = key_id, spec: str = spec) -> None:
                client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)

            serve_rate = _rate(call, seconds)
            with kmspair.accelerate(client, pool=pool):
                accelerated_rate = _rate(call, seconds)
            client.close()
            quota = AWS_DEFAULT_QUOTA_PER_S.get(spec)
            rows.append(
                {
                    "spec": spec,
                    "accelerated_pairs_per_s": accelerated_rate,
                    "kmspair_serve_pairs_per_s": serve_rate,
                    "aws_default_quota_per_s": quota,
                    "vs_quota": accelerated_rate / quota if quota else None,
                    "vs_kmspair_serve": accelerated_rate / serve_rate,
                }
            )
    return rows


def markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as a markdown table."""

    def number(value: object, suffix: str = "") -> str:
        if not isinstance(value, (int, float)):
            return "-"
        return f"{value:,.1f}{suffix}" if value >= 10 else f"{value:,.2f}{suffix}"

    lines = [
        "| spec | accelerated pairs/s | kmspair serve pairs/s | AWS default quota req/s "
        "| accelerated / quota | accelerated / serve |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['spec']} | {number(row['accelerated_pairs_per_s'])} "
            f"| {number(row['kmspair_serve_pairs_per_s'])} "
            f"| {number(row['aws_default_quota_per_s'])} "
            f"| {number(row['vs_quota'], 'x')} | {number(row['vs_kmspair_serve'], 'x')} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument(
        "--specs", default=",".join(DEFAULT_SPECS), help="comma-separated KeyPairSpecs"
    )
    parser.add_argument("--pool", default=None, help="key pool, e.g. RSA_2048=32")
    args = parser.parse_args(argv)
    specs = [spec.strip() for spec in args.specs.split(",") if spec.strip()]
    print(markdown(run(args.seconds, specs=specs, pool=args.pool)))


if __name__ == "__main__":
    main()
