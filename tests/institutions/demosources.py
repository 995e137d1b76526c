"""The real demo sources on loopback for the institution adapter tests, and helpers to compare ids.

Every test harvests ``demo.server.create_sources_app`` over real HTTP (never mocks), configured from
``demo/adapters.toml`` through ``adapters.institutions.demo_config``; what the generator planted is
read from its ledger (``demo.generator.ledger.expected_dirt``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from adapters.config import AdapterConfig, parse_adapters_toml
from adapters.contract import Adapter
from adapters.http import HttpClient
from adapters.registry import Registry
from adapters.testing import serve
from demo.config import demo_config
from demo.generator import SourceRegistry
from demo.server import create_sources_app
from schemas.identifiers import canonical_id

TOTAL, SEED = 3000, 42
#: Adapter name in the demo config → institution slug.
SLUGS: dict[str, str] = {
    "riken": "riken-brc", "jcrb": "jcrb", "tsukuba": "tsukuba-biobank", "naro": "naro", "nies": "nies",
}
#: Raw field holding the catalog number, per adapter (read from quarantined payloads).
RAW_ID: dict[str, str] = {
    "riken": "catalog_no", "jcrb": "jcrb_no", "tsukuba": "id", "naro": "dwc:catalogNumber", "nies": "id",
}
#: Test-friendly HTTP: no politeness delays, one quick retry.
FAST: dict[str, Any] = {"rate_limit": 1000, "concurrency": 8, "timeout": 5, "retries": 1, "backoff": 0.01,
                        "max_retry_after": 0.05}


def clean(value: object) -> str:
    """A served id as a person reads it: NFKC, surrounding whitespace gone (first value of a list)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def key(value: object) -> str:
    """The canonical key of a catalog number (ids compare by it), else the cleaned text."""
    text = clean(value)
    return canonical_id(text) or text


@dataclass
class Sources:
    """Running demo sources: base URL, their state (to mutate and break) and the parsed demo config."""

    url: str
    state: SourceRegistry
    configs: dict[str, AdapterConfig]
    registry: Registry
    http: HttpClient

    def adapter(self, name: str, **overrides: Any) -> Adapter[Any]:
        """The configured adapter ``name`` (riken, jcrb, ...) with fast HTTP and ``overrides``."""
        config = self.configs[name].model_copy(update={**FAST, **overrides})
        return self.registry.build(name, config, self.http)


@asynccontextmanager
async def running_sources(
    registry: Registry, total: int = TOTAL, seed: int = SEED, **options: Any
) -> AsyncIterator[Sources]:
    """Demo sources (``crawl_delay=0``) served on a free loopback port, with a client and the demo config."""
    state = SourceRegistry(total, seed)
    app = create_sources_app(total, seed, registry=state, crawl_delay=0.0, **options)
    async with serve(app) as url, HttpClient() as http:
        configs = parse_adapters_toml(demo_config(url), registry, origin="demo config")
        yield Sources(url, state, configs, registry, http)


#: ``await start_sources(total=..., seed=...)``: fresh sources for one test (the ``start_sources`` fixture).
StartSources = Callable[..., Awaitable[Sources]]
