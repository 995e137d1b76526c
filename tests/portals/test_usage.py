"""Usage events: written in the background after searches and detail views (no personal data),
aggregated on the admin dashboard with exact numbers, exported as CSV; never in a request's way."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from gateway.keys import USAGE
from indexer.client import make_client
from indexer.usage.events import UsageEventWriter, view_event
from schemas.settings import EsSettings, Settings

HELA_RIKEN, HELA_JCRB = "riken-brc:RCB7", "jcrb:JCRB9004"
EVENT_FIELDS = {"kind", "at", "channel", "lang", "query", "query_norm", "query_script", "filters", "result_count",
                "zero_result", "resource_id", "institution"}


async def _events(es: AsyncElasticsearch, index: str) -> list[dict[str, Any]]:
    await es.indices.refresh(index=index)
    resp = await es.search(index=index, size=100, sort=[{"at": "asc"}])
    return [h["_source"] for h in resp["hits"]["hits"]]


async def test_searches_and_views_become_events_and_dashboard_numbers(
        portal: Any, es: AsyncElasticsearch, pt_settings: Settings) -> None:
    index = f"{pt_settings.es.index_prefix}-usage-events"
    await es.options(ignore_status=404).indices.delete(index=index)
    client = await portal.make()
    for url in ("/api/search?q=HeLa", "/api/search?q=hela&institution=jcrb", "/api/search?q=zzqxnotfound",
                "/?q=zzqxnotfound&lang=en", "/", "/api/facets?q=HeLa", f"/resources/{HELA_RIKEN}",
                f"/api/resources/{HELA_RIKEN}", f"/api/resources/{HELA_JCRB}"):
        response = await client.get(url, headers=portal.HTML)
        assert response.status == 200, url
    assert client.server.app[USAGE].pending == 7  # buffered: the requests did not wait for Elasticsearch
    await client.server.app[USAGE].flush()
    events = await _events(es, index)
    searches = [e for e in events if e["kind"] == "search"]
    assert [(e["query"], e["result_count"] > 0, e["zero_result"], e["channel"]) for e in searches] == [
        ("HeLa", True, False, "api"), ("hela", True, False, "api"), ("zzqxnotfound", False, True, "api"),
        ("zzqxnotfound", False, True, "page")]
    assert searches[1]["filters"] == ["institution:jcrb"] and searches[3]["lang"] == "en"
    assert searches[0]["lang"] == "ja" and searches[0]["query_script"] == "latin"
    views = [(e["resource_id"], e["institution"], e["channel"]) for e in events if e["kind"] == "view"]
    assert views == [(HELA_RIKEN, "riken-brc", "page"), (HELA_RIKEN, "riken-brc", "api"), (HELA_JCRB, "jcrb", "api")]
    assert all(set(e) <= EVENT_FIELDS for e in events)  # no address, cookie or account

    admin = await portal.logged_in("admin")
    text = await portal.page(admin, "/admin?lang=en")
    today = datetime.now(UTC).date().isoformat()
    riken, jcrb = "RIKEN BioResource Research Center", "NIBIOHN JCRB Cell Bank"  # names, never slugs, on the page
    for row in (f"<td>{today}</td><td>4</td><td>2</td>", "<td>hela</td><td>2</td>", "<td>zzqxnotfound</td><td>2</td>",
                f"<td>{HELA_RIKEN}</td><td>{riken}</td><td>2</td>", f"<td>{HELA_JCRB}</td><td>{jcrb}</td><td>1</td>",
                f"<td>{riken}</td><td>2026-01</td><td>2</td>", f"<td>{riken}</td><td>2026-02</td><td>1</td>",
                f"<td>{jcrb}</td><td>2026-02</td><td>2</td>", f"<td>{riken}</td><td>3</td><td>4.0</td>",
                f"<td>{jcrb}</td><td>1</td><td>6.0</td>", f"<td>riken_cells</td><td>{riken}</td><td>held</td>"):
        assert row in text, row
    assert text.count("<svg") >= 6 and "<style" not in text and " style=" not in text
    assert "<script>" not in text and text.count("<script") == 1  # only the site's external script

    async def csv_of(name: str) -> str:
        response = await admin.get(f"/admin/export/{name}.csv")
        assert response.status == 200 and response.content_type == "text/csv"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.csv"'
        return (await response.read()).decode("utf-8-sig")

    assert await csv_of("top-queries") == "query,searches\r\nhela,2\r\nzzqxnotfound,2\r\n"
    assert await csv_of("zero-result-queries") == "query,searches\r\nzzqxnotfound,2\r\n"
    assert await csv_of("views-per-institution") == "institution,views\r\nriken-brc,2\r\njcrb,1\r\n"
    assert await csv_of("time-to-decision") == "institution,decided,median_hours\r\njcrb,1,6.0\r\nriken-brc,3,4.0\r\n"
    assert await csv_of("requests-per-month") == ("institution,month,requests\r\njcrb,2026-02,2\r\n"
                                                  "riken-brc,2026-01,2\r\nriken-brc,2026-02,1\r\n")
    per_day = (await csv_of("searches-per-day")).splitlines()
    assert len(per_day) == 31 and per_day[-1] == f"{today},4,2" and per_day[1].endswith(",0,0")
    health = (await csv_of("harvest-health")).splitlines()
    assert health[0].startswith("source,institution,outcome") and len(health) == 4


async def test_writer_flushes_in_the_background(es: AsyncElasticsearch, pt_settings: Settings) -> None:
    prefix = f"{pt_settings.es.index_prefix}-bg"
    writer = UsageEventWriter(es, prefix, interval=0.2)
    writer.start()
    writer.record(view_event("riken-brc:RCB7", "riken-brc", channel="page", lang="ja"))
    for _ in range(50):
        if writer.written:
            break
        await asyncio.sleep(0.1)
    assert writer.written == 1 and writer.pending == 0
    writer.record(view_event("jcrb:JCRB9004", "jcrb", channel="page", lang="ja"))
    await writer.close()  # shutdown writes what is left
    assert writer.written == 2
    assert len(await _events(es, f"{prefix}-usage-events")) == 2


async def test_events_are_dropped_with_a_warning_when_elasticsearch_is_down(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    dead = make_client(EsSettings(url="http://127.0.0.1:1", request_timeout=2))
    errors: list[int] = []
    writer = UsageEventWriter(dead, "bxdead", max_buffer=3, on_error=lambda: errors.append(1))
    try:
        for n in range(4):  # the fourth does not fit in the buffer
            writer.record(view_event(f"riken-brc:R{n}", "riken-brc", channel="api", lang="en"))
        with caplog.at_level(logging.WARNING, logger="indexer.usage.events"):
            assert await writer.flush() == 0
    finally:
        await dead.close()
    assert writer.dropped == 4 and writer.pending == 0 and errors == [1]
    assert any("dropped 3 usage event(s)" in r.getMessage() for r in caplog.records)
