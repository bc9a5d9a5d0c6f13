"""SigV4 verification: who signed a request, refused exactly the way AWS refuses.

The signature is recomputed with botocore's own signer (:class:`botocore.auth.SigV4Auth`) over a
request rebuilt from the headers the client says it signed, at the client's ``X-Amz-Date``, and
compared in constant time. Using the signer every SDK's signature is tested against means our
canonicalization cannot drift from the clients'. Error codes and messages are AWS's.
"""

from __future__ import annotations

import datetime
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
    amz_date = headers.get("X-Amz-Date")
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


def _parse_date(amz_date: str) -> datetime.datetime:
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
    # The scope's date must be the X-Amz-Date's: botocore signs with the latter's, so a
    # different scope date simply fails to match, as at AWS.
    if authorization.scope_date != amz_date[:8]:
        return ""
    return str(signer.signature(string_to_sign, request))
