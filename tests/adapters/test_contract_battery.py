"""Every registered adapter type (built-in and entry points) runs the contract battery."""

from __future__ import annotations

import pytest

from adapters.testing import AdapterContractTests, ContractCase, contract_params
from fixtures.samples.contracts import CONTRACT_FIXTURES


@pytest.fixture(params=contract_params(CONTRACT_FIXTURES))
def contract_case(request: pytest.FixtureRequest) -> ContractCase:
    return request.param  # type: ignore[no-any-return]


class TestEveryRegisteredAdapter(AdapterContractTests):
    """The battery, parametrised over the registry."""
