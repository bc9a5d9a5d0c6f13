"""The HTTP side: a threading HTTP/1.1 server whose handler feeds :class:`Endpoint`.

One thread per connection, so a slow request (RSA key generation, which the Rust core runs with
the GIL released) never holds up another client's. Keep-alive is on, as SDKs expect. For a
graceful stop the server knows which connections are idle (waiting for their next request):
those are closed at once, while a connection with a request in flight finishes it first.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kmspair.kms import wire
from kmspair.kms.errors import KMSError
from kmspair.kms.response_metadata import http_date, new_request_id

from . import httpparse
from .balance import WorkerSlot
from .endpoint import Endpoint, Outcome

logger = logging.getLogger("kmspair.server")

MAX_BODY_BYTES = 1024 * 1024
# A client that stops sending mid-request (or idles on keep-alive) loses its connection after
# this long, so it cannot hold a thread for ever.
SOCKET_TIMEOUT_SECONDS = 60.0
# How long, and how much, a refused body is drained before its connection closes (see _linger).
_LINGER_SECONDS = 2.0
_LINGER_BYTES = 4 * MAX_BODY_BYTES


class KMSHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that serves ``endpoint`` and can stop without cutting requests."""

    # Request threads are joined on close (block_on_close), so a stop waits for them.
    daemon_threads = False
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        endpoint: Endpoint,
        *,
        listener: socket.socket | None = None,
        balance: WorkerSlot | None = None,
        log: logging.Logger = logger,
    ) -> None:
        """Bind and listen on ``address``; or, given ``listener`` (a socket already listening,
        e.g. inherited from a pre-forking parent), serve on that one and ignore ``address``.
        ``balance``, for a pre-forked worker, takes its turn accepting with the other workers
        (see :mod:`.balance`). ``log`` is the logger of the one line per request."""
        self.endpoint = endpoint
        self.log = log
        self.balance = balance
        self.stopping = False
        self._lock = threading.Lock()
        self._idle: set[socket.socket] = set()
        if listener is not None:
            self.address_family = listener.family
            super().__init__(address, KMSRequestHandler, bind_and_activate=False)
            self.socket.close()
            self.socket = listener
            self.server_address = listener.getsockname()
            self.server_name = str(self.server_address[0])
            self.server_port = int(self.server_address[1])
            return
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, KMSRequestHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        if self.balance is None:
            return super().get_request()
        return self.balance.accept(self.socket)

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            if self.balance is not None:
                self.balance.closed()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone before its answer was flushed (reset, broken pipe, timeout) is routine:
        one debug line, not the traceback ``socketserver`` prints to stderr."""
        if isinstance(sys.exc_info()[1], OSError):
            self.log.debug("connection from %s closed before its answer was sent", client_address)
            return
        self.log.error("error serving a connection from %s", client_address, exc_info=True)

    def mark_idle(self, connection: socket.socket) -> bool:
        """Note that ``connection`` waits for a request; False if the server is stopping."""
        with self._lock:
            if self.stopping:
                return False
            self._idle.add(connection)
            return True

    def mark_busy(self, connection: socket.socket) -> None:
        with self._lock:
            self._idle.discard(connection)

    def close_idle_connections(self) -> None:
        """Stop taking requests on kept-alive connections; in-flight ones still answer."""
        if self.balance is not None:
            self.balance.leave()
        with self._lock:
            self.stopping = True
            idle, self._idle = self._idle, set()
        for connection in idle:
            # SHUT_RD wakes the thread blocked reading the next request (it reads end of
            # file), while a response could still be written.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: any free port) and listening, as
    :class:`KMSHTTPServer` makes its own, but non-blocking: several processes accept on it
    (pre-fork workers), and one woken for a connection another took must not block in
    ``accept``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class KMSRequestHandler(BaseHTTPRequestHandler):
    """Reads one HTTP request, has the endpoint answer it, writes the answer, logs one line."""

    protocol_version = "HTTP/1.1"
    server_version = "kmspair"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_SECONDS
    # Without TCP_NODELAY a response written in two segments waits out the client's delayed
    # ACK (Nagle): 40 ms per request on Linux, the whole latency of an ECC request.
    disable_nagle_algorithm = True
    # Buffered writes: the status line, headers and body leave in one send when the response
    # is flushed (http.server flushes after each request), instead of one send per part.
    wbufsize = -1
    server: KMSHTTPServer

    def handle_one_request(self) -> None:
        if not self.server.mark_idle(self.connection):
            self.close_connection = True
            return
        try:
            super().handle_one_request()
        except OSError:
            # The client went away or timed out; there is no one left to answer.
            self.close_connection = True
        finally:
            self.server.mark_busy(self.connection)

    def parse_request(self) -> bool:
        """The standard library's, reading plain headers faster (see :mod:`.httpparse`)."""
        return httpparse.parse_request(self)

    def handle_expect_100(self) -> bool:
        """Invite the body only if it will be read; an oversized one is refused unsent."""
        length = _content_length(self.headers)
        if length is None or length > MAX_BODY_BYTES:
            return True  # no "100 Continue": do_POST refuses it straight away
        invited = super().handle_expect_100()
        self.wfile.flush()  # the client waits for the "100 Continue" before sending its body
        return bool(invited)

    def do_POST(self) -> None:
        self.server.mark_busy(self.connection)
        started = time.monotonic()
        request_id = new_request_id()
        outcome = self._read_and_handle()
        if outcome is None:
            self.close_connection = True
            return
        if self.server.stopping:
            self.close_connection = True
        self._send(outcome, request_id)
        _log_request(
            "%s caller=%s key=%s status=%d%s latency_ms=%.1f request_id=%s",
            outcome.operation,
            outcome.principal or "-",
            outcome.key or "-",
            outcome.status,
            f" error={outcome.error}" if outcome.error else "",
            (time.monotonic() - started) * 1000,
            request_id,
            log=self.server.log,
        )

    # Every method is answered in AWS's shape (the endpoint refuses anything but POST).
    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_POST

    def _read_and_handle(self) -> Outcome | None:
        """The outcome, or None when the client vanished before sending its whole body."""
        operation = "-"
        if self.headers.get("Transfer-Encoding") is not None:
            # Chunked bodies are not read at all; every SDK sends Content-Length for KMS.
            self.close_connection = True
            return _error(411, "LengthRequiredException", "Content-Length is required.", operation)
        length = _content_length(self.headers)
        if length is None:
            self.close_connection = True
            return _error(400, "SerializationException", "Invalid Content-Length.", operation)
        if length > MAX_BODY_BYTES:
            # Not read at all: the connection closes after the answer, dropping the rest.
            self.close_connection = True
            return _error(
                413,
                "RequestEntityTooLargeException",
                f"Request body of {length} bytes exceeds the maximum of {MAX_BODY_BYTES} bytes.",
                operation,
            )
        try:
            body = self.rfile.read(length)
        except OSError:
            return None
        if len(body) != length:
            return None
        return self.server.endpoint.handle(self.command, self.path, self.headers, body)

    def _send(self, outcome: Outcome, request_id: str) -> None:
        self.send_response(outcome.status)
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", outcome.content_type)
        self.send_header("Content-Length", str(len(outcome.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(outcome.body)
        if outcome.status in (411, 413):
            self._linger()

    def _linger(self) -> None:
        """Half-close and discard a bounded part of the unread body before closing.

        Closing a socket with unread data makes the kernel send a reset, which can destroy the
        answer before the client reads it; a client still sending learns of the refusal instead.
        """
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_LINGER_SECONDS)
            deadline = time.monotonic() + _LINGER_SECONDS
            discarded = 0
            while discarded < _LINGER_BYTES and time.monotonic() < deadline:
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                discarded += len(chunk)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, oversized headers) in AWS's JSON shape."""
        self.close_connection = True
        # http.server leaves an unparsable request as HTTP/0.9, which gets no status line.
        self.request_version = self.protocol_version
        outcome = _error(code, "SerializationException", message or "Bad request.", "-")
        with contextlib.suppress(OSError):
            self._send(outcome, new_request_id())
        self.server.log.info("- caller=- key=- status=%d error=%s", code, outcome.error)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header, formatted once per second rather than once per response."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return http_date()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: :meth:`do_POST` logs the request's one line, knowing more than this."""

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's access log goes to stderr; ours is the one line per request above.
        logger.debug("http: " + format, *args)


def _log_request(message: str, *args: object, log: logging.Logger = logger) -> None:
    """``log.info(message, *args)`` from the caller, making the very same record.

    ``Logger.info`` finds its caller's file, line and function by walking the stack, which costs
    more than the rest of the record (about 25 us of every request); the caller's frame has all
    three at hand.
    """
    if not log.isEnabledFor(logging.INFO):
        return
    if logging._srcfile:
        code = (caller := sys._getframe(1)).f_code
        origin = (code.co_filename, caller.f_lineno, code.co_name)
    else:  # what Logger._log records when told not to look for the caller
        origin = ("(unknown file)", 0, "(unknown function)")
    filename, line, function = origin
    record = log.makeRecord(log.name, logging.INFO, filename, line, message, args, None, function)
    log.handle(record)


def _content_length(headers: Any) -> int | None:
    """The body's length; None unless every ``Content-Length`` header is the same decimal number
    (RFC 9112 §6.3: a server cannot tell where a body with conflicting lengths ends)."""
    values = {value.strip() for value in headers.get_all("Content-Length", ["0"])}
    if len(values) != 1:
        return None
    (text,) = values
    # isdigit alone also takes digits such as "²", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() else None


def _error(status: int, code: str, message: str, operation: str) -> Outcome:
    return Outcome(status, wire.encode_error(KMSError(code, message)), operation, error=code)
