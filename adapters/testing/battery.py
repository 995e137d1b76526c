"""The adapter contract battery: every registered adapter type runs it against its served fixture.

``contract_params(fixtures)`` gives one case per registered adapter type, each with the fixture the
test side wrote for it (``fixtures`` maps type names to ``ContractFixture`` factories). Each case
serves its fixture from a real aiohttp server on loopback. An adapter type without a fixture fails
the battery: registering is not enough, it must be testable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.contract import Adapter
from adapters.errors import AdapterError
from adapters.events import HarvestFinished
from adapters.http import HttpClient
from adapters.registry import Registry, load_registry
from adapters.testing.serving import FAST_HTTP, ContractFixture, Outcome, collect, serve
from schemas.harvest import HarvestMode

#: Adapter type name → a factory of its contract fixture (written on the test side).
FixtureFactories = Mapping[str, Callable[[], ContractFixture]]


@dataclass(frozen=True)
class ContractCase:
    """One adapter type of the battery and the factory of its fixture (None: it has none)."""

    adapter: type[Adapter[Any]]
    fixture: Callable[[], ContractFixture] | None

    @property
    def supports_incremental(self) -> bool:
        """Whether the adapter type honours checkpoints."""
        return self.adapter.supports_incremental


def contract_params(fixtures: FixtureFactories, registry: Registry | None = None, *,
                    only: list[str] | None = None) -> list[Any]:
    """One ``pytest.param`` per registered adapter type (all installed entry points included)."""
    registry = registry or load_registry()
    return [pytest.param(ContractCase(cls, fixtures.get(cls.name)), id=cls.name)
            for cls in registry if only is None or cls.name in only]


@asynccontextmanager
async def served(case: ContractCase) -> AsyncIterator[tuple[Adapter[Any], ContractFixture, Any]]:
    """The adapter configured against its fixture, the fixture, and the served app."""
    cls = case.adapter
    if case.fixture is None:
        pytest.fail(f"adapter type {cls.name!r} has no contract fixture: it cannot be tested, so it cannot ship")
    fixture = case.fixture()
    app = fixture.make_app()
    async with serve(app) as url, HttpClient() as http:
        config = cls.config_model.model_validate({"type": cls.name, **FAST_HTTP, **fixture.config(url)})
        yield cls(config, http=http, source=f"contract-{cls.name}"), fixture, app


def _ok(outcome: Outcome) -> HarvestFinished:
    finished = outcome.finished
    assert finished.error is None, f"run failed: {finished.error}"
    return finished


class AdapterContractTests:
    """The battery. Needs a ``contract_case`` fixture giving a ``ContractCase``."""

    async def test_maps_the_required_share(self, contract_case: ContractCase) -> None:
        """Most served records map; every mapped record has id, name and type; rejections have reasons."""
        async with served(contract_case) as (adapter, fixture, _):
            out = await collect(adapter.run())
            stats = _ok(out).stats
            assert stats.seen > 0, "the fixture served no records"
            assert stats.mapped / stats.seen >= fixture.required_share, stats.as_dict()
            for resource in out.resources:
                assert resource.catalog_id and resource.name and resource.resource_type
                assert resource.provenance.content_hash == resource.content_hash()
                assert resource.provenance.source == adapter.source
            assert all(r.reason and r.detail for r in out.rejections)

    async def test_ids_and_content_are_stable_across_runs(self, contract_case: ContractCase) -> None:
        """Two harvests of unchanged data give the same ids and the same content hashes."""
        async with served(contract_case) as (adapter, _, _):
            first, second = await collect(adapter.run()), await collect(adapter.run())
            def digest(o: Outcome) -> dict[str, str | None]:
                return {r.id: r.provenance.content_hash for r in o.resources}

            assert digest(first) == digest(second) and digest(first)

    async def test_japanese_text_round_trips(self, contract_case: ContractCase) -> None:
        """Japanese text in the source arrives intact (no mojibake whatever the encoding)."""
        async with served(contract_case) as (adapter, fixture, _):
            if not fixture.japanese:
                pytest.skip("fixture has no Japanese text")
            out = await collect(adapter.run())
            _ok(out)
            assert any(fixture.japanese in r.model_dump_json() for r in out.resources)

    async def test_incremental_yields_only_changes(self, contract_case: ContractCase) -> None:
        """Right after a full run nothing is new; after a change, the change (and deletions) arrive."""
        async with served(contract_case) as (adapter, fixture, app):
            full = _ok(await collect(adapter.run()))
            if not contract_case.supports_incremental:
                # Documented contract: without incremental support an incremental run is a full one.
                first = await collect(adapter.run())
                again = await collect(adapter.run(HarvestMode.INCREMENTAL, full.checkpoint))
                _ok(again)
                assert set(again.ids) == set(first.ids) and again.ids
                return
            idle = await collect(adapter.run(HarvestMode.INCREMENTAL, full.checkpoint))
            assert _ok(idle) and not idle.resources and not idle.deletions, idle.ids
            if fixture.mutate is None:
                return
            fixture.mutate(app)
            inc = await collect(adapter.run(HarvestMode.INCREMENTAL, idle.finished.checkpoint))
            _ok(inc)
            assert fixture.changed_ids <= set(inc.ids)
            if fixture.change_granularity == "record":
                assert set(inc.ids) == fixture.changed_ids, inc.ids
            if fixture.deletions:
                assert {d.catalog_id for d in inc.deletions} == fixture.deleted_ids

    async def test_no_exception_escapes_run(self, contract_case: ContractCase) -> None:
        """An unreachable endpoint ends the run with a typed error naming the adapter."""
        async with served(contract_case) as (adapter, _, _):
            dead = adapter.config.model_copy(update={"endpoint": "http://127.0.0.1:9/nothing", "retries": 0})
            broken = type(adapter)(dead, http=adapter.http, source=adapter.source)
            out = await collect(broken.run())
            assert isinstance(out.finished.error, AdapterError) and out.finished.error.adapter == adapter.source
