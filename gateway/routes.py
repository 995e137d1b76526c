"""Named routes of the gateway."""

from __future__ import annotations

from aiohttp import web

from gateway.views import health


def setup_routes(app: web.Application) -> None:
    """Register every route on ``app``."""
    app.router.add_get("/api/health", health.health, name="health")
    app.router.add_get("/api/health/{probe:ready|live}", health.health, name="health-probe")
