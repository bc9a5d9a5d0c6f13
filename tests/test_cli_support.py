"""Running ``python -m kmspair`` as a subprocess on a keystore of its own (no tests here).

Every CLI test goes through a real process, as a user would: argument parsing, exit status,
stdout and stderr are the behaviour under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# The command most CLI tests vary one option of: a P-256 pair under the key create_demo_key
# makes.
GENERATE_DEMO_PAIR = (
    "generate-data-key-pair",
    "--key-id",
    "alias/demo",
    "--key-pair-spec",
    "ECC_NIST_P256",
)

# What must not leak from the developer's environment into a CLI under test.
_ISOLATED = (
    "KMSPAIR_HOME",
    "KMSPAIR_ROOT_KEY",
    "AWS_PROFILE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_KMS",
)


def cli_environment(home: Path) -> dict[str, str]:
    """The environment of a CLI run: the keystore in ``home``, no AWS configuration."""
    env = {k: v for k, v in os.environ.items() if k not in _ISOLATED}
    env["KMSPAIR_HOME"] = str(home)
    env["AWS_CONFIG_FILE"] = str(home / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "no-aws-credentials")
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def with_aws_config(home: Path, config: str) -> dict[str, str]:
    """:func:`cli_environment` with an aws config file (``~/.aws/config``) holding ``config``."""
    path = home.parent / "aws-config"
    path.write_text(config)
    return cli_environment(home) | {"AWS_CONFIG_FILE": str(path)}


def kmspair_cli(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kmspair ARGS`` on the keystore in ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "kmspair", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env if env is not None else cli_environment(home),
        cwd=home.parent,
    )


def kmspair_json(home: Path, *args: str) -> Any:
    """The JSON output of a command that must succeed."""
    result = kmspair_cli(home, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def create_demo_key(home: Path, alias: str = "alias/demo") -> str:
    """Create a KMS key named ``alias`` in ``home``; its key ID."""
    created = kmspair_json(home, "create-key", "--alias", alias)
    return str(created["KeyMetadata"]["KeyId"])
