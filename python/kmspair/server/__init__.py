"""``kmspair serve``: the local KMS over HTTP, for the aws CLI, boto3 and every other SDK.

:func:`serve` runs the endpoint until SIGTERM or Ctrl-C; :class:`Server` runs it from a
background thread (tests, embedding). ``python -m kmspair.server --help`` is the command line.

The protocol is AWS KMS's awsJson1_1 (behaviour spec §1): ``POST /`` with ``X-Amz-Target:
TrentService.<Operation>``, every request SigV4-signed for service ``kms``. Each request runs as
the identity that signed it (account and principal from the credentials, region from the
credential scope) over one keystore shared by all. What AWS does not settle, and our choices:

* The request checks run in this order, the first failure answering: body size (over 1 MiB:
  413 ``RequestEntityTooLargeException``, answered without reading the body; a chunked body: 411),
  then SigV4 (so an unauthenticated caller learns nothing else), then content type and target,
  then the JSON body, then the operation's own checks.
* A ``Content-Type`` other than ``application/x-amz-json-1.1`` (or ``-1.0``), and any method but
  POST: 400 ``UnknownOperationException`` with no message, as for an unknown target. AWS picks
  the protocol by content type, so such a request names no operation it knows (real AWS answers
  ``UnknownOperationException`` too, in the XML of the protocol it then assumes).
* SigV4 refusals are AWS's codes and texts, all 400: no ``Authorization``:
  ``MissingAuthenticationTokenException``; a malformed one or no ``X-Amz-Date``:
  ``IncompleteSignatureException``; an unknown access key: ``UnrecognizedClientException``; a
  wrong signature, a scope of another service or a date more than 15 minutes off:
  ``InvalidSignatureException`` (``Signature expired: <date> is now earlier than <now - 15 min>
  (<now> - 15 min.)``, or ``Signature not yet current: ... + 15 min.)``).
* An unexpected failure is 500 ``KMSInternalException`` "An internal error occurred."; the
  traceback goes to the server log only.
* Credentials files are JSON (see :mod:`kmspair.server.identities`).
* One log line per request on logger ``kmspair.server`` at INFO: operation, caller principal,
  key ARN (else the KeyId the request gave), status, error code, latency, request id; never key
  material, plaintext, blobs, encryption context or secrets.
"""

from __future__ import annotations

from .identities import DEFAULT_IDENTITY, CredentialsFileError, Identity, load_identities
from .runner import DEFAULT_HOST, DEFAULT_PORT, Server, serve

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_IDENTITY",
    "DEFAULT_PORT",
    "CredentialsFileError",
    "Identity",
    "Server",
    "load_identities",
    "serve",
]
