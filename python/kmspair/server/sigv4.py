"""SigV4 verification: who signed a request, refused exactly the way AWS refuses.

The signature is recomputed over a request rebuilt from the headers the client says it signed,
at the client's ``X-Amz-Date`` (or ``Date``), and compared in constant time. Every request to
``/`` with a plain ``Host`` (every SDK request to KMS) is canonicalized here, by a transcription
of botocore's :class:`botocore.auth.SigV4Auth` (tests/test_server_fast_paths.py holds the two to
the same result) that costs a fraction of building an ``AWSRequest``; anything else goes through
botocore's signer itself. Either way our canonicalization cannot drift from the clients'. The
signing key is derived once per secret, day and region. Error codes and messages are AWS's.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from kmspair.kms.errors import KMSError

from .identities import Identity

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "kms"
# AWS accepts a request signed up to 15 minutes before or after its own clock.
MAX_SKEW = datetime.timedelta(minutes=15)
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
_REGION = re.compile(r"^[a-z0-9-]{1,32}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
# A Host that cannot change the URL botocore would parse: its path stays the request's.
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]+")

MISSING_TOKEN = "Missing Authentication Token"
INVALID_TOKEN = "The security token included in the request is invalid."
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``http.client.HTTPMessage`` is one)."""

    def get(self, name: str, /) -> str | None: ...


@dataclass(frozen=True)
class Signer:
    """The verified origin of a request: who signed it, and for which region."""

    identity: Identity
    region: str


@dataclass(frozen=True)
class _Authorization:
    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def verify(
    method: str,
    path: str,
    headers: Headers,
    body: bytes,
    identities: dict[str, Identity],
    now: datetime.datetime | None = None,
) -> Signer:
    """Check the request's SigV4 signature; the signer, or ``KMSError`` as AWS words it.

    ``now`` is the server's clock (UTC), a parameter only so the window is testable.
    """
    header = headers.get("Authorization")
    if header is None:
        raise KMSError("MissingAuthenticationTokenException", MISSING_TOKEN)
    authorization = _parse(header)
    # AWS takes the signing time from a Date header too, when there is no X-Amz-Date; in the
    # same ISO 8601 basic format (an HTTP-date there fails as an X-Amz-Date would).
    amz_date = headers.get("X-Amz-Date")
    if amz_date is None:
        amz_date = headers.get("Date")
    if amz_date is None:
        raise KMSError(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            f"header. Authorization={header}",
        )
    signed_at = _parse_date(amz_date)
    for name in authorization.signed_headers:
        if headers.get(name) is None:
            raise KMSError(
                "IncompleteSignatureException",
                f"'{name}' is named as a SignedHeader, but it does not exist in the HTTP request.",
            )
    if "host" not in authorization.signed_headers:
        raise KMSError(
            "IncompleteSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        )
    if authorization.service != SERVICE:
        raise KMSError(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SERVICE}'. ",
        )
    if not _REGION.match(authorization.region):
        raise KMSError(
            "InvalidSignatureException", "Credential should be scoped to a valid region. "
        )
    _check_window(signed_at, amz_date, now or datetime.datetime.now(datetime.timezone.utc))
    identity = identities.get(authorization.access_key_id)
    if identity is None:
        raise KMSError("UnrecognizedClientException", INVALID_TOKEN)
    expected = _signature(method, path, headers, body, identity, authorization, amz_date)
    if not hmac.compare_digest(expected.encode("ascii"), authorization.signature.encode("ascii")):
        raise KMSError("InvalidSignatureException", SIGNATURE_MISMATCH)
    return Signer(identity, authorization.region)


def _parse(header: str) -> _Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        # AWS reads anything but AWS4-HMAC-SHA256 as a key=value list and complains about it.
        raise KMSError(
            "IncompleteSignatureException",
            f"'{algorithm}' not a valid key=value pair (missing equal-sign) in Authorization "
            f"header: '{header}'.",
        )
    parameters: dict[str, str] = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise KMSError(
                "IncompleteSignatureException",
                f"'{part}' not a valid key=value pair (missing equal-sign) in Authorization "
                f"header: '{header}'.",
            )
        parameters[name] = value
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parameters.get(name)
    ]
    if missing:
        raise KMSError(
            "IncompleteSignatureException", " ".join([*missing, f"Authorization={header}"])
        )
    credential = parameters["Credential"].split("/")
    if len(credential) != 5 or credential[4] != "aws4_request" or not credential[0]:
        raise KMSError(
            "IncompleteSignatureException",
            f"Credential should be scoped to a valid region, service and date. Credential="
            f"{parameters['Credential']}",
        )
    signature = parameters["Signature"]
    if not _SIGNATURE.match(signature):
        # Not a hex SHA-256 at all: it cannot match, and AWS says so the same way.
        raise KMSError("InvalidSignatureException", SIGNATURE_MISMATCH)
    return _Authorization(
        access_key_id=credential[0],
        scope_date=credential[1],
        region=credential[2],
        service=credential[3],
        signed_headers=tuple(parameters["SignedHeaders"].split(";")),
        signature=signature,
    )


@functools.lru_cache(maxsize=64)
def _parse_date(amz_date: str) -> datetime.datetime:
    # Cached: every request signed in the same second carries the same X-Amz-Date, and
    # strptime is slow. An invalid date raises, and raising is never cached.
    try:
        if not _AMZ_DATE.match(amz_date):
            raise ValueError(amz_date)
        parsed = datetime.datetime.strptime(amz_date, _AMZ_DATE_FORMAT)
    except ValueError:
        raise KMSError(
            "IncompleteSignatureException",
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
            "http://en.wikipedia.org/wiki/ISO_8601",
        ) from None
    return parsed.replace(tzinfo=datetime.timezone.utc)


def _check_window(signed_at: datetime.datetime, amz_date: str, now: datetime.datetime) -> None:
    if now - MAX_SKEW <= signed_at <= now + MAX_SKEW:
        return
    now_text = now.strftime(_AMZ_DATE_FORMAT)
    if signed_at < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(_AMZ_DATE_FORMAT)
        raise KMSError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than {earliest} ({now_text} - 15 min.)",
        )
    if signed_at > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(_AMZ_DATE_FORMAT)
        raise KMSError(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than {latest} "
            f"({now_text} + 15 min.)",
        )


class _SignedHeadersOnly(SigV4Auth):  # type: ignore[misc]
    """botocore's signer, canonicalizing exactly the headers the client named as signed.

    botocore's own choice (every header but a deny-list) is right for a client that signs what it
    sends; a server must use the client's list, or a proxy adding a header breaks every request.
    """

    def __init__(self, credentials: Credentials, region: str, signed: HTTPHeaders) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: Any) -> HTTPHeaders:
        return self._signed


def _signature(
    method: str,
    path: str,
    headers: Headers,
    body: bytes,
    identity: Identity,
    authorization: _Authorization,
    amz_date: str,
) -> str:
    payload_hash = hashlib.sha256(body).hexdigest()
    declared_hash = headers.get("X-Amz-Content-SHA256")
    if declared_hash is not None and declared_hash != payload_hash:
        # botocore would sign the declared hash as given; the body must really have it.
        return ""
    # The scope's date must be the X-Amz-Date's: botocore signs with the latter's, so a
    # different scope date simply fails to match, as at AWS.
    if authorization.scope_date != amz_date[:8]:
        return ""
    signed = [(name, headers.get(name) or "") for name in authorization.signed_headers]
    if path != "/" or not _PLAIN_HOST.fullmatch(headers.get("Host") or ""):
        return _botocore_signature(method, path, headers, body, identity, authorization, amz_date)
    canonical_request = "\n".join(
        (
            method.upper(),
            "/",  # botocore's normalized, quoted form of the path "/"
            "",  # no query string
            _canonical_headers(signed) + "\n",
            ";".join(sorted(name.lower().strip() for name in {name for name, _ in signed})),
            _body_checksum(signed, payload_hash),
        )
    )
    scope = f"{amz_date[:8]}/{authorization.region}/{SERVICE}/aws4_request"
    string_to_sign = "\n".join(
        (ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest())
    )
    key = _signing_key(identity.secret_access_key, amz_date[:8], authorization.region)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _body_checksum(signed: list[tuple[str, str]], payload_hash: str) -> str:
    """botocore's: a signed X-Amz-Content-SHA256 as given (checked equal to the body's hash
    when present), else the hash of the body."""
    for name, value in signed:
        if name.lower() == "x-amz-content-sha256":
            return value
    return payload_hash


def _canonical_headers(signed: list[tuple[str, str]]) -> str:
    """botocore's ``canonical_headers`` over an ``HTTPHeaders`` holding ``signed`` in order:
    names as given, sorted; a name's values case-insensitively gathered, trimmed, comma-joined."""
    lines = []
    for name in sorted({name for name, _ in signed}):
        lowered = name.lower()
        values = (" ".join(value.split()) for other, value in signed if other.lower() == lowered)
        lines.append(f"{name}:{','.join(values)}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str) -> bytes:
    """The SigV4 signing key: four HMACs, the same for every request of a day and region."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, SERVICE, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _botocore_signature(
    method: str,
    path: str,
    headers: Headers,
    body: bytes,
    identity: Identity,
    authorization: _Authorization,
    amz_date: str,
) -> str:
    """The signature botocore's own signer computes (for any path and Host)."""
    signed = HTTPHeaders()
    for name in authorization.signed_headers:
        signed[name] = headers.get(name) or ""
    request_headers = {name: headers.get(name) or "" for name in authorization.signed_headers}
    # http:// makes botocore hash the payload itself (it may skip that over https).
    request = AWSRequest(
        method=method, url=f"http://{headers.get('Host')}{path}", headers=request_headers, data=body
    )
    request.context["timestamp"] = amz_date
    credentials = Credentials(identity.access_key_id, identity.secret_access_key)
    signer = _SignedHeadersOnly(credentials, authorization.region, signed)
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    return str(signer.signature(string_to_sign, request))
