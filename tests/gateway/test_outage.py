"""Elasticsearch stopped, then frozen (SIGSTOP), while the gateway serves: every route that needs it
answers 503 within its time budget (problem+json with Retry-After for the API, a page in both
languages for browsers), none answers 500, the routes that do not need it keep working, and all
recover without a restart of the gateway.

Uses a node of its own, which it stops and freezes: port ``BIOCROSS_TEST_OUTAGE_PORT`` (default 9254,
transport port + 100). A node already running there is used and left running.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from biocross.localnode import LocalNode
from desk.accounts import AccountStore
from fixtures.corpus import build_corpus
from fixtures.indexing import publish_corpus
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from gateway.signing import RequestLinks
from indexer.client import make_client
from schemas.accounts import StaffRole
from schemas.settings import EsSettings, GatewaySettings, LocalNodeSettings, Settings

PORT = int(os.environ.get("BIOCROSS_TEST_OUTAGE_PORT", "9254"))
PASSWORD = "correct horse battery staple"
LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)
HTML = {"Accept": "text/html"}
#: Slack over a route's budget for scheduling on a loaded machine.
SLACK = 1.5


@dataclass(frozen=True)
class Route:
    """One request of the battery."""

    method: str
    path: str
    staff: bool = False
    token: bool = False
    html: bool = False
    form: bool = False

    @property
    def budget(self) -> float:
        return 5.0 if self.staff or self.method == "POST" or self.path.startswith(("/portal", "/admin", "/api/portal")) \
            else 2.0


HELA = "riken-brc:RCB7"
REQ = "riken-brc:REQ-1"
TRACK = "/requests/track/{track}"
ROUTES = [
    Route("GET", "/api/search?q=HeLa"), Route("GET", "/api/facets"), Route("GET", "/api/suggest?q=he"),
    Route("GET", f"/api/resources/{HELA}"), Route("GET", "/api/entities/cellosaurus:CVCL_0030"),
    Route("GET", "/api/health/ready"), Route("GET", "/api/export?q=HeLa"),
    Route("GET", "/?q=HeLa", html=True), Route("GET", f"/resources/{HELA}", html=True),
    Route("GET", "/institutions/riken-brc", html=True),
    Route("GET", TRACK, html=True), Route("POST", "/requests/verify/{verify}", html=True, form=True),
    Route("POST", f"{TRACK}/{REQ}/action", html=True, form=True),
    Route("POST", f"{TRACK}/{REQ}/messages", html=True, form=True),
    Route("POST", "/cart/add", html=True, form=True), Route("GET", "/cart", html=True),
    Route("GET", "/requests/new", html=True), Route("POST", "/requests/new", html=True, form=True),
    Route("POST", "/portal/login", html=True, form=True),
    Route("GET", "/portal", staff=True, html=True), Route("GET", "/portal/", staff=True, html=True),
    Route("GET", "/portal/harvests", staff=True, html=True),
    Route("GET", "/portal/harvests/riken_cells/rejections", staff=True, html=True),
    Route("GET", f"/portal/requests/{REQ}", staff=True, html=True),
    Route("POST", f"/portal/requests/{REQ}/transition", staff=True, html=True, form=True),
    Route("POST", f"/portal/requests/{REQ}/messages", staff=True, html=True, form=True),
    Route("GET", "/portal/export.csv", staff=True),
    Route("GET", "/admin", staff=True, html=True), Route("GET", "/admin/export/top-queries.csv", staff=True),
    Route("GET", "/admin/personal-data", staff=True, html=True),
    Route("POST", "/admin/personal-data", staff=True, html=True, form=True),
    Route("POST", "/admin/personal-data/export", staff=True, form=True),
    Route("POST", "/admin/personal-data/erase", staff=True, html=True, form=True),
    Route("GET", "/admin/institutions", staff=True, html=True), Route("GET", "/admin/institutions/new", staff=True, html=True),
    Route("POST", "/admin/institutions/new", staff=True, html=True, form=True),
    Route("GET", "/admin/institutions/riken-brc", staff=True, html=True),
    Route("POST", "/admin/institutions/riken-brc", staff=True, html=True, form=True),
    Route("GET", "/admin/accounts", staff=True, html=True), Route("POST", "/admin/accounts", staff=True, html=True, form=True),
    Route("POST", "/admin/accounts/outage-admin", staff=True, html=True, form=True),
    Route("GET", "/admin/webhooks", staff=True, html=True), Route("POST", "/admin/webhooks", staff=True, html=True, form=True),
    Route("POST", "/admin/webhooks/ep_x", staff=True, html=True, form=True),
    Route("POST", "/admin/webhooks/deliveries/msg_x/redeliver", staff=True, html=True, form=True),
    Route("GET", "/portal/password", staff=True, html=True), Route("POST", "/portal/password", staff=True, html=True, form=True),
    Route("GET", "/account/link/secret", html=True), Route("POST", "/account/link/secret", html=True, form=True),
    Route("GET", "/api/portal/requests", token=True), Route("GET", f"/api/portal/requests/{REQ}", token=True),
    Route("POST", f"/api/portal/requests/{REQ}/transition", token=True),
    Route("GET", "/api/portal/harvests", token=True), Route("GET", "/api/portal/harvests/riken_cells", token=True),
    Route("GET", "/api/portal/harvests/riken_cells/rejections", token=True),
    # Last: logging out ends the staff session (once Elasticsearch is back).
    Route("POST", "/portal/logout", staff=True, html=True, form=True),
    Route("GET", "/oai?verb=ListRecords&metadataPrefix=oai_dc"),
    Route("GET", "/sitemap.xml"), Route("GET", "/sitemaps/resources.xml"),
    Route("POST", "/saved-searches", html=True, form=True),
]
#: Routes that need no Elasticsearch (or, like /metrics, tolerate its absence): they keep answering.
INDEPENDENT = [Route("GET", p, html=True) for p in (
    "/api/health", "/api/institutions", "/institutions", "/api/openapi.json", "/api/docs", "/portal/login",
    "/requests/sent", "/metrics", "/robots.txt", "/sitemaps/pages.xml", "/portal/reset",
    "/requests/verify/{verify}")] + [
    # Asking for a reset without a name is answered without Elasticsearch.
    Route("POST", "/portal/reset", html=True, form=True),
    Route("POST", "/cart/remove", html=True, form=True), Route("POST", "/cart/clear", html=True, form=True),
    # The battery's form has no OAI verb: answered (badVerb) without Elasticsearch.
    Route("POST", "/oai", form=True),
    # Saved-search links with a forged token are refused (400) before Elasticsearch is asked.
    Route("GET", "/saved-searches/sent", html=True),
    Route("GET", "/saved-searches/confirm/t", html=True), Route("POST", "/saved-searches/confirm/t", html=True, form=True),
    Route("GET", "/saved-searches/unsubscribe/t", html=True),
    Route("POST", "/saved-searches/unsubscribe/t", html=True, form=True)]


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    local = LocalNode(LocalNodeSettings(port=PORT, transport_port=PORT + 100, heap="512m"))
    started = not local.status().running
    if started:
        local.start()
    yield local
    pid = local._read_pid()
    if pid is not None:
        os.kill(pid, signal.SIGCONT)  # never leave a frozen node behind
    if started:
        local.stop()


@dataclass
class Outage:
    """The app under test, its staff credentials and the node to break."""

    node: LocalNode
    client: TestClient[Any, Any]
    token: str
    links: RequestLinks
    csrf: str = ""

    async def call(self, route: Route) -> tuple[int, dict[str, str], str, float]:
        headers = dict(HTML) if route.html else {"Accept": "application/json"}
        if route.token:
            headers["Authorization"] = f"Bearer {self.token}"
        path = route.path.format(track=self.links.track_token("S-OUTAGE"), verify=self.links.verify_token("S-OUTAGE"))
        data: dict[str, str] | None = None
        if route.form:
            data = {"csrf_token": self.csrf, "resource_id": HELA, "username": "outage-admin", "password": "wrong",
                    "email": "someone@lab.example", "action": "withdraw", "comment": "x", "body": "x",
                    "confirm": "erase"}
        json_body = {"action": "start_review"} if route.method == "POST" and route.token else None
        started = time.perf_counter()
        async with self.client.request(route.method, path, headers=headers, data=data, json=json_body,
                                       allow_redirects=False) as response:
            text = await response.text()
            return response.status, dict(response.headers), text, time.perf_counter() - started

    def freeze(self, frozen: bool) -> None:
        pid = self.node._read_pid()
        assert pid is not None
        os.kill(pid, signal.SIGSTOP if frozen else signal.SIGCONT)


@pytest.fixture(scope="module")
async def outage(node: LocalNode, settings: Settings) -> AsyncIterator[Outage]:
    es_settings = EsSettings.model_validate({**settings.es.model_dump(), "url": node.url,
                                             "index_prefix": f"{settings.es.index_prefix}-outage"})
    budgets = {k: GatewaySettings.model_fields[k].default for k in ("search_budget_seconds", "staff_budget_seconds")}
    # Submission limits are not what this battery tests: the forms are sent many times.
    requests = settings.requests.model_copy(update={"submissions_per_client_hour": 10_000,
                                                    "submissions_per_email_hour": 10_000})
    app_settings = settings.model_copy(update={"es": es_settings, "requests": requests,
                                               "gateway": settings.gateway.model_copy(update=budgets)})
    es = make_client(es_settings)
    try:
        await publish_corpus(es, es_settings.index_prefix, build_corpus())
        accounts = AccountStore(es, es_settings.index_prefix)
        await accounts.add("outage-admin", "admin@inst.example", StaffRole.ADMIN, PASSWORD)
        token = await accounts.create_token("outage-admin", "tests")
        async with TestClient(TestServer(create_app(app_settings, limits=LIMITS))) as client:
            state = Outage(node, client, token, RequestLinks(app_settings))
            page = await client.get("/portal/login")
            match = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
            assert match
            state.csrf = match.group(1)
            login = await client.post("/portal/login", data={"csrf_token": state.csrf, "username": "outage-admin",
                                                             "password": PASSWORD}, allow_redirects=False)
            assert login.status == 303
            page = await client.get("/portal/")
            match = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
            assert match
            state.csrf = match.group(1)
            yield state
    finally:
        if node.status().running:
            await es.options(ignore_status=404).indices.delete(index=f"{es_settings.index_prefix}*",
                                                               expand_wildcards="all", allow_no_indices=True)
        await es.close()


def check_unavailable(route: Route, status: int, headers: dict[str, str], text: str, seconds: float) -> None:
    """One route's answer during an outage: 503 in time, in the right form."""
    assert status == 503, f"{route.method} {route.path}: {status} {text[:300]}"
    assert seconds < route.budget + SLACK, f"{route.method} {route.path} took {seconds:.1f} s"
    assert int(headers["Retry-After"]) >= 1
    if route.html:
        assert headers["Content-Type"].startswith("text/html")
        assert "サービスは一時的に利用できません" in text or "一時的に利用できません" in text
        assert "temporarily unavailable" in text
    elif not route.path.startswith("/api/health"):  # the readiness probe answers its own JSON
        assert headers["Content-Type"].startswith("application/problem+json"), route.path
        assert '"status": 503' in text or '"status":503' in text


async def check_recovered(outage: Outage, deadline: float = 60.0) -> None:
    """Every route answers without 5xx again, without a new app."""
    give_up = time.monotonic() + deadline
    for route in ROUTES:
        if route.path == "/portal/logout":
            continue  # it would end the staff session the other routes use
        while True:
            status, _headers, text, _seconds = await outage.call(route)
            if status < 500 or time.monotonic() > give_up:
                break
            await asyncio.sleep(0.5)
        assert status < 500, f"{route.method} {route.path} did not recover: {status} {text[:200]}"


async def check_independent(outage: Outage) -> None:
    for route in INDEPENDENT:
        status, _headers, text, seconds = await outage.call(route)
        assert status < 500, f"{route.method} {route.path}: {status} {text[:300]}"
        assert seconds < 1.5, f"{route.method} {route.path} took {seconds:.1f} s"


async def test_the_battery_covers_every_route(outage: Outage) -> None:
    app = outage.client.server.app
    names = {r.name for r in app.router.routes() if r.name and r.name != "static"}
    covered = set()
    for route in [*ROUTES, *INDEPENDENT]:
        path = route.path.format(track="t", verify="v").split("?")[0]
        match = await app.router.resolve(make_mocked_request(route.method, path, app=app))
        assert match.route.name, path
        covered.add(match.route.name)
    assert names - covered == set()


async def test_routes_answer_503_while_elasticsearch_is_stopped_and_recover(outage: Outage) -> None:
    await check_recovered(outage)
    await asyncio.to_thread(outage.node.stop)
    try:
        for route in ROUTES:
            check_unavailable(route, *await outage.call(route))
        await check_independent(outage)
        status, _h, text, _s = await outage.call(Route("GET", "/api/health/ready"))
        assert status == 503 and '"unreachable"' in text
    finally:
        await asyncio.to_thread(outage.node.start)
    await check_recovered(outage)


async def test_routes_answer_503_within_budget_while_elasticsearch_is_frozen_and_recover(outage: Outage) -> None:
    await check_recovered(outage)
    outage.freeze(True)
    try:
        timings = []
        for route in ROUTES:
            status, headers, text, seconds = await outage.call(route)
            check_unavailable(route, status, headers, text, seconds)
            timings.append(seconds)
        # The breaker opened after the first failures: most routes failed fast, not after their budget.
        assert sorted(timings)[len(timings) // 2] < 0.5, timings
        await check_independent(outage)
        status, _h, text, _s = await outage.call(Route("GET", "/api/health/ready"))
        assert status == 503 and '"circuit"' in text
    finally:
        outage.freeze(False)
    await check_recovered(outage)
