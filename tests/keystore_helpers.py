"""Records to store and processes to run, shared by the keystore tests and their subprocesses."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from kmspair.kms.records import AliasRecord, GrantRecord, KeyRecord
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.kms.store import AliasExistsError

ACCOUNT, REGION = "111122223333", "us-east-1"
NOW = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
TESTS = str(Path(__file__).parent)
KEYSTORE_VARIABLES = ("KMSPAIR_HOME", "KMSPAIR_ROOT_KEY", "XDG_DATA_HOME", "LOCALAPPDATA")


def arn_of(name: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{name}"


def make_key(
    name: str, account: str = ACCOUNT, region: str = REGION, **fields: object
) -> KeyRecord:
    values: dict[str, object] = {
        "arn": arn_of(name, account, region),
        "key_id": name,
        "account_id": account,
        "region": region,
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "key_state": "Enabled",
        "origin": "AWS_KMS",
        "description": f"key {name}",
        "creation_date": NOW,
        "policy": '{"Version": "2012-10-17"}',
        **fields,
    }
    return KeyRecord(**values)  # type: ignore[arg-type]


def make_alias(name: str, target: str, account: str = ACCOUNT, region: str = REGION) -> AliasRecord:
    return AliasRecord(
        f"arn:aws:kms:{region}:{account}:{name}", name, account, region, target, NOW, NOW
    )


def make_grant(key_arn: str, name: str) -> GrantRecord:
    return GrantRecord(
        grant_id=f"grant-{name}",
        grant_token=f"token-{name}",
        key_arn=key_arn,
        grantee_principal=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        operations=("Decrypt", "GenerateDataKeyPair"),
        issuing_account=f"arn:aws:iam::{ACCOUNT}:root",
        creation_date=NOW,
        name=name,
        constraints={"EncryptionContextSubset": {"order": name}},
    )


def material_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def dump(store: SQLiteKeyStore) -> str:
    """Everything the keystore holds for ``ACCOUNT`` in ``REGION``, as text to compare."""
    keys = store.list_keys(ACCOUNT, REGION)
    materials = [store.materials(key.arn) for key in keys]
    plaintexts = [
        [store.material(m.key_arn, m.key_material_id).hex() for m in ms]  # type: ignore[union-attr]
        for ms in materials
    ]
    grants = [(g, g.constraints) for key in keys for g in store.grants(key.arn)]
    return repr((keys, store.list_aliases(ACCOUNT, REGION), grants, materials, plaintexts))


def python(code: str, *args: str) -> str:
    """Run ``code`` in a new Python process (``sys.argv[1]`` is this directory); its output."""
    done = subprocess.run(
        [sys.executable, "-c", code, TESTS, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def python_together(code: str, runs: list[list[str]]) -> list[str]:
    """Run ``code`` in one process per argument list, all released at the same moment.

    Each process must print ``ready`` once it has started, then wait for a line on its input;
    starting Python takes far longer than the work, so without this they would hardly overlap.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, TESTS, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in runs
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "ready\n", line + process.communicate()[1]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [process.communicate(timeout=120) for process in processes]
    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
    return [stdout for stdout, _ in results]


def wait_for_go() -> None:
    """The child's half of :func:`python_together`'s start line."""
    print("ready", flush=True)
    sys.stdin.readline()


def contend(store: SQLiteKeyStore, worker: str, shared_arn: str, rounds: int) -> list[str]:
    """What every concurrent worker does: add keys, race for aliases, rotate a shared key.

    Returns the alias names this worker won.
    """
    won = []
    for n in range(rounds):
        key = make_key(f"{worker}-{n}")
        store.add_key(key, material_id(f"{worker}-{n}"), os.urandom(32))
        try:
            store.add_alias(make_alias(f"alias/race-{n}", key.key_id))
            won.append(f"alias/race-{n}")
        except AliasExistsError:
            pass
        store.add_material(
            shared_arn, material_id(f"shared-{worker}-{n}"), os.urandom(32), "ON_DEMAND", NOW
        )
    return won


def contend_in_this_process(home: str, worker: str, shared_arn: str, rounds: str) -> None:
    """:func:`contend` as a child process, printing the aliases it won as JSON."""
    with SQLiteKeyStore.open(Path(home)) as store:
        wait_for_go()
        print(json.dumps(contend(store, worker, shared_arn, int(rounds))))
