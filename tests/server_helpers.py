"""Shared by the tests/test_server_*.py files: a real endpoint on a free port, clients for it,
and raw HTTP requests signed (or deliberately mis-signed) with botocore's SigV4 signer."""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from kmspair.server import Server

REGION = "us-east-1"
ACCOUNT = "111122223333"
CONTENT_TYPE = "application/x-amz-json-1.1"


class ServerProcess:
    """A kmspair server ``command`` (with ``--port 0``) in a process of its own, returned once
    it announces its URL (``url``); what it wrote to stderr until then is in ``lines``."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.popen = subprocess.Popen(
            command,
            stderr=subprocess.PIPE,
            text=True,
            env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
        )
        assert self.popen.stderr is not None
        self.lines: list[str] = []
        for line in self.popen.stderr:
            self.lines.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                return
        raise AssertionError("".join(self.lines))


def serve_process(home: Path, *options: str, pool_variable: str | None = None) -> ServerProcess:
    """``kmspair serve --port 0 OPTIONS`` with ``KMSPAIR_POOL`` set to ``pool_variable`` (or
    unset)."""
    env = {k: v for k, v in os.environ.items() if k != "KMSPAIR_POOL"}
    if pool_variable is not None:
        env["KMSPAIR_POOL"] = pool_variable
    command = [sys.executable, "-m", "kmspair", "serve", "--port", "0", "--home", str(home)]
    return ServerProcess([*command, *options], env)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real endpoint with the default identity (test/test) on a fresh keystore."""
    with Server(port=0, home=tmp_path / "home").start() as running:
        yield running


def kms_client(
    url: str,
    access_key_id: str = "test",
    secret: str = "test",
    region: str = REGION,
    **config: Any,
) -> Any:
    """boto3's KMS client for the endpoint at ``url``; ``config`` goes to botocore's Config.
    Retries are off, so every call is exactly one request."""
    return boto3.client(
        "kms",
        endpoint_url=url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
        region_name=region,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


def signed_headers(
    url: str,
    body: bytes,
    target: str | None = "TrentService.ListKeys",
    content_type: str | None = CONTENT_TYPE,
    access_key_id: str = "test",
    secret: str = "test",
    region: str = REGION,
    when: datetime.datetime | None = None,
) -> dict[str, str]:
    """The headers of a request signed the way botocore signs, at ``when`` (default: now)."""
    headers = {}
    if target is not None:
        headers["X-Amz-Target"] = target
    if content_type is not None:
        headers["Content-Type"] = content_type
    request = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
    signer = SigV4Auth(Credentials(access_key_id, secret), "kms", region)
    if when is None:
        signer.add_auth(request)
    else:
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        signature = signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request
        )
        signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())


def send(url: str, body: bytes, headers: dict[str, str], method: str = "POST") -> Reply:
    """One raw HTTP request to the endpoint, on a new connection."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    try:
        connection.request(method, "/", body=body, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def call(url: str, target: str, document: object, **signing: Any) -> Reply:
    """A correctly signed raw request with a JSON body."""
    body = json.dumps(document).encode()
    return send(url, body, signed_headers(url, body, target=target, **signing))


def still_serves(url: str) -> bool:
    """Whether the endpoint answers a valid request correctly (after a bad one)."""
    reply = call(url, "TrentService.ListKeys", {})
    return reply.status == 200 and "Keys" in reply.json


def live_children(pid: int) -> set[int]:
    """The pids of process ``pid``'s live (not zombie) children, found by parent in /proc
    (Linux): a pre-forking server's workers."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.add(int(entry.name))
    return found
