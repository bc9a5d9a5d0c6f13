"""The key pool: pairs generated ahead of time by background threads in the Rust core.

With a pool of, say, 32 RSA_2048 pairs, a request takes a ready pair in microseconds instead of
waiting for a prime search, as long as requests arrive more slowly than the pool's threads
refill it; when it is empty a request generates its pair inline, exactly as without a pool.
Every single-pair request of the Rust backend draws from it: :func:`kmspair.generate_key_pair`,
the local KMS, ``kmspair serve`` and the accelerator. Batches do not (one bulk caller would
otherwise empty it for everyone), and neither does the pure-Python backend.

The pool is off unless configured, by :func:`configure_pool` or by ``KMSPAIR_POOL``
(``RSA_2048=32,RSA_4096=4``), read when the Rust core first loads. It is per process: a child
made by ``os.fork()`` starts with an empty pool (it never gets a pair its parent holds) and
refills with its own threads. Pairs are kept only in memory, their private keys in buffers the
core wipes when they are dropped, and when the interpreter exits (an ``atexit`` hook); nothing
pre-generated is ever written to disk by kmspair. Like all process memory, ready pairs can reach
swap if the machine swaps to an unencrypted device, and a core dump of a running process holds
them (``ulimit -c 0`` where dumps are not wanted).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping
from types import ModuleType

from .exceptions import BackendUnavailableError, InvalidPoolConfigurationError
from .specs import KEY_PAIR_SPECS

ENVIRONMENT_VARIABLE = "KMSPAIR_POOL"
# A typo such as RSA_4096=400000 would otherwise hold a gigabyte of keys and cores busy for
# hours; nobody needs more pairs ready than this.
MAX_CAPACITY = 100_000
MAX_THREADS = 256

PoolSizes = Mapping[str, int] | str

_attached_lock = threading.Lock()
_attached: ModuleType | None = None
_hooks_registered = False
# False once stop_filling_here() ran, so that KMSPAIR_POOL, applied when the core first loads,
# starts no thread in a process that only forks workers.
_filling_here = True


def parse_sizes(sizes: PoolSizes | None) -> dict[str, int]:
    """``{"RSA_2048": 32}`` from a mapping or from ``"RSA_2048=32,RSA_4096=4"``."""
    if sizes is None:
        return {}
    if isinstance(sizes, str):
        return _parse_text(sizes)
    if not isinstance(sizes, Mapping):
        raise InvalidPoolConfigurationError(
            f"A pool configuration is a mapping of KeyPairSpec to size or a string like "
            f"'RSA_2048=32,RSA_4096=4', not {type(sizes).__name__}"
        )
    parsed: dict[str, int] = {}
    for spec, size in sizes.items():
        parsed[_check_spec(spec)] = _check_size(spec, size)
    return parsed


def _parse_text(text: str) -> dict[str, int]:
    parsed: dict[str, int] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        spec, equals, size = item.partition("=")
        # isascii: isdigit alone takes digits such as "²", which int() then refuses.
        if not equals or not (size.strip().isascii() and size.strip().isdigit()):
            raise InvalidPoolConfigurationError(
                f"Cannot read pool entry {item!r}: expected SPEC=SIZE, e.g. RSA_2048=32"
            )
        spec = spec.strip()
        parsed[_check_spec(spec)] = _check_size(spec, int(size))
    return parsed


def _check_spec(spec: object) -> str:
    if not isinstance(spec, str) or spec not in KEY_PAIR_SPECS:
        raise InvalidPoolConfigurationError(
            f"Unknown KeyPairSpec {spec!r} in pool configuration; valid specs are "
            + ", ".join(KEY_PAIR_SPECS)
        )
    return spec


def _check_size(spec: object, size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_CAPACITY:
        raise InvalidPoolConfigurationError(
            f"Pool size for {spec} must be an integer from 0 to {MAX_CAPACITY}, not {size!r}"
        )
    return size


def configure_pool(sizes: PoolSizes | None, *, threads: int | None = None) -> None:
    """Keep ``sizes[spec]`` pairs of each spec ready, refilled by ``threads`` threads.

    ``sizes`` is a mapping (``{"RSA_2048": 32}``) or a string (``"RSA_2048=32,RSA_4096=4"``);
    ``None`` or an empty one turns the pool off. ``threads`` defaults to 1, which refills
    about 15 RSA_2048 pairs a second on one core; more threads refill faster but take cores
    from requests that miss. Ready pairs of a spec that keeps a size are kept. Raises
    :class:`~kmspair.exceptions.InvalidPoolConfigurationError` (a ``ValueError``) for a bad
    configuration, :class:`~kmspair.exceptions.BackendUnavailableError` if the Rust core
    cannot load (the pool lives there).
    """
    parsed = parse_sizes(sizes)
    if threads is None:
        threads = 1
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        raise InvalidPoolConfigurationError(
            f"Pool threads must be an integer from 1 to {MAX_THREADS}, not {threads!r}"
        )
    _native().configure_pool([(spec, size) for spec, size in parsed.items() if size > 0], threads)


def pool_stats() -> dict[str, dict[str, int | float]]:
    """Per spec the pool serves or served: ``capacity``, ``depth`` (pairs ready now), ``hits``,
    ``misses`` (requests that generated inline), ``generated`` (pairs the threads made) and
    ``fill_rate_per_s`` (pairs a second the threads add when all work on that spec). Counters
    count from the start of the process; an unconfigured pool gives ``{}``. In the workers of
    ``kmspair serve --workers N`` they are the sums over the N workers' pools."""
    native = _attached
    if native is None:
        return {}
    return {
        stats.spec: {
            "capacity": stats.capacity,
            "depth": stats.depth,
            "hits": stats.hits,
            "misses": stats.misses,
            "generated": stats.generated,
            "fill_rate_per_s": round(stats.fill_rate_per_s, 3),
        }
        for stats in native.pool_stats()
    }


def stop_filling_here() -> None:
    """For a process that only forks workers (``kmspair serve --workers``): stop refilling in
    this process and wipe its ready pairs, keeping the configuration, which every forked child
    inherits; each child then calls :func:`start_filling_here`. Called before
    :func:`configure_pool` (or before ``KMSPAIR_POOL`` applies), no refill thread ever starts
    here; called after, the threads already running exit once their pair in hand is done."""
    global _filling_here
    with _attached_lock:
        _filling_here = False
        native = _attached
    if native is not None:
        native.pool_stop_filling()


def start_filling_here() -> None:
    """Start refilling in this process now instead of on its first request (a forked worker)."""
    global _filling_here
    with _attached_lock:
        _filling_here = True
        native = _attached
    if native is not None:
        native.pool_start_filling()


def share_stats_across_workers(workers: int) -> None:
    """For a process about to fork ``workers`` workers (``kmspair serve --workers``): from
    then on :func:`pool_stats` in any of them counts the pools of all of them, each worker
    having called :func:`claim_stats_slot` with its number. Without the Rust core, or where
    shared memory cannot be mapped, each worker keeps counting only its own pool."""
    native = _native_if_available()
    if native is not None:
        native.pool_share_across_processes(workers)


def claim_stats_slot(number: int) -> None:
    """In forked worker ``number`` (from 0): its pool's counters join the shared ones."""
    native = _native_if_available()
    if native is not None:
        native.pool_claim_shared_slot(number)


def _native() -> ModuleType:
    from .backend import load_native

    return load_native()


def _native_if_available() -> ModuleType | None:
    try:
        return _native()
    except BackendUnavailableError:
        return None


def attach(native: ModuleType) -> None:
    """Called whenever the Rust core is looked up: the first time, bracket every ``os.fork()``
    so the child never inherits a pair, then apply ``KMSPAIR_POOL``. A bad ``KMSPAIR_POOL``
    raises here, and again on the next lookup, rather than running without the pool asked for."""
    global _attached, _hooks_registered
    if _attached is not None:
        return
    with _attached_lock:
        if _attached is not None:
            return
        if not _hooks_registered:
            os.register_at_fork(
                before=native.pool_prepare_fork,
                after_in_parent=native.pool_after_fork_in_parent,
                after_in_child=native.pool_after_fork_in_child,
            )
            # The pool is a static Rust never drops: without this, ready pairs would outlive
            # the interpreter unwiped, until the process is gone.
            atexit.register(native.pool_stop_filling)
            _hooks_registered = True
        if not _filling_here:
            native.pool_stop_filling()
        configured = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
        if configured:
            native.configure_pool(list(parse_sizes(configured).items()), 1)
        _attached = native
