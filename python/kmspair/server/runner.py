"""Running the endpoint: :class:`Server` for embedding and tests, :func:`serve` for the CLI.

Both open ONE keystore shared by every request (it is thread-safe, one SQLite connection per
thread); each request gets its own :class:`LocalKMS` for the signer's account, region and
principal. Stopping is graceful: no new requests, idle keep-alive connections closed, requests
in flight answered, and only then the keystore closed.

``serve(workers=N)`` with N > 1 pre-forks: the parent binds and listens, then forks N worker
processes, each opening its own keystore (the SQLite store is safe across processes) and
accepting on the inherited socket. A kept-alive connection stays with the worker that accepted
it, so workers take turns (:mod:`.balance`): a worker holding more open connections than another
leaves a new one to the least loaded. One process is bound by its GIL to about one core; N
processes use N. The parent only supervises: it replaces a worker that dies, and on
SIGTERM or SIGINT forwards SIGTERM to every worker, waits for each to drain, and returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Protocol

from kmspair.kms.home import resolve_home
from kmspair.kms.sqlite_store import SQLiteKeyStore
from kmspair.pool import (
    claim_stats_slot,
    share_stats_across_workers,
    start_filling_here,
    stop_filling_here,
)
from kmspair.priority import slow_keys_in_background

from .balance import ConnectionTable, WorkerSlot
from .endpoint import Endpoint
from .httpserver import KMSHTTPServer, listening_socket
from .identities import Identity, default_identities, load_identities

logger = logging.getLogger("kmspair.server")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4599
MAX_WORKERS = 64
# The pre-forked workers' shared accept queue (a single server keeps socketserver's 5).
_WORKERS_BACKLOG = 128
# How often the supervising parent looks for a worker that exited (signals are handled at once
# only when they reach the main thread; a thread of the Rust core may take one instead).
_SUPERVISE_INTERVAL_SECONDS = 0.1
# A worker that dies sooner than this after its start is replaced only after this long.
_RESTART_DELAY_SECONDS = 1.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Listening(Protocol):
    """What ``serve``'s ``ready`` callback gets: where the endpoint listens."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def url(self) -> str: ...


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Server:
    """A KMS endpoint listening on ``host:port`` (port 0: any free port), not yet serving.

    ``home`` is the keystore's directory (see :func:`kmspair.kms.home.resolve_home`);
    ``credentials`` a credentials file (see :mod:`kmspair.server.identities`), else the single
    ``test``/``test`` identity. Use :meth:`start` to serve from a background thread, or
    :meth:`serve_forever` to serve from this one; :meth:`shutdown` stops either.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        home: str | os.PathLike[str] | None = None,
        credentials: str | os.PathLike[str] | None = None,
    ) -> None:
        identities = default_identities() if credentials is None else load_identities(credentials)
        self._setup(resolve_home(home), identities, (host, port), None, logger)

    @classmethod
    def _worker(
        cls,
        home: Path,
        identities: Mapping[str, Identity],
        listener: socket.socket,
        balance: WorkerSlot,
    ) -> Server:
        """A pre-forked worker's server: its own keystore connection, the inherited socket (on
        which it takes turns with the other workers), and request lines on a logger naming its
        pid."""
        server = cls.__new__(cls)
        log = logging.getLogger(f"kmspair.server.worker.{os.getpid()}")
        server._setup(home, identities, ("", 0), listener, log, balance)
        return server

    def _setup(
        self,
        home: Path,
        identities: Mapping[str, Identity],
        address: tuple[str, int],
        listener: socket.socket | None,
        log: logging.Logger,
        balance: WorkerSlot | None = None,
    ) -> None:
        self.store = SQLiteKeyStore.open(home)
        try:
            endpoint = Endpoint(self.store, identities)
            self._httpd = KMSHTTPServer(
                address, endpoint, listener=listener, balance=balance, log=log
            )
        except BaseException:
            self.store.close()
            raise
        self._log = log
        self._thread: threading.Thread | None = None
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._serving = False

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The endpoint URL to give clients, e.g. ``http://127.0.0.1:4599``."""
        return _url(self.host, self.port)

    def start(self) -> Server:
        """Serve from a background thread; returns self, listening already."""
        self._thread = threading.Thread(
            target=self.serve_forever, name="kmspair-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`shutdown` (called from another thread)."""
        with self._stop_lock:
            if self._stopped:
                return
            self._serving = True
        self._log.info("kmspair KMS endpoint on %s (keystore %s)", self.url, self.store.path)
        self._httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop gracefully: finish in-flight requests, then close the keystore. Idempotent.

        Must not be called from the thread running :meth:`serve_forever` (it waits for it).
        """
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            serving = self._serving
        if serving:
            # No new connections; waits for the accept loop to end (it never ends if it never
            # started, hence the flag).
            self._httpd.shutdown()
        self._httpd.close_idle_connections()
        self._httpd.server_close()  # joins every request thread: in-flight requests finish
        if self._thread is not None:
            self._thread.join()
        self.store.close()
        self._log.info("kmspair KMS endpoint stopped")

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    home: str | os.PathLike[str] | None = None,
    credentials: str | os.PathLike[str] | None = None,
    ready: Callable[[Listening], None] | None = None,
    workers: int = 1,
) -> None:
    """Serve the KMS endpoint in this thread until SIGTERM or Ctrl-C (SIGINT), then return.

    ``ready`` is called with the :class:`Server` once it listens (e.g. to print its URL). On
    SIGTERM or SIGINT, in-flight requests are answered, the keystore is closed, and ``serve``
    returns normally, so a command running it exits 0. Signal handlers are installed only when
    called from the main thread, and the previous ones are restored on return.

    ``workers`` > 1 (at most 64; needs ``os.fork``, so not on Windows) pre-forks that many worker
    processes on one listening socket (see the module documentation); ``ready`` then gets an
    object with the ``host``, ``port`` and ``url`` listened on. Call it from the main thread of
    a process with no other Python threads (a command line). The key pool is per process: each
    worker keeps its own, of the configured size, refilled by its own threads.

    While serving, an RSA pair the pool cannot supply is generated at background priority
    (:mod:`kmspair.priority`), so that short requests get the cores first.
    """
    check_workers(workers)
    # A server's RSA requests yield the cores to its short ones (see kmspair.priority); forked
    # workers inherit the setting.
    with slow_keys_in_background():
        if workers > 1:
            with _pool_filled_by_workers_only():
                _serve_workers(host, port, home, credentials, ready, workers)
            return
        _run(Server(host, port, home, credentials), ready)


def check_workers(workers: object) -> int:
    """``workers`` if it is a number of workers this platform can run, else ValueError."""
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise ValueError(f"workers must be an integer from 1 to {MAX_WORKERS}, not {workers!r}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be from 1 to {MAX_WORKERS}, not {workers}")
    if workers > 1 and not hasattr(os, "fork"):
        raise ValueError(f"workers > 1 needs os.fork(), which {sys.platform} does not have")
    return workers


def _run(server: Server, ready: Callable[[Server], None] | None, *, worker: bool = False) -> None:
    """Serve ``server`` in this thread until SIGTERM or SIGINT, then stop it gracefully."""
    stopper: list[threading.Thread] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for the serving loop, which runs in this very thread: stop from
        # another one. A second signal while stopping changes nothing.
        if not stopper:
            server._log.info(
                "%s received: finishing requests in flight", signal.Signals(signum).name
            )
            stopper.append(threading.Thread(target=server.shutdown, name="kmspair-stop"))
            stopper[0].start()

    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for stop_signal in _STOP_SIGNALS:
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
    if worker:
        # A pre-forked worker starts with the stop signals blocked, so that none is lost or
        # taken by the parent's handlers before the ones above are in place.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    try:
        if ready is not None:
            ready(server)
        server.serve_forever()
    finally:
        if stopper:
            stopper[0].join()
        else:
            server.shutdown()
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)  # type: ignore[arg-type]


class _Address:
    """Where the pre-forked workers listen, for ``ready``."""

    def __init__(self, listener: socket.socket) -> None:
        address = listener.getsockname()
        self.host = str(address[0])
        self.port = int(address[1])
        self.url = _url(self.host, self.port)


@contextlib.contextmanager
def _pool_filled_by_workers_only() -> Iterator[None]:
    """The pre-forking parent answers no request: its pool would only take a core from the
    workers' pools. Entered first, so that not even KMSPAIR_POOL, applied when the Rust core
    loads, starts a thread here; a process that goes on after serving (a library caller) gets
    its pool back."""
    stop_filling_here()
    try:
        yield
    finally:
        start_filling_here()


def _serve_workers(
    host: str,
    port: int,
    home: str | os.PathLike[str] | None,
    credentials: str | os.PathLike[str] | None,
    ready: Callable[[Listening], None] | None,
    workers: int,
) -> None:
    """The pre-forking parent: fail fast on bad credentials or keystore, listen, fork, supervise."""
    identities = default_identities() if credentials is None else load_identities(credentials)
    home_path = resolve_home(home)
    SQLiteKeyStore.open(home_path).close()  # a bad home or root key fails here, not per worker
    listener = listening_socket(host, port, _WORKERS_BACKLOG)
    address = _Address(listener)
    # So that GET /kmspair/pool, answered by whichever worker, counts every worker's pool.
    share_stats_across_workers(workers)
    connections = ConnectionTable(workers)
    children: dict[int, tuple[int, float]] = {}  # pid -> (worker number, started)
    stopping: list[int] = []  # the stop signal, once received

    def start_worker(number: int) -> None:
        # Stop signals stay blocked across the fork: the child unblocks them once its own
        # handlers are in place, the parent once the child is in ``children``.
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _worker_main(home_path, identities, listener, connections, number)  # never returns
            children[pid] = (number, time.monotonic())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stopping:
            stopping.append(signum)
            logger.info(
                "%s received: stopping %d workers, which finish their requests in flight",
                signal.Signals(signum).name,
                len(children),
            )
        for pid in list(children):
            _kill(pid, signal.SIGTERM)

    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for stop_signal in _STOP_SIGNALS:
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
    try:
        logger.info(
            "kmspair KMS endpoint on %s (keystore %s) with %d worker processes",
            address.url,
            home_path,
            workers,
        )
        if ready is not None:
            # Before the workers start, so that nothing they write cuts into what it writes;
            # connections made meanwhile wait in the listening socket's queue.
            ready(address)
        for number in range(workers):
            if stopping:
                break
            start_worker(number)
        while children:
            time.sleep(_SUPERVISE_INTERVAL_SECONDS)
            for pid in list(children):
                reaped, status = os.waitpid(pid, os.WNOHANG)
                if reaped == 0:
                    continue
                number, started = children.pop(pid)
                connections.mark_absent(number)
                if stopping:
                    continue
                logger.warning(
                    "worker %d (pid %d) %s; starting a replacement",
                    number,
                    pid,
                    _describe(status),
                )
                if time.monotonic() - started < _RESTART_DELAY_SECONDS:
                    time.sleep(_RESTART_DELAY_SECONDS)  # no busy loop if workers cannot start
                if not stopping:
                    start_worker(number)
    finally:
        for pid in list(children):  # only on an exception: stop and reap what is left
            _kill(pid, signal.SIGTERM)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        listener.close()
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)  # type: ignore[arg-type]
    logger.info("kmspair KMS endpoint stopped")


def _worker_main(
    home: Path,
    identities: Mapping[str, Identity],
    listener: socket.socket,
    connections: ConnectionTable,
    number: int,
) -> None:
    """Pre-forked worker ``number``'s whole life; leaves the process with ``os._exit``."""
    status = 1
    try:
        for stop_signal in _STOP_SIGNALS:  # the parent's, until _run installs the worker's
            signal.signal(stop_signal, signal.SIG_DFL)
        claim_stats_slot(number)
        start_filling_here()
        _run(
            Server._worker(home, identities, listener, connections.slot(number)), None, worker=True
        )
        status = 0
    except BaseException:
        logger.exception("worker %d failed", os.getpid())
    finally:
        try:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"
