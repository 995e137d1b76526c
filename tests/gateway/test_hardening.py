"""Small hardening points a hostile client notices: ``Allow`` on 405, no version banner, an empty
``status`` filter refused, and an API documentation page without scripts (as docs/api.md says)."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from aiohttp.test_utils import TestClient
from elasticsearch import AsyncElasticsearch

from desk.accounts import AccountStore
from gateway.keys import SEARCH
from indexer.search.cursor import encode_cursor
from schemas.accounts import StaffRole
from schemas.search import SearchQuery
from schemas.settings import Settings

Client = TestClient[Any, Any]


async def test_405_names_the_allowed_methods(client: Client) -> None:
    for path in ("/api/search", "/portal/logout", "/"):
        response = await client.request("PUT", path)
        assert response.status == 405
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed and "PUT" not in allowed
    assert "GET" in {m.strip() for m in (await client.post("/api/search")).headers["Allow"].split(",")}


async def test_no_server_version_banner(client: Client) -> None:
    for path in ("/api/health", "/", "/static/style.css", "/nope"):
        server = (await client.get(path)).headers.get("Server", "")
        assert not re.search(r"python|aiohttp|\d+\.\d+", server, re.IGNORECASE), (path, server)


async def test_api_docs_page_loads_no_script(client: Client) -> None:
    page = await (await client.get("/api/docs")).text()
    assert "/api/search" in page
    assert "<script" not in page.lower()
    assert "<script" in (await (await client.get("/")).text()).lower()  # other pages keep theirs


async def test_empty_status_filter_is_a_400(client: Client, es: AsyncElasticsearch, gw_settings: Settings) -> None:
    store = AccountStore(es, gw_settings.es.index_prefix)
    name = f"filter-{secrets.token_hex(3)}"
    await store.add(name, f"{name}@inst.example", StaffRole.STAFF, "a long enough password", institutions=["nies"])
    token = await store.create_token(name, "tests")
    headers = {"Authorization": f"Bearer {token}"}
    for value in ("", "nonsense"):
        response = await client.get("/api/portal/requests", params={"status": value}, headers=headers)
        assert response.status == 400, value
        body = await response.json(content_type=None)
        assert body["errors"][0]["name"] == "status"
    assert (await client.get("/api/portal/requests", headers=headers)).status == 200


async def test_an_elasticsearch_400_is_the_clients_fault_not_an_outage(fresh_client: Client) -> None:
    client = fresh_client
    # A cursor correctly signed (with the app's own key) around sort values Elasticsearch cannot
    # parse: the cluster answers 400, which must reach the client as a 400 and count as no outage.
    query = SearchQuery.model_validate({"q": "mouse"})
    cursor = encode_cursor(query, ["not-a-score", "x"], client.server.app[SEARCH].cursor_keys[0])
    response = await client.get("/api/search", params={"q": "mouse", "cursor": cursor})
    assert response.status == 400, await response.text()
    body = await response.json(content_type=None)
    assert body["type"].endswith("/validation") and "elasticsearch" not in json.dumps(body).lower()
    metrics = await (await client.get("/metrics")).text()
    assert 'biocross_elasticsearch_errors_total{where="request"}' not in metrics
