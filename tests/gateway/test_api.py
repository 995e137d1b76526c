"""The JSON API against the real cluster and the fixture corpus: every endpoint and error path."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from schemas.settings import EsSettings, Settings

Client = TestClient[Any, Any]
PROBLEM = "application/problem+json"


async def problem(client: Client, url: str, status: int) -> dict[str, Any]:
    """GET ``url`` and return its problem document, checking the status and media type."""
    response = await client.get(url)
    assert response.status == status, await response.text()
    assert response.content_type == PROBLEM
    body: dict[str, Any] = await response.json(content_type=None)
    assert body["status"] == status and body["type"].startswith("https://biocross.example/problems/")
    assert "Traceback" not in json.dumps(body) and "elasticsearch" not in json.dumps(body).lower()
    return body


async def test_search_groups_hela_across_institutions(client: Client) -> None:
    response = await client.get("/api/search", params={"q": "HeLa"})
    assert response.status == 200
    body = await response.json()
    hela = body["groups"][0]
    assert hela["entity_key"] == "cellosaurus:CVCL_0030"
    assert {h["id"] for h in hela["holdings"]} >= {"riken-brc:RCB7", "jcrb:JCRB9004"}
    assert any(s["hit"] for s in hela["highlight"]["name"])
    assert set(body["facets"]) == {"resource_type", "institution", "species", "availability", "disease", "tissue"}


async def test_search_filters_repeat_and_combine(client: Client) -> None:
    response = await client.get("/api/search?q=mouse&resource_type=mouse_strain&resource_type=cell_line"
                                "&institution=riken-brc&page_size=50")
    body = await response.json()
    assert response.status == 200 and body["groups"]
    for group in body["groups"]:
        assert group["resource"]["resource_type"] in ("mouse_strain", "cell_line")
        assert any(h["institution"] == "riken-brc" for h in group["holdings"])


async def test_cursor_paging_walks_without_repeats(client: Client) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(4):
        params = {"q": "mouse", "page_size": "7", **({"cursor": cursor} if cursor else {})}
        body = await (await client.get("/api/search", params=params)).json()
        seen += [g["entity_key"] for g in body["groups"]]
        cursor = body["next_cursor"]
        assert cursor
    assert len(seen) == 28 == len(set(seen))


async def test_bad_parameters_are_400_problems_naming_each_parameter(client: Client) -> None:
    body = await problem(client, "/api/search?page_size=0&resource_type=spaceship&colour=red", 400)
    assert body["type"] == "https://biocross.example/problems/validation"
    assert {e["name"] for e in body["errors"]} == {"page_size", "resource_type", "colour"}
    body = await problem(client, "/api/search?sort=name&sort=updated", 400)
    assert body["errors"] == [{"name": "sort", "reason": "given more than once"}]
    body = await problem(client, "/api/search?q=" + "x" * 1001, 400)
    assert body["errors"][0]["name"] == "q"


async def test_cursor_of_another_search_is_rejected(client: Client) -> None:
    first = await (await client.get("/api/search", params={"q": "mouse", "page_size": "3"})).json()
    body = await problem(client, f"/api/search?q=rat&cursor={first['next_cursor']}", 400)
    assert body["errors"][0]["name"] == "cursor" and "different search" in body["errors"][0]["reason"]
    body = await problem(client, "/api/search?cursor=not-a-cursor!", 400)
    assert body["errors"][0]["name"] == "cursor"


async def test_resource_entity_and_their_404s(client: Client) -> None:
    body = await (await client.get("/api/resources/jcrb:JCRB9004")).json()
    assert body["resource"]["name"] == "HeLa" and body["withdrawn"] is False
    assert [h["id"] for h in body["other_holdings"]] == ["riken-brc:RCB7"]
    await problem(client, "/api/resources/jcrb:NOPE0000", 404)
    entity = await (await client.get("/api/entities/cellosaurus:CVCL_0030")).json()
    assert {h["institution"] for h in entity["holdings"]} == {"riken-brc", "jcrb"}
    body = await problem(client, "/api/entities/cellosaurus:CVCL_9999", 404)
    assert body["type"] == "https://biocross.example/problems/not-found"


async def test_withdrawn_resource_is_marked(client: Client) -> None:
    body = await (await client.get("/api/resources/riken-brc:RBRC9999")).json()
    assert body["withdrawn"] is True


async def test_suggest_facets_and_institutions(client: Client) -> None:
    body = await (await client.get("/api/suggest", params={"q": "hel"})).json()
    assert "HeLa" in body["suggestions"]  # display case
    await problem(client, "/api/suggest", 400)
    facets = await (await client.get("/api/facets?q=HeLa")).json()
    assert set(facets) == {"total_holdings", "total_entities", "facets"}
    assert {b["value"] for b in facets["facets"]["institution"]} >= {"riken-brc", "jcrb"}
    body = await problem(client, "/api/facets?cursor=abc", 400)
    assert body["errors"] == [{"name": "cursor", "reason": "not accepted here"}]
    institutions = await (await client.get("/api/institutions")).json()
    assert {i["slug"] for i in institutions["institutions"]} >= {"riken-brc", "jcrb", "naro", "nies"}


async def test_export_csv_streams_every_match(client: Client) -> None:
    response = await client.get("/api/export", params={"q": "HeLa", "format": "csv"})
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="biocross-export-')
    assert "Content-Length" not in response.headers  # streamed
    text = (await response.read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"riken-brc:RCB7", "jcrb:JCRB9004"} <= {r["id"] for r in rows}


async def test_export_jsonl_limit_and_formula_cells(client: Client) -> None:
    response = await client.get("/api/export", params={"q": "mouse", "format": "jsonl", "limit": "25"})
    assert response.status == 200 and response.content_type == "application/x-ndjson"
    lines = (await response.text()).splitlines()
    assert len(lines) == 25 and all(json.loads(line)["id"] for line in lines)
    await problem(client, "/api/export?format=xml&limit=0", 400)
    hostile = await client.get("/api/export", params={"q": "{{7*7}} mouse", "format": "csv"})
    assert "{{7*7}} mouse" in (await hostile.read()).decode("utf-8-sig")


async def test_unknown_route_and_method_are_problems(client: Client) -> None:
    body = await problem(client, "/api/nothing-here", 404)
    assert body["detail"] == "The requested resource does not exist."
    response = await client.post("/api/search")
    assert response.status == 405 and response.content_type == PROBLEM


async def test_elasticsearch_down_is_503_with_retry_after(settings: Settings) -> None:
    dead = settings.model_copy(update={"es": EsSettings(url="http://127.0.0.1:9", request_timeout=2)})
    async with TestClient(TestServer(create_app(dead))) as client:
        for url in ("/api/search?q=HeLa", "/api/export?q=HeLa"):
            response = await client.get(url)
            assert response.status == 503 and response.headers["Retry-After"] == "5"
            body = await response.json(content_type=None)
            assert body["type"] == "https://biocross.example/problems/unavailable"
            assert "9" not in body["detail"] and "Connection" not in body["detail"]
        page = await client.get("/?q=HeLa", headers={"Accept": "text/html"})
        assert page.status == 503 and "<html" in await page.text()


async def test_rate_limit_answers_429_with_retry_after(gw_settings: Settings) -> None:
    app = create_app(gw_settings, limits=GatewayLimits(rate=0.5, burst=3))
    async with TestClient(TestServer(app)) as client:
        statuses = [(await client.get("/api/institutions")).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        body = await problem(client, "/api/institutions", 429)
        assert body["type"] == "https://biocross.example/problems/rate-limited"
        limited = await client.get("/api/institutions")
        assert int(limited.headers["Retry-After"]) >= 1
        assert (await client.get("/api/health")).status == 200  # probes are never limited
        assert (await client.get("/institutions")).status == 200  # pages are not limited


async def test_request_id_security_headers_and_access_log(client: Client, caplog: Any) -> None:
    caplog.set_level("INFO", logger="gateway.access")
    response = await client.get("/api/institutions", headers={"X-Request-Id": "abc-123"})
    assert response.headers["X-Request-Id"] == "abc-123"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    line = next(json.loads(r.getMessage()) for r in caplog.records if "abc-123" in r.getMessage())
    assert line["status"] == 200 and line["path"] == "/api/institutions" and line["method"] == "GET"
    forged = await client.get("/api/health", headers={"X-Request-Id": "bad id <script>"})
    assert forged.headers["X-Request-Id"] != "bad id" and len(forged.headers["X-Request-Id"]) == 32
    missing = await client.get("/api/nope")
    assert missing.headers["X-Content-Type-Options"] == "nosniff" and missing.headers["X-Request-Id"]


async def test_etag_304_compression_and_cache_headers(client: Client) -> None:
    first = await client.get("/api/search?q=mouse&page_size=50", headers={"Accept-Encoding": "gzip"})
    assert first.status == 200 and first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = await client.get("/api/search?q=mouse&page_size=50", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag
    page = await client.get("/institutions")
    static_url = re.search(r'href="(/static/style\.css\?v=[^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
    static = await client.get(static_url)
    assert static.status == 200 and "immutable" in static.headers["Cache-Control"]


async def test_request_body_size_limit(client: Client) -> None:
    response = await client.post("/cart/add", data={"csrf_token": "x" * 200_000})
    assert response.status == 413
