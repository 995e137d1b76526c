"""CSV/TSV toolkit: encodings, quoted newlines, header aliases, multi-valued cells, ETag, streaming."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from aiohttp import web

from adapters.http import HttpClient
from adapters.testing import build_adapter, collect
from adapters.toolkits.csvexport import CsvExportAdapter
from adapters.toolkits.textstream import detect_encoding
from schemas.harvest import Checkpoint, HarvestMode, RejectionReason

CALLS = web.AppKey("calls", dict)
HEADER = "カタログ番号,系統名,別名,種類,登録日,説明\r\n"
ROWS = [
    'RBRC00001,C57BL/6J,"B6;ブラック6",マウス,2001/04/01,"一行目\r\n二行目、""引用"""\r\n',
    "RBRC00002,BALB/c,,マウス,不明,普通の説明\r\n",
    "RBRC00003,ＷＫＹ,,ラット,2003-05-06,ラット\r\n",
    "RBRC00002,BALB/c,,マウス,不明,普通の説明\r\n",  # an identical duplicated row
]
MAPPING = {
    "catalog_id": "catalog_no",
    "name": {"from": "name", "transforms": ["nfkc"]},
    "synonyms": {"from": "aliases", "combine": "all"},
    "resource_type": {"from": "kind", "transforms": [{"lookup": {"マウス": "mouse_strain", "ラット": "rat_strain"}}]},
    "created": {"from": "registered", "transforms": ["date"]},
    "description.ja": "description",
}
ALIASES = {"catalog_no": ["カタログ番号", "Catalog No."], "name": ["系統名", "Strain name"], "aliases": ["別名"],
           "kind": ["種類"], "registered": ["登録日"], "description": ["説明"]}


def csv_app(body: bytes, *, chunk: int = 7, etag: str = '"e1"', gz: bool = False) -> web.Application:
    state = {"calls": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        state["calls"] += 1
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        resp = web.StreamResponse(headers={"ETag": etag, "Content-Type": "text/csv"})
        await resp.prepare(request)
        for i in range(0, len(body), chunk):  # tiny chunks split multi-byte characters
            await resp.write(body[i:i + chunk])
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/export.csv", handler)
    app[CALLS] = state
    return app


def adapter(http: HttpClient, url: str, **extra: object) -> CsvExportAdapter:
    made = build_adapter(CsvExportAdapter, http, "riken-brc-animals", institution="riken-brc",
                         endpoint=f"{url}/export.csv", mapping=MAPPING, header_aliases=ALIASES,
                         multi_valued={"aliases": [";"]}, **extra)
    assert isinstance(made, CsvExportAdapter)
    return made


@pytest.mark.parametrize(
    ("encoding", "configured"),
    [("utf-8", "auto"), ("utf-8-sig", "auto"), ("cp932", "auto"), ("cp932", "shift_jis"), ("utf-8", "utf-8")],
)
async def test_encodings_and_quoted_newlines(http, server, encoding: str, configured: str) -> None:
    body = (HEADER + "".join(ROWS)).encode(encoding)
    url = await server(csv_app(body))
    out = await collect(adapter(http, url, encoding=configured).run())
    assert out.finished.ok, out.finished.error
    assert out.ids == ["RBRC00001", "RBRC00002", "RBRC00003"]
    first = out.resources[0]
    assert first.description.ja == '一行目\r\n二行目、"引用"' and first.synonyms == ["B6", "ブラック6"]
    assert str(first.created) == "2001-04-01" and out.resources[1].created is None
    assert out.resources[2].name == "WKY" and out.resources[2].resource_type == "rat_strain"
    assert [r.reason for r in out.rejections] == [RejectionReason.DUPLICATE]
    assert "identical" in out.rejections[0].detail and out.finished.stats.warnings["created:malformed_date"] == 2


def test_detects_cp932_on_a_sample() -> None:
    sample = ("番号,名前\n" + "\n".join(f"JCM {i},乳酸菌 株{i}" for i in range(50))).encode("cp932")
    assert detect_encoding(sample) == "cp932"
    assert detect_encoding("a,b\n".encode("utf-8-sig")) == "utf-8-sig"


async def test_etag_makes_incremental_harvest_empty_when_unchanged(http, server) -> None:
    app = csv_app((HEADER + ROWS[1]).encode("cp932"), etag='"v7"')
    url = await server(app)
    made = adapter(http, url)
    full = await collect(made.run())
    assert full.finished.checkpoint == Checkpoint(etag='"v7"')
    again = await collect(made.run(HarvestMode.INCREMENTAL, full.finished.checkpoint))
    assert again.finished.ok and again.resources == [] and again.finished.checkpoint == full.finished.checkpoint
    assert app[CALLS]["calls"] == 2


async def test_tsv_without_header_gzip_and_multi_valued(http, server) -> None:
    body = "JCM 1\tLactobacillus casei\t菌|細菌\nJCM 2\tBacillus subtilis\t\n".encode()
    app = csv_app(gzip.compress(body), chunk=5)
    url = await server(app)
    made = build_adapter(
        CsvExportAdapter, http, "jcm", institution="riken-brc", endpoint=f"{url}/export.csv", delimiter="tab",
        header=False, columns=["id", "name", "tags"], compression="gzip", multi_valued={"tags": ["|"]},
        mapping={"catalog_id": "id", "name": "name", "synonyms": "tags", "resource_type": {"const": "microbe"},
                 "species.scientific_name": "name"},
        ids={"scheme": "JCM"},
    )
    out = await collect(made.run())
    assert out.ids == ["JCM 1", "JCM 2"] and out.resources[0].synonyms == ["菌", "細菌"]


async def test_export_dropped_mid_body_is_refetched_without_duplicates(http, server) -> None:
    rows = "".join(f"RBRC{i:05d},strain {i},,マウス,2001-01-01,x\r\n" for i in range(1, 2001))
    body = (HEADER + rows).encode("utf-8")
    calls = {"n": 0}

    async def flaky(request: web.Request) -> web.StreamResponse:
        calls["n"] += 1
        resp = web.StreamResponse(headers={"ETag": '"same"'})
        await resp.prepare(request)
        half = len(body) // 2
        await resp.write(body[:half])
        if calls["n"] == 1:
            await asyncio.sleep(0.01)
            assert request.transport is not None
            request.transport.close()
            return resp
        await resp.write(body[half:])
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/export.csv", flaky)
    url = await server(app)
    out = await collect(adapter(http, url).run())
    assert out.finished.ok and len(out.resources) == 2000 and not out.rejections and calls["n"] == 2
