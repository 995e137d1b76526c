"""Serving sample data to adapters under test: a real aiohttp server on loopback, and contract fixtures.

``serve(app)`` runs an ``aiohttp.web.Application`` on 127.0.0.1 (a random free port) and yields
its base URL: adapters are tested over real HTTP, never with a patched client. A
``ContractFixture`` (written on the test side) tells the battery how to serve an adapter type's
sample data and configure it.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.contract import Adapter
from adapters.events import HarvestEvent, HarvestFinished, RecordDeleted, RecordRejected, ResourceMapped
from adapters.http import HttpClient


@asynccontextmanager
async def serve(app: web.Application, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run ``app`` on a free loopback port; yields ``http://127.0.0.1:<port>``."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS chose
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@dataclass
class ContractFixture:
    """What the contract battery needs to test one adapter type.

    ``make_app()`` builds a fresh server over the sample data; ``config(base_url)`` gives the
    adapter's config table; ``mutate(app)`` (optional) changes the served data so that an incremental
    harvest has something to find: it must change exactly ``changed_ids`` (catalog ids) and delete
    ``deleted_ids`` (catalog ids).
    """

    make_app: Callable[[], web.Application]
    config: Callable[[str], dict[str, Any]]
    required_share: float = 0.9
    japanese: str | None = None
    deletions: bool = False
    mutate: Callable[[web.Application], None] | None = None
    changed_ids: set[str] = field(default_factory=set)
    deleted_ids: set[str] = field(default_factory=set)
    #: ``record``: an incremental harvest yields only changed records; ``source``: the source only
    #: says whether anything changed (ETag), so a changed source is re-read whole.
    change_granularity: str = "record"


#: HTTP settings for tests: no politeness delays, short timeouts and backoffs.
FAST_HTTP: dict[str, Any] = {"rate_limit": 1000, "concurrency": 4, "timeout": 5, "retries": 2, "backoff": 0.01, "max_retry_after": 2}


def build_adapter(cls: type[Adapter[Any]], http: HttpClient, source: str | None = None, **config: Any) -> Adapter[Any]:
    """An adapter of type ``cls`` configured from keywords, with fast, test-friendly HTTP settings."""
    model = cls.config_model.model_validate({"type": cls.name, **FAST_HTTP, **config})
    return cls(model, http=http, source=source)


class Outcome:
    """Events of one run, sorted by kind."""

    def __init__(self, events: list[HarvestEvent]) -> None:
        self.events = events
        self.resources = [e.resource for e in events if isinstance(e, ResourceMapped)]
        self.rejections = [e.rejection for e in events if isinstance(e, RecordRejected)]
        self.deletions = [e.deletion for e in events if isinstance(e, RecordDeleted)]
        last = events[-1]
        assert isinstance(last, HarvestFinished)
        self.finished = last

    @property
    def ids(self) -> list[str]:
        return [r.catalog_id for r in self.resources]


async def collect(run: AsyncIterable[HarvestEvent]) -> Outcome:
    """Run to the end and sort the events."""
    return Outcome([event async for event in run])
