"""Exit statuses and the errors that carry them, as aws CLI v2 assigns them."""

from __future__ import annotations

# aws CLI v2's exit statuses: a service error, a usage error (bad arguments, client-side
# parameter validation), an unusable configuration and any other failure (no connection, ...).
EXIT_OK = 0
EXIT_SERVICE_ERROR = 254
EXIT_USAGE_ERROR = 252
# The environment or configuration cannot be used: no credentials, no such profile, no region.
EXIT_CONFIG_ERROR = 253
EXIT_OTHER_ERROR = 255


class UsageError(Exception):
    """The command line cannot be acted on; printed with the usage line, exit 252."""


class ParamError(UsageError):
    """An option's value cannot be read (bad shorthand, JSON, base64, an unreadable file):
    printed alone after an empty line, without the usage line, as aws prints its ParamError;
    exit 252."""


class CommandError(Exception):
    """A failure that is neither the service's nor the caller's syntax; exit 255."""
