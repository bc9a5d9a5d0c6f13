"""Running the endpoint: :class:`Server` for embedding and tests, :func:`serve` for the CLI.

Both open ONE keystore shared by every request (it is thread-safe, one SQLite connection per
thread); each request gets its own :class:`LocalKMS` for the signer's account, region and
principal. Stopping is graceful: no new requests, idle keep-alive connections closed, requests
in flight answered, and only then the keystore closed.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

from kmspair.kms.home import resolve_home
from kmspair.kms.sqlite_store import SQLiteKeyStore

from .endpoint import Endpoint
from .httpserver import KMSHTTPServer
from .identities import default_identities, load_identities

logger = logging.getLogger("kmspair.server")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4599


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
        self.store = SQLiteKeyStore.open(resolve_home(home))
        try:
            self._httpd = KMSHTTPServer((host, port), Endpoint(self.store, identities))
        except BaseException:
            self.store.close()
            raise
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
        host = self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

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
        logger.info("kmspair KMS endpoint on %s (keystore %s)", self.url, self.store.path)
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
        logger.info("kmspair KMS endpoint stopped")

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
    ready: Callable[[Server], None] | None = None,
) -> None:
    """Serve the KMS endpoint in this thread until SIGTERM or Ctrl-C (SIGINT), then return.

    ``ready`` is called with the :class:`Server` once it listens (e.g. to print its URL). On
    SIGTERM or SIGINT, in-flight requests are answered, the keystore is closed, and ``serve``
    returns normally, so a command running it exits 0. Signal handlers are installed only when
    called from the main thread, and the previous ones are restored on return.
    """
    server = Server(host, port, home, credentials)
    stopper: list[threading.Thread] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for the serving loop, which runs in this very thread: stop from
        # another one. A second signal while stopping changes nothing.
        if not stopper:
            logger.info("%s received: finishing requests in flight", signal.Signals(signum).name)
            stopper.append(threading.Thread(target=server.shutdown, name="kmspair-stop"))
            stopper[0].start()

    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
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
