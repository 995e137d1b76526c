"""The gateway application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from elasticsearch import ApiError, TransportError

from desk.factory import build_desk
from desk.institutions import InstitutionStore
from gateway.feeds import setup_feeds
from gateway.i18n import load_translators
from gateway.keys import (
    ACCOUNTS,
    ADMIN_AUDIT,
    BREAKER,
    BUCKETS,
    DASHBOARD,
    DESK,
    ES,
    HEALTH,
    INSTITUTIONS,
    LIMITS,
    LINKS,
    LOGIN_THROTTLE,
    MAIL,
    METRICS,
    OPENAPI,
    PRIVACY,
    REQUESTS,
    SAVED,
    SEARCH,
    SETTINGS,
    SUBMIT_BUCKETS,
    SUBMIT_EMAIL_BUCKETS,
    TRANSLATORS,
    USAGE,
    WEBHOOKS,
)
from gateway.metrics import GatewayMetrics, count_backend_errors
from gateway.middlewares import (
    conditional_get,
    error_problems,
    on_prepare,
    rate_limit,
    request_context,
    time_budget,
)
from gateway.openapi import build_openapi
from gateway.ratelimit import GatewayLimits, TokenBuckets
from gateway.routes import setup_routes
from gateway.sessions import session_middleware
from gateway.signing import RequestLinks
from gateway.throttle import LoginThrottle
from indexer.breaker import CircuitBreaker
from indexer.client import make_client
from indexer.health import HarvestHealthService
from indexer.search.service import SearchService
from indexer.usage.events import UsageEventWriter
from indexer.usage.stats import DashboardService
from schemas.institution import seed_institutions
from schemas.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
INSTITUTIONS_REFRESH_SECONDS = 30.0
log = logging.getLogger(__name__)


async def _refresh_institutions(store: InstitutionStore) -> None:
    """Reload the institutions now and then, so a change made through another process shows up."""
    while True:
        await asyncio.sleep(INSTITUTIONS_REFRESH_SECONDS)
        try:
            await store.load()
        except (ApiError, TransportError):
            log.warning("reloading the institutions failed; keeping the last ones", exc_info=True)


async def _elasticsearch(app: web.Application) -> AsyncIterator[None]:
    app[ES] = make_client(app[SETTINGS].es, app[BREAKER])
    prefix = app[SETTINGS].es.index_prefix
    app[SEARCH] = SearchService(app[ES], prefix, cursor_keys=app[SETTINGS].gateway.derived_keys("cursor"))
    desk = build_desk(app[ES], app[SETTINGS], app[LINKS])
    app[ACCOUNTS], app[REQUESTS], app[PRIVACY], app[SAVED] = desk.accounts, desk.requests, desk.privacy, desk.saved
    app[INSTITUTIONS], app[ADMIN_AUDIT], app[MAIL] = desk.institutions, desk.admin_audit, desk.mail
    app[WEBHOOKS], app[DESK] = desk.webhooks, desk
    try:
        await desk.institutions.load()
    except (ApiError, TransportError):  # the gateway starts anyway (pages answer 503); reloaded soon
        log.warning("institutions not loaded from Elasticsearch; using the seed file until it answers")
        desk.institutions.registry.replace(seed_institutions())
    refresher = asyncio.create_task(_refresh_institutions(desk.institutions), name="institutions-refresh")
    app[HEALTH] = HarvestHealthService(app[ES], prefix)
    app[DASHBOARD] = DashboardService(app[ES], prefix, app[HEALTH])
    es_errors = app[METRICS].es_errors.labels("usage_writer")
    app[USAGE] = UsageEventWriter(app[ES], prefix, on_error=es_errors.inc)
    app[USAGE].start()
    yield
    refresher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresher
    await app[USAGE].close()  # the last events are written before the client closes
    await app[ES].close()


def create_app(settings: Settings, *, limits: GatewayLimits | None = None) -> web.Application:
    """Build the gateway with ``settings`` injected; one Elasticsearch client and search service per app.

    Refuses (:class:`schemas.settings.InsecureSecretKeyError`) a missing, short or published signing key.
    """
    settings.gateway.signing_keys()
    settings.personal_data_keys()
    limits = limits or GatewayLimits()
    metrics = GatewayMetrics()
    app = web.Application(
        client_max_size=limits.max_body,
        middlewares=[request_context, error_problems, count_backend_errors(metrics), time_budget,
                     session_middleware, rate_limit, conditional_get],
    )
    app[METRICS] = metrics
    app[SETTINGS] = settings
    app[BREAKER] = CircuitBreaker(settings.gateway.breaker_failures, settings.gateway.breaker_open_seconds)
    app[LIMITS] = limits
    app[BUCKETS] = TokenBuckets(limits.rate, limits.burst, limits.max_clients)
    app[TRANSLATORS] = load_translators()
    app[OPENAPI] = build_openapi()
    app[LINKS] = RequestLinks(settings)
    app[LOGIN_THROTTLE] = LoginThrottle()
    per_client, per_email = settings.requests.submissions_per_client_hour, settings.requests.submissions_per_email_hour
    app[SUBMIT_BUCKETS] = TokenBuckets(per_client / 3600, per_client, limits.max_clients)
    app[SUBMIT_EMAIL_BUCKETS] = TokenBuckets(per_email / 3600, per_email, limits.max_clients)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    app.cleanup_ctx.append(_elasticsearch)
    app.on_response_prepare.append(on_prepare)
    setup_routes(app)
    setup_feeds(app)
    return app
