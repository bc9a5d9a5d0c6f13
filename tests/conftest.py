from __future__ import annotations

import pytest

import kmspair
from kmspair.specs import RSA_SPECS

BACKENDS = ("rust", "python")
EC_SPECS = tuple(s for s in kmspair.KEY_PAIR_SPECS if s not in RSA_SPECS)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=kmspair.KEY_PAIR_SPECS)
def spec(request: pytest.FixtureRequest) -> str:
    return str(request.param)
