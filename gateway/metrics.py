"""Prometheus metrics of one gateway: HTTP traffic, searches, Elasticsearch errors, the mail outbox.

Each app owns its registry (no global state, so several apps in one process, as in the tests, never
collide). ``/metrics`` serves the text exposition format; who may read it is decided in
:func:`gateway.auth.require_metrics_access`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from elastic_transport import TransportError
from elasticsearch import ApiError, BadRequestError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from gateway.errors import ServiceUnavailableError
from indexer.errors import SearchUnavailableError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Text exposition format 0.0.4, understood by every Prometheus version.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    """The collectors of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("biocross_http_requests", "HTTP requests by route name, method and status.",
                                     ["route", "method", "status"], registry=r)
        self.latency = Histogram("biocross_http_request_duration_seconds", "Time to answer, by route name and method.",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.searches = Counter("biocross_searches", "Searches (first pages with a query or a filter).", registry=r)
        self.zero_results = Counter("biocross_zero_result_searches", "Searches that found nothing.", registry=r)
        self.es_errors = Counter("biocross_elasticsearch_errors", "Elasticsearch failures, by where they happened.",
                                 ["where"], registry=r)
        self.outbox_pending = Gauge("biocross_outbox_pending_mails", "Queued mails not sent yet (read on scrape).",
                                    registry=r)
        self.outbox_oldest_age = Gauge(
            "biocross_outbox_oldest_pending_age_seconds",
            "Age of the oldest queued mail not sent yet; grows when no mailer runs or SMTP refuses (read on scrape).",
            registry=r)
        self.usage_dropped = Gauge("biocross_usage_events_dropped", "Usage events dropped since start.", registry=r)
        self.usage_written = Gauge("biocross_usage_events_written", "Usage events written since start.", registry=r)

    def observe(self, request: web.Request, status: int, seconds: float) -> None:
        """Count and time one answered request (called by ``gateway.middlewares.request_context``, the
        one place that measures every request)."""
        name = route_name(request)
        self.http_requests.labels(name, request.method, str(status)).inc()
        self.latency.labels(name, request.method).observe(seconds)

    def exposition(self) -> bytes:
        """Every metric in the text exposition format."""
        return generate_latest(self.registry)


def route_name(request: web.Request) -> str:
    """The route's name (never the raw path, which would explode label cardinality)."""
    route = request.match_info.route
    name = route.name or (route.resource.name if route.resource is not None else None)
    return name or "unmatched"


def count_backend_errors(metrics: GatewayMetrics) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware (inside the error middleware) counting requests that failed on Elasticsearch:
    outages only, never a client's bad input (an Elasticsearch 400, a forged cursor)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequestError:
            raise
        except (SearchUnavailableError, ServiceUnavailableError, ApiError, TransportError):
            metrics.es_errors.labels("request").inc()
            raise

    return middleware
