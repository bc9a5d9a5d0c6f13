"""The keystore under concurrent threads and processes: no lost, duplicated or torn writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kmspair
from keystore_helpers import (
    ACCOUNT,
    REGION,
    arn_of,
    contend,
    make_key,
    material_id,
    python_together,
)
from kmspair.kms.sqlite_store import SQLiteKeyStore

ROUNDS = 50
SHARED = arn_of("shared")

CONTEND = """
import sys
sys.path.insert(0, sys.argv[1])
from keystore_helpers import contend_in_this_process
contend_in_this_process(*sys.argv[2:])
"""


pytestmark = pytest.mark.usefixtures("no_keystore_environment")


@pytest.fixture
def store(home: Path) -> Iterator[SQLiteKeyStore]:
    with SQLiteKeyStore.open(home) as opened:
        opened.add_key(make_key("shared"), material_id("shared"), os.urandom(32))
        yield opened


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """Run ``work(0)`` ... ``work(count - 1)`` in threads released together; re-raise failures."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def assert_consistent(store: SQLiteKeyStore, won_by_worker: dict[str, list[str]]) -> None:
    """What :func:`contend` by every worker must leave, exactly."""
    workers = sorted(won_by_worker)
    expected_keys = {"shared"} | {f"{worker}-{n}" for worker in workers for n in range(ROUNDS)}
    key_ids = [key.key_id for key in store.list_keys(ACCOUNT, REGION)]
    assert len(key_ids) == len(expected_keys) and set(key_ids) == expected_keys

    winners = Counter(name for won in won_by_worker.values() for name in won)
    race = [f"alias/race-{n}" for n in range(ROUNDS)]
    assert sorted(winners) == sorted(race) and set(winners.values()) == {1}
    assert [alias.alias_name for alias in store.list_aliases(ACCOUNT, REGION)] == sorted(race)
    for worker, won in won_by_worker.items():
        for name in won:
            target = store.get_alias(ACCOUNT, REGION, name).target_key_id  # type: ignore[union-attr]
            assert target == f"{worker}-{name.removeprefix('alias/race-')}"

    materials = store.materials(SHARED)
    assert len(materials) == 1 + len(workers) * ROUNDS
    assert len({m.key_material_id for m in materials}) == len(materials)
    assert [m.current for m in materials] == [False] * (len(materials) - 1) + [True]
    for key_id in expected_keys:
        current = store.current_material(arn_of(key_id))
        assert current is not None and len(current[1]) == 32


def test_threads_adding_keys_aliases_and_material_at_once_lose_nothing(
    store: SQLiteKeyStore,
) -> None:
    won_by_worker: dict[str, list[str]] = {}

    def work(index: int) -> None:
        won_by_worker[f"t{index}"] = contend(store, f"t{index}", SHARED, ROUNDS)

    run_threads(8, work)
    assert_consistent(store, won_by_worker)


def test_processes_adding_keys_aliases_and_material_at_once_lose_nothing(
    store: SQLiteKeyStore, home: Path
) -> None:
    workers = [f"p{index}" for index in range(4)]
    printed = python_together(
        CONTEND, [[str(home), worker, SHARED, str(ROUNDS)] for worker in workers]
    )
    assert_consistent(
        store, {worker: json.loads(out) for worker, out in zip(workers, printed, strict=True)}
    )


def test_concurrent_updates_of_different_fields_of_a_key_are_all_kept(
    store: SQLiteKeyStore,
) -> None:
    def work(index: int) -> None:
        for n in range(100):
            if index == 0:
                store.update_key(SHARED, description=f"description {n}")
            else:
                store.update_key(SHARED, policy=f"policy {n}")

    run_threads(2, work)
    key = store.get_key(SHARED)
    assert key is not None and (key.description, key.policy) == ("description 99", "policy 99")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_uses_the_store_on_a_connection_of_its_own(store: SQLiteKeyStore) -> None:
    assert store.get_key(SHARED) is not None  # this thread now holds a connection
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        try:
            store.add_key(make_key("from-child"))
            os._exit(0 if store.get_key(SHARED) is not None else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.get_key(arn_of("from-child")) == make_key("from-child")
    store.add_key(make_key("after-fork"))  # and the parent's own connection still works


def test_opening_a_second_store_in_a_process_keeps_its_locks_for_other_processes(
    tmp_path: Path,
) -> None:
    # Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
    # included: another process then believed itself the last user of the keystore and
    # deleted the write-ahead log under this process's open connections, losing its writes.
    home = tmp_path / "home"
    env = dict(os.environ, KMSPAIR_HOME=str(home), AWS_DEFAULT_REGION="us-east-1")
    env.pop("KMSPAIR_ROOT_KEY", None)

    def cli(*args: str) -> str:
        command = [sys.executable, "-m", "kmspair", *args, "--output", "text"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    cli("list-keys")
    first = kmspair.client(region_name="us-east-1", home=home)
    second = kmspair.client(region_name="us-east-1", home=home)
    try:
        cli("list-keys")  # another process opens and closes the keystore
        made_here = first.create_key()["KeyMetadata"]["KeyId"]
        made_there = cli("create-key", "--query", "KeyMetadata.KeyId")
        assert cli("describe-key", "--key-id", made_here, "--query", "KeyMetadata.KeyId") == (
            made_here
        )
        assert made_there in {key["KeyId"] for key in second.list_keys()["Keys"]}
    finally:
        first.close()
        second.close()
    assert set(cli("list-keys", "--query", "Keys[].KeyId").split()) == {made_here, made_there}
