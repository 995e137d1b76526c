"""Every registered adapter type (built-in and entry points) runs the testkit's contract battery."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.contract import Adapter
from adapters.testkit import AdapterContractTests, contract_params


@pytest.fixture(params=contract_params())
def contract_case(request: pytest.FixtureRequest) -> type[Adapter[Any]]:
    return request.param  # type: ignore[no-any-return]


class TestEveryRegisteredAdapter(AdapterContractTests):
    """The battery, parametrised over the registry."""
