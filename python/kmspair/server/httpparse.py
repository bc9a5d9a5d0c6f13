"""Reading a request's head as ``http.server`` does, without its cost for ordinary headers.

``BaseHTTPRequestHandler.parse_request`` hands the header lines to ``email``'s feed parser, which
costs about 90 us a request, a seventh of a signed ECC request's CPU time. :func:`parse_request`
is the standard library's method (identical in Python 3.11 to 3.13; 3.10 only lacks two checks
of the version number) except for :func:`parse_headers`, which reads the lines exactly as
``http.client.parse_headers`` does (same limits, same errors) and builds the same
``HTTPMessage`` itself when every line is a plain ``Name: value`` line of printable ASCII; any
other head (continuation lines, control or non-ASCII characters, a missing blank line, a
multipart content type) still goes through ``email``'s parser, so odd requests are read exactly
as before (tests/test_server_fast_paths.py compares the two). Two requests the standard library
serves are refused with a 400: HTTP/0.9 ones, and a head with a line that is not a header.
"""

from __future__ import annotations

import email.parser
import http.client
import re
from email.errors import MissingHeaderBodySeparatorDefect
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

# http.client's limits (its _MAXLINE and _MAXHEADERS), with its error messages.
MAX_LINE = 65536
MAX_HEADERS = 100
# What email's parser reads as one header "Name: value": a name of printable ASCII but ":",
# then spaces and tabs it strips, then the value up to the line end. Only tab and printable
# ASCII in the value: email splits lines on more than CR and LF (str.splitlines).
_PLAIN_HEADER = re.compile(rb"([!-9;-~]+):[ \t]*([\t -~]*?)\r?\n")


class LineReader(Protocol):
    """A binary stream read line by line (the handler's ``rfile``)."""

    def readline(self, size: int = -1, /) -> bytes: ...


def parse_headers(fp: LineReader, message_class: Any = http.client.HTTPMessage) -> Any:
    """``http.client.parse_headers(fp, _class=message_class)``, faster for plain headers."""
    lines: list[bytes] = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    if lines[-1]:  # the head ended with its blank line
        message = message_class()
        for line in lines[:-1]:
            plain = _PLAIN_HEADER.fullmatch(line)
            if plain is None:
                break
            # As email stores a parsed header: name as sent, value stripped on the left and
            # of the line end only.
            message.set_raw(plain[1].decode("ascii"), plain[2].decode("ascii"))
        else:
            # A multipart or message/* type makes email parse the (empty) body as such.
            if message.get_content_maintype() not in ("multipart", "message"):
                message.set_payload("")  # email's parser leaves the (empty) body as ""
                return message
    text = b"".join(lines).decode("iso-8859-1")
    return email.parser.Parser(_class=message_class).parsestr(text)


def parse_request(handler: BaseHTTPRequestHandler) -> bool:
    """``BaseHTTPRequestHandler.parse_request`` for ``handler``, headers read by
    :func:`parse_headers`. True on success; on failure the error response has been sent."""
    handler.command = None  # type: ignore[assignment]  # set in case of error on the first line
    handler.request_version = version = handler.default_request_version
    handler.close_connection = True
    requestline = str(handler.raw_requestline, "iso-8859-1")  # type: ignore[attr-defined]
    requestline = requestline.rstrip("\r\n")
    handler.requestline = requestline
    words = requestline.split()
    if len(words) == 0:
        return False

    if len(words) >= 3:  # Enough to determine protocol version
        version = words[-1]
        try:
            if not version.startswith("HTTP/"):
                raise ValueError
            base_version_number = version.split("/", 1)[1]
            version_parts = base_version_number.split(".")
            # RFC 2145 section 3.1: one ".", major and minor are separate integers, leading
            # zeros ignored.
            if len(version_parts) != 2:
                raise ValueError
            if any(not component.isdigit() for component in version_parts):
                raise ValueError("non digit in http version")
            if any(len(component) > 10 for component in version_parts):
                raise ValueError("unreasonable length http version")
            version_number = int(version_parts[0]), int(version_parts[1])
        except (ValueError, IndexError):
            handler.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
            return False
        if version_number >= (1, 1) and handler.protocol_version >= "HTTP/1.1":
            handler.close_connection = False
        if version_number >= (2, 0):
            handler.send_error(
                HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                f"Invalid HTTP version ({base_version_number})",
            )
            return False
        handler.request_version = version

    if not 2 <= len(words) <= 3:
        handler.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({requestline!r})")
        return False
    command, path = words[:2]
    if len(words) == 2:
        # HTTP/0.9, whose answer has no status line and no headers (no request id): refused,
        # where the standard library would serve a GET.
        handler.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not served.")
        return False
    handler.command, handler.path = command, path

    # gh-87389: "//path" is reduced to "/path", against open redirects.
    if handler.path.startswith("//"):
        handler.path = "/" + handler.path.lstrip("/")

    # Examine the headers and look for a Connection directive.
    try:
        handler.headers = parse_headers(handler.rfile, handler.MessageClass)
    except http.client.LineTooLong as err:
        handler.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(err))
        return False
    except http.client.HTTPException as err:
        handler.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(err))
        return False
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in handler.headers.defects):
        # A line that is no header ends email's header block early: the headers after it would
        # be dropped and the request's framing guessed. RFC 9112 §5: refuse it.
        handler.send_error(HTTPStatus.BAD_REQUEST, "Malformed header line.")
        return False

    conntype = handler.headers.get("Connection", "")
    if conntype.lower() == "close":
        handler.close_connection = True
    elif conntype.lower() == "keep-alive" and handler.protocol_version >= "HTTP/1.1":
        handler.close_connection = False
    # Examine the headers and look for an Expect directive
    expect = handler.headers.get("Expect", "")
    expects_continue = (
        expect.lower() == "100-continue"
        and handler.protocol_version >= "HTTP/1.1"
        and handler.request_version >= "HTTP/1.1"
    )
    return bool(handler.handle_expect_100()) if expects_continue else True
