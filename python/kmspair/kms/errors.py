"""KMS service errors as the operations raise them.

An operation raises :class:`KMSError` with AWS's error code and message; each front end turns it
into its own shape (a botocore ``ClientError`` in process, a JSON error body over HTTP). This keeps
data flowing one way: operations never know which front end called them.
"""

from __future__ import annotations

# Status codes as real AWS KMS sends them: 400 for every client error (behaviour spec §1).
_STATUS = {
    "KMSInternalException": 500,
    "KeyUnavailableException": 500,
    "DependencyTimeoutException": 503,
}


class KMSError(Exception):
    """A KMS error response: ``code`` is the ``__type``, ``message`` may be absent."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code if message is None else f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status AWS answers this error with."""
        return _STATUS.get(self.code, 400)


def validation_error(message: str) -> KMSError:
    return KMSError("ValidationException", message)


def not_found(message: str) -> KMSError:
    return KMSError("NotFoundException", message)


def invalid_ciphertext() -> KMSError:
    # AWS sends this one without any message (behaviour spec §1, §5).
    return KMSError("InvalidCiphertextException")
