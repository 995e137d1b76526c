"""``/metrics``: the Prometheus exposition with the gateway's counters, for administrators' tokens and
direct loopback clients only; Elasticsearch failures are counted and never break the scrape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from schemas.settings import Settings


async def test_exposition_counts_requests_searches_and_pending_mail(portal: Any, pt_staff: Any) -> None:
    client = await portal.make()
    for url in ("/api/search?q=HeLa", "/api/search?q=zzqxnotfound", "/api/search?q=mouse&cursor=bad",
                "/no/such/page"):
        await client.get(url)
    response = await client.get("/metrics")  # loopback, no proxy header: allowed
    text = await response.text()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for line in ('biocross_http_requests_total{method="GET",route="api-search",status="200"} 2.0',
                 'biocross_http_requests_total{method="GET",route="api-search",status="400"} 1.0',
                 'biocross_http_requests_total{method="GET",route="unmatched",status="404"} 1.0',
                 'biocross_http_request_duration_seconds_count{method="GET",route="api-search"} 3.0',
                 "biocross_searches_total 2.0", "biocross_zero_result_searches_total 1.0",
                 'biocross_elasticsearch_errors_total{where="usage_writer"} 0.0',
                 "biocross_outbox_pending_mails 1.0"):
        assert line in text, line
    admin = await client.get("/metrics", headers={**portal.PROXIED, **pt_staff["admin"].bearer})
    assert admin.status == 200 and "biocross_searches_total 2.0" in await admin.text()


async def test_metrics_refused_to_proxied_anonymous_and_staff(portal: Any, pt_staff: Any) -> None:
    client = await portal.make()
    for headers in (portal.PROXIED, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}):
        response = await client.get("/metrics", headers=headers)
        assert response.status == 401 and response.content_type == "application/problem+json", headers
        assert "biocross_" not in await response.text()
    staff = await client.get("/metrics", headers=pt_staff["right"].bearer)
    assert staff.status == 403
    bad = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert bad.status == 401


async def test_loopback_trust_can_be_turned_off(pt_settings: Settings, pt_staff: Any) -> None:
    strict = pt_settings.model_copy(update={"gateway": pt_settings.gateway.model_copy(update={"metrics_loopback": False})})
    async with TestClient(TestServer(create_app(strict))) as client:
        assert (await client.get("/metrics")).status == 401
        assert (await client.get("/metrics", headers=pt_staff["admin"].bearer)).status == 200


async def test_elasticsearch_down_is_counted_and_scrape_still_works(pt_settings: Settings) -> None:
    down = pt_settings.model_copy(update={"es": pt_settings.es.model_copy(update={"url": "http://127.0.0.1:1",
                                                                                  "request_timeout": 2.0})})
    async with TestClient(TestServer(create_app(down))) as client:
        assert (await client.get("/api/search?q=HeLa")).status == 503
        response = await client.get("/metrics")
        text = await response.text()
    assert response.status == 200
    assert 'biocross_elasticsearch_errors_total{where="request"} 1.0' in text
    assert 'biocross_elasticsearch_errors_total{where="metrics"} 1.0' in text
    assert 'biocross_http_requests_total{method="GET",route="api-search",status="503"} 1.0' in text


async def test_outbox_that_does_not_drain_is_shown_and_exported(portal: Any) -> None:
    # The fixture holds one verification mail queued on 2026-02-10 and no mailer ever ran.
    client = await portal.make()
    text = await (await client.get("/metrics")).text()
    age = next(float(line.split()[1]) for line in text.splitlines()
               if line.startswith("biocross_outbox_oldest_pending_age_seconds "))
    queued = datetime(2026, 2, 10, tzinfo=UTC)
    assert abs(age - (datetime.now(UTC) - queued).total_seconds()) < 120
    admin = await portal.logged_in("admin")
    page = await portal.page(admin, "/admin?lang=en")
    assert '<dd id="outbox-pending">1</dd>' in page
    assert 'id="outbox-stalled"' in page and "Mail is not being delivered" in page
    ja = await portal.page(admin, "/admin?lang=ja")
    assert "メールが配信されていません" in ja
