"""KMS ARNs: ``arn:<partition>:kms:<region>:<account>:key/<id>`` and ``...:alias/<name>``."""

from __future__ import annotations

import re
from dataclasses import dataclass

CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")

_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):kms:(?P<region>[a-z0-9-]+):"
    r"(?P<account>\d{12}):(?P<kind>key|alias)/(?P<name>.+)$"
)


_ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)


def require_account_id(account_id: object) -> str:
    """``account_id`` if it is an AWS account ID (12 digits), else ``ValueError``: any other
    would make key ARNs that no KeyId resolution can name again."""
    if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
        raise ValueError(f"account_id must be a string of 12 digits, not {account_id!r}")
    return account_id


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def key_arn(region: str, account_id: str, key_id: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account_id}:key/{key_id}"


def alias_arn(region: str, account_id: str, alias_name: str) -> str:
    """``alias_name`` includes its ``alias/`` prefix, as in the API."""
    return f"arn:{partition_of(region)}:kms:{region}:{account_id}:{alias_name}"


@dataclass(frozen=True)
class KmsArn:
    partition: str
    region: str
    account_id: str
    kind: str  # "key" or "alias"
    name: str  # the key ID, or the alias name without "alias/"

    @property
    def alias_name(self) -> str:
        return f"alias/{self.name}"


def parse_arn(text: str) -> KmsArn | None:
    """The parts of a KMS key or alias ARN, or None if ``text`` is not one.

    An ARN whose partition does not match its region (``arn:aws:kms:cn-north-1:...``) is not
    a valid ARN anywhere, so it is refused here too.
    """
    match = _ARN.match(text)
    if match is None or partition_of(match["region"]) != match["partition"]:
        return None
    return KmsArn(
        match["partition"], match["region"], match["account"], match["kind"], match["name"]
    )
