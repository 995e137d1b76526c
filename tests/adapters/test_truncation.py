"""A truncated payload is never a catalog: each toolkit fails the run (TruncatedPayloadError or an
interrupted transfer) instead of delivering part of a real sample as if it were all of it."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from adapters.errors import BodyInterruptedError, TruncatedPayloadError
from adapters.standards.bbmri import BbmriDirectoryAdapter
from adapters.testing import build_adapter, collect
from adapters.toolkits.csvexport import CsvExportAdapter
from adapters.toolkits.jsonapi import JsonApiAdapter

REAL = Path(__file__).resolve().parents[1] / "data" / "realdata"
BACDIVE = (REAL / "bacdive-kg-microbe/bacdive.tsv").read_bytes()
CSV_MAPPING = {"catalog_id": {"from": "bacdive_id", "transforms": [{"regex": "bacdive:(\\d+)"}]},
               "name": "bacdive_id", "resource_type": {"const": "microbe"}}


def app_serving(path: str, body: bytes, **headers: str) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get(path, handle)
    return app


def collections(stop_after: int | None) -> web.Application:
    """The 103 real culture collections of DSMZ's knacr list, paged with a total; ``stop_after``
    makes the API answer an empty page from that offset on (a cut list)."""
    items = [{"id": key, **value} for key, value in json.loads((REAL / "dsmz-knacr/acr_db.json").read_text()).items()]

    async def handle(request: web.Request) -> web.Response:
        offset, limit = int(request.query.get("offset", "0")), int(request.query.get("limit", "20"))
        page = [] if stop_after is not None and offset >= stop_after else items[offset:offset + limit]
        return web.json_response({"total": len(items), "items": page})

    app = web.Application()
    app.router.add_get("/collections", handle)
    return app


async def test_json_list_ending_before_its_total(http, server) -> None:
    mapping = {"catalog_id": "id", "name": "name", "resource_type": {"const": "other"}}
    paging = {"style": "offset", "page_size": 20, "size_param": "limit", "total_path": "total"}
    for stop_after, complete in ((None, True), (60, False)):
        url = await server(collections(stop_after))
        adapter = build_adapter(JsonApiAdapter, http, "knacr", institution="riken-brc", endpoint=f"{url}/collections",
                                records_path="items", paging=paging, mapping=mapping)
        out = await collect(adapter.run())
        if complete:
            assert out.finished.ok and out.finished.stats.seen == 103, out.finished.error
        else:
            assert isinstance(out.finished.error, TruncatedPayloadError)
            assert "60 of the 103" in str(out.finished.error)


async def test_gzip_export_cut_off(http, server) -> None:
    body = (REAL / "bbmri-directory-emx2/Collections.csv.gz").read_bytes()
    url = await server(app_serving("/Collections.csv.gz", body[:len(body) // 2]))
    adapter = build_adapter(BbmriDirectoryAdapter, http, "bbmri-eric", institution="tsukuba-biobank",
                            endpoint=f"{url}/Collections.csv.gz", compression="gzip")
    out = await collect(adapter.run())
    assert isinstance(out.finished.error, TruncatedPayloadError), out.finished.error


async def test_trailer_declares_the_row_count(http, server) -> None:
    whole = BACDIVE + b"# 20 records\n"
    for body, ok in ((whole, True), (BACDIVE, False), (b"".join(BACDIVE.splitlines(keepends=True)[:15]) + b"# 20 records\n",
                                                       False)):
        url = await server(app_serving("/bacdive.tsv", body))
        adapter = build_adapter(CsvExportAdapter, http, "bacdive", institution="riken-brc", endpoint=f"{url}/bacdive.tsv",
                                delimiter="tab", trailer=r"^# (\d+) records$", mapping=CSV_MAPPING)
        out = await collect(adapter.run())
        if ok:
            assert out.finished.ok and out.finished.stats.seen == 20, out.finished.error
        else:
            assert isinstance(out.finished.error, TruncatedPayloadError), out.finished.error


async def test_transfer_shorter_than_content_length_is_interrupted(http, server) -> None:
    async def handle(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = len(BACDIVE)
        await resp.prepare(request)
        await resp.write(BACDIVE[: len(BACDIVE) // 2])
        assert request.transport is not None
        request.transport.close()
        return resp

    app = web.Application()
    app.router.add_get("/bacdive.tsv", handle)
    url = await server(app)
    adapter = build_adapter(CsvExportAdapter, http, "bacdive", institution="riken-brc", endpoint=f"{url}/bacdive.tsv",
                            delimiter="tab", retries=1, backoff=0.01, mapping=CSV_MAPPING)
    out = await collect(adapter.run())
    assert isinstance(out.finished.error, BodyInterruptedError), out.finished.error


async def test_utf8_export_with_an_invalid_byte_stays_utf8_and_names_the_row(http, server) -> None:
    """One bad byte must not make the auto-detection read 3,436 real collections as a legacy encoding."""
    import gzip

    text = gzip.decompress((REAL / "bbmri-directory-emx2/Collections.csv.gz").read_bytes())
    lines = text.splitlines(keepends=True)
    lines[40] = lines[40].replace(b",", b",\xff", 1)
    url = await server(app_serving("/Collections.csv", b"".join(lines)))
    adapter = build_adapter(BbmriDirectoryAdapter, http, "bbmri-eric", institution="tsukuba-biobank",
                            endpoint=f"{url}/Collections.csv", encoding="auto")
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    [notice] = out.finished.stats.notices
    assert notice["kind"] == "undecodable_bytes" and notice["line"] == 41 and "utf-8" in notice["detail"]
    assert any("ö" in (r.description.en or "") or "é" in (r.description.en or "") for r in out.resources)
