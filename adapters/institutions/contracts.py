"""Contract fixtures of the institution adapters: the demo's simulated institution, the demo's config.

Each institution adapter is tested by the testkit's battery against the simulated source it was
written for (``demo.server``, imported here lazily: only tests call these), configured from
``demo/adapters.toml``. The changes ``mutate`` makes are computed beforehand on a second copy of the
same deterministic catalog, so the battery knows exactly which ids an incremental run must find.
"""

from __future__ import annotations

import tomllib
from typing import Any

from aiohttp import web

from adapters.fixtures import ContractFixture
from adapters.institutions.democonfig import demo_config
from schemas.identifiers import display_id

#: Size and seed of the served catalog (all institutions; each gets at least 60 records).
TOTAL, SEED = 1000, 42
#: One mutation batch: records added, updated and deleted.
CHANGES: dict[str, int] = {"add": 2, "update": 2, "delete": 1}


def adapter_table(source: str, base_url: str) -> dict[str, Any]:
    """The ``[adapters.<source>]`` table of the demo config for sources at ``base_url`` (no ``type``)."""
    table = dict(tomllib.loads(demo_config(base_url))["adapters"][source])
    table.pop("type", None)
    return table


def demo_fixture(source: str, *, japanese: str, deletions: bool, granularity: str = "record") -> ContractFixture:
    """The contract fixture of the demo institution ``source`` (riken, jcrb, tsukuba, naro, nies)."""
    from demo.generator import SourceRegistry
    from demo.generator.ledger import expected_dirt
    from demo.keys import REGISTRY_KEY
    from demo.server import create_sources_app

    def make_app() -> web.Application:
        return create_sources_app(TOTAL, SEED, crawl_delay=0.0)

    def mutate(app: web.Application) -> None:
        app[REGISTRY_KEY][source].mutate(**CHANGES)

    preview = SourceRegistry(TOTAL, SEED)
    preview[source].mutate(**CHANGES)
    ledger = expected_dirt(source, preview)
    gone = set(ledger.deleted)
    dirty = ledger.rejected_ids()
    changed = {display_id(i) for i in [*ledger.added, *ledger.updated] if i not in gone and i not in dirty}
    return ContractFixture(
        make_app=make_app, config=lambda url: adapter_table(source, url), japanese=japanese, deletions=deletions,
        mutate=mutate, changed_ids=changed, deleted_ids=gone if deletions else set(),
        change_granularity=granularity,
    )
