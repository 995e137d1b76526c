"""Fault servers on loopback: each fault ends as documented, never as a hang or an escaped exception."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from aiohttp import web

from adapters.errors import AdapterCrashedError, ProtocolError, SourceUnreachableError
from adapters.events import HarvestItem, RawRecord
from adapters.http import HttpClient
from adapters.testing import build_adapter, collect
from adapters.toolkits.oaipmh import OaiPmhAdapter
from demo.samples.oairepo import OaiRepository, SampleRecord
from schemas.harvest import Checkpoint

T0 = datetime(2024, 3, 1, tzinfo=UTC)
MAPPING = {"catalog_id": "header.local_id", "name": "dc:title", "resource_type": {"const": "plant"}}


def repo(n: int = 40, **faults: object) -> OaiRepository:
    data = [SampleRecord(f"oai:naro:JP {i}", T0 + timedelta(hours=i), {"dc:title": [f"稲 {i}"]}) for i in range(n)]
    return OaiRepository(data, page_size=10, day_granularity=False, **faults)  # type: ignore[arg-type]


def oai(http: HttpClient, url: str, name: str = "naro", **extra: object) -> OaiPmhAdapter:
    made = build_adapter(OaiPmhAdapter, http, name, institution="naro", endpoint=f"{url}/oai", mapping=MAPPING,
                         **extra)
    assert isinstance(made, OaiPmhAdapter)
    return made


async def test_503_with_retry_after_then_200_recovers(http, server) -> None:
    source = repo(fail_503=2, retry_after="0")
    url = await server(source.app())
    out = await collect(oai(http, url).run())
    assert out.finished.ok and len(out.resources) == 40


async def test_connection_dropped_mid_page_is_refetched_without_duplicates(http, server) -> None:
    source = repo(drop_page_once=2)
    url = await server(source.app())
    out = await collect(oai(http, url).run())
    assert out.finished.ok, out.finished.error
    assert sorted(out.ids) == sorted(f"JP {i}" for i in range(40)) and not out.rejections
    assert sum(1 for q in source.requests if q.get("resumptionToken", "").startswith("2|")) == 2


async def test_truncated_xml_is_a_protocol_error_naming_the_adapter(http, server) -> None:
    url = await server(repo(truncate_page=1).app())
    out = await collect(oai(http, url, name="naro-truncated").run())
    assert isinstance(out.finished.error, ProtocolError) and out.finished.error.adapter == "naro-truncated"
    assert len(out.resources) == 16  # page 0 and the records of page 1 before the cut came through


async def test_not_oai_and_broken_xml_answers(http, server) -> None:
    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html><body>maintenance</body></html>", content_type="text/html")

    async def broken(request: web.Request) -> web.Response:
        return web.Response(text="broken xml", content_type="text/xml")

    app = web.Application()
    app.router.add_get("/html", html)
    app.router.add_get("/broken", broken)
    url = await server(app)
    for path in ("html", "broken"):
        made = build_adapter(OaiPmhAdapter, http, "odd", institution="naro", endpoint=f"{url}/{path}",
                             granularity="day", mapping=MAPPING)
        out = await collect(made.run())
        assert isinstance(out.finished.error, ProtocolError), path


async def test_source_ten_times_slower_than_the_timeout_fails_fast(http, server) -> None:
    async def sleepy(request: web.Request) -> web.Response:
        await asyncio.sleep(3.0)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/oai", sleepy)
    url = await server(app)
    started = time.monotonic()
    out = await collect(oai(http, url, name="slow", timeout=0.3, retries=1).run())
    assert isinstance(out.finished.error, SourceUnreachableError) and out.finished.error.adapter == "slow"
    assert time.monotonic() - started < 2


async def test_one_failing_adapter_never_takes_another_down(http, server) -> None:
    good_url = await server(repo(60).app())
    bad = oai(http, "http://127.0.0.1:9", name="down")
    good = oai(http, good_url, name="up")
    down, up = await asyncio.gather(collect(bad.run()), collect(good.run()))
    assert isinstance(down.finished.error, SourceUnreachableError) and down.finished.error.adapter == "down"
    assert up.finished.ok and len(up.resources) == 60


class _BuggyAdapter(OaiPmhAdapter):
    name = "buggy"

    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncIterator[HarvestItem]:
        yield RawRecord({"header.local_id": "JP 1", "dc:title": ["ok"]})
        raise KeyError("oops")  # a bug, not an AdapterError

    def map(self, raw: RawRecord):  # type: ignore[no-untyped-def]
        if raw.data["dc:title"] == ["boom"]:
            raise ZeroDivisionError("bad record")
        return super().map(raw)


async def test_bugs_become_typed_failures_not_escaped_exceptions(http) -> None:
    made = build_adapter(_BuggyAdapter, http, "buggy", institution="naro", endpoint="http://127.0.0.1:9/oai",
                         mapping=MAPPING)
    out = await collect(made.run())
    assert isinstance(out.finished.error, AdapterCrashedError) and out.finished.error.adapter == "buggy"
    assert out.ids == ["JP 1"] and made.stats.errors == 1
