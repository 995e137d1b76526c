"""The public testing API of adapters: the contract battery and what it needs to serve sample data.

The battery takes its fixtures from the test side: a test module maps adapter type names to
``ContractFixture`` factories and parametrises the battery over the registry with them::

    import pytest
    from adapters.testing import AdapterContractTests, ContractCase, contract_params

    @pytest.fixture(params=contract_params({"my-institution": my_fixture}, only=["my-institution"]))
    def contract_case(request: pytest.FixtureRequest) -> ContractCase:
        return request.param

    class TestMyAdapter(AdapterContractTests):
        pass

Product code never imports this package: it imports pytest.
"""

from __future__ import annotations

from adapters.testing.battery import AdapterContractTests, ContractCase, contract_params, served
from adapters.testing.serving import FAST_HTTP, ContractFixture, Outcome, build_adapter, collect, serve

__all__ = [
    "FAST_HTTP", "AdapterContractTests", "ContractCase", "ContractFixture", "Outcome", "build_adapter", "collect",
    "contract_params", "serve", "served",
]
