"""Paged JSON toolkit: offset, page, cursor, next-URL and Link-header paging; updated-since; deletions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import web

from adapters.http import HttpClient
from adapters.testing import build_adapter, collect
from adapters.toolkits.jsonapi import JsonApiAdapter
from schemas.harvest import Checkpoint, HarvestMode

CELLS = [
    {"id": f"JCRB{i:04d}", "name": f"細胞株 {i}", "updated": f"2024-01-{1 + i % 28:02d}T00:00:00Z",
     "species": {"name": "Homo sapiens", "taxon": 9606}, "status": "deleted" if i == 7 else "active",
     "xrefs": [{"db": "Cellosaurus", "id": f"CVCL_{i:04d}"}]}
    for i in range(1, 24)
]
MAPPING = {
    "catalog_id": "id", "name": "name", "resource_type": {"const": "cell_line"},
    "species.scientific_name": "species.name", "species.taxon_id": "species.taxon",
    "xrefs.Cellosaurus": "xrefs.id", "updated": {"from": "updated", "transforms": ["date"]},
}


def api_app(seen: list[dict[str, str]]) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        q = dict(request.query)
        seen.append(q)
        rows = [c for c in CELLS if not q.get("updated_since") or c["updated"] >= q["updated_since"]]
        size = int(q.get("limit", q.get("per_page", "5")))
        style = request.match_info["style"]
        if style == "offset":
            start = int(q.get("offset", "0"))
        elif style == "page":
            start = (int(q["page"]) - 1) * size
        else:
            start = int(q.get("cursor", q.get("start", "0")))
        page = rows[start:start + size]
        more = start + size < len(rows)
        body: dict[str, object] = {"data": {"items": page}, "total": len(rows)}
        headers = {}
        if style == "cursor":
            body["next_cursor"] = str(start + size) if more else None
        if style == "next" and more:
            body["links"] = {"next": f"/api/next?start={start + size}&limit={size}"}
        if style == "link" and more:
            headers["Link"] = f'</api/link?start={start + size}&limit={size}>; rel="next"'
        return web.json_response(body, headers=headers)

    app = web.Application()
    app.router.add_get("/api/{style}", handler)
    return app


@pytest.mark.parametrize(
    ("style", "paging"),
    [
        ("offset", {"style": "offset", "page_size": 5, "total_path": "total"}),
        ("page", {"style": "page", "page_size": 5, "size_param": "per_page"}),
        ("cursor", {"style": "cursor", "page_size": 5}),
        ("next", {"style": "next_url", "page_size": 5, "next_path": "links.next"}),
        ("link", {"style": "link", "page_size": 5}),
    ],
)
async def test_paging_styles(http: HttpClient, server, style: str, paging: dict[str, object]) -> None:
    seen: list[dict[str, str]] = []
    url = await server(api_app(seen))
    adapter = build_adapter(JsonApiAdapter, http, "jcrb", institution="jcrb", endpoint=f"{url}/api/{style}",
                            records_path="data.items", paging=paging, mapping=MAPPING, id_path="id",
                            deleted_field="status", updated_since_param="updated_since")
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert len(out.resources) == 22 and [d.catalog_id for d in out.deletions] == ["JCRB0007"]
    assert out.resources[0].xrefs[0].db == "Cellosaurus" and out.resources[0].species is not None
    assert out.resources[0].species.taxon_id == 9606 and len(seen) == 5


async def test_updated_since_and_resume(http: HttpClient, server) -> None:
    seen: list[dict[str, str]] = []
    url = await server(api_app(seen))
    adapter = build_adapter(JsonApiAdapter, http, "jcrb", institution="jcrb", endpoint=f"{url}/api/offset",
                            records_path="data.items", paging={"style": "offset", "page_size": 5},
                            mapping=MAPPING, updated_since_param="updated_since")
    since = datetime(2024, 1, 20, tzinfo=UTC)
    inc = await collect(adapter.run(HarvestMode.INCREMENTAL, Checkpoint(datestamp=since)))
    assert seen[0]["updated_since"] == "2024-01-20T00:00:00Z"
    assert sorted(inc.ids) == sorted(c["id"] for c in CELLS if c["updated"] >= "2024-01-20" and c["status"] == "active")
    assert inc.finished.checkpoint is not None and inc.finished.checkpoint.datestamp is not None
    # crash after the first page, resume from its checkpoint
    first: list[str] = []
    checkpoint = None
    async for event in adapter.run():
        if type(event).__name__ == "ResourceMapped":
            first.append(event.resource.catalog_id)  # type: ignore[union-attr]
        elif type(event).__name__ == "CheckpointAdvanced":
            checkpoint = event.checkpoint  # type: ignore[union-attr]
            break
    rest = await collect(adapter.run(HarvestMode.FULL, checkpoint))
    assert sorted(first + rest.ids) == sorted(c["id"] for c in CELLS)


async def test_invalid_json_is_a_protocol_error(http: HttpClient, server) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text="{not json", content_type="application/json")

    app = web.Application()
    app.router.add_get("/api", broken)
    url = await server(app)
    adapter = build_adapter(JsonApiAdapter, http, "jcrb", institution="jcrb", endpoint=f"{url}/api", mapping=MAPPING)
    out = await collect(adapter.run())
    assert out.finished.error is not None and out.finished.error.kind == "protocol"
    assert "jcrb" in str(out.finished.error)
