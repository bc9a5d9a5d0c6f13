"""Who is calling: the account, region and principal a request runs as."""

from __future__ import annotations

from dataclasses import dataclass

from .arn import partition_of


@dataclass(frozen=True)
class Caller:
    account_id: str
    region: str
    principal: str

    @classmethod
    def root_of(cls, account_id: str, region: str) -> Caller:
        """The account's root user, the identity of an in-process client."""
        return cls(account_id, region, f"arn:{partition_of(region)}:iam::{account_id}:root")
