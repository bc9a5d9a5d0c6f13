"""The KMS a command talks to: the embedded keystore, or an endpoint through real botocore."""

from __future__ import annotations

import os
from typing import Any

import botocore.session
from botocore.exceptions import NoCredentialsError, ProfileNotFound

from ..kms.client import client as local_client

# Where nothing names a region, the command line still works with no setup: the embedded
# keystore needs no real region, and an endpoint started by ``kmspair serve`` takes any.
DEFAULT_REGION = "us-east-1"
# The identity ``kmspair serve`` knows without a credentials file.
DEFAULT_ACCESS_KEY = "test"
DEFAULT_SECRET_KEY = "test"


def region_of(region: str | None, profile: str | None) -> str:
    """``--region``, else the region botocore's configuration names, else us-east-1."""
    if region:
        return region
    configured = _session(profile).get_config_variable("region")
    return str(configured) if configured else DEFAULT_REGION


def output_of(output: str | None, profile: str | None) -> str:
    """``--output``, else ``AWS_DEFAULT_OUTPUT``, else the profile's ``output`` setting in the
    aws config file, else json: where the aws CLI looks, in its order."""
    if output:
        return output
    configured = os.environ.get("AWS_DEFAULT_OUTPUT")
    if not configured:
        try:
            configured = _session(profile).get_scoped_config().get("output")
        except ProfileNotFound:
            configured = None  # a missing profile is reported where credentials are read
    return str(configured) if configured else "json"


def open_client(
    *, region: str, endpoint_url: str | None, home: str | None, profile: str | None
) -> Any:
    """A KMS client: ``kmspair.client`` on ``home``, or botocore's on ``endpoint_url``, signing
    with the configured credentials, else as ``kmspair serve``'s default identity (test/test)
    unless a profile was named, whose missing credentials are ``NoCredentialsError``."""
    if endpoint_url is None:
        return local_client(region_name=region, home=home)
    session = _session(profile)
    credentials: dict[str, str] = {}
    if session.get_credentials() is None:
        if profile is not None or os.environ.get("AWS_PROFILE"):
            # A profile named on purpose is used as named, or refused as the aws CLI refuses it.
            raise NoCredentialsError()
        credentials = {
            "aws_access_key_id": DEFAULT_ACCESS_KEY,
            "aws_secret_access_key": DEFAULT_SECRET_KEY,
        }
    return session.create_client(
        "kms", region_name=region, endpoint_url=endpoint_url, **credentials
    )


def _session(profile: str | None) -> Any:
    return botocore.session.Session(profile=profile)
