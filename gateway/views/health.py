"""Liveness and readiness."""

from __future__ import annotations

from aiohttp import web
from elasticsearch import ApiError, TransportError

from gateway.keys import ES


async def health(request: web.Request) -> web.Response:
    """Liveness always; readiness (``?ready=1`` or ``/api/health/ready``) also checks Elasticsearch."""
    ready = request.match_info.get("probe") == "ready" or request.query.get("ready") == "1"
    body: dict[str, object] = {"status": "ok"}
    if ready:
        try:
            health = await request.app[ES].cluster.health(timeout="2s")
        except (ApiError, TransportError):
            body = {"status": "unavailable", "elasticsearch": "unreachable"}
            return web.json_response(body, status=503, headers={"Retry-After": "5"})
        body["elasticsearch"] = health["status"]
        if health["status"] == "red":
            body["status"] = "unavailable"
            return web.json_response(body, status=503, headers={"Retry-After": "5"})
    return web.json_response(body)
