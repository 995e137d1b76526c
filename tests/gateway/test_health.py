"""The gateway's health endpoints against the real cluster, and against a dead one."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from schemas.settings import EsSettings, Settings


async def test_liveness_and_readiness(settings: Settings) -> None:
    async with TestClient(TestServer(create_app(settings))) as client:
        live = await client.get("/api/health")
        assert live.status == 200 and (await live.json())["status"] == "ok"
        ready = await client.get("/api/health/ready")
        assert ready.status == 200
        assert (await ready.json())["elasticsearch"] in ("green", "yellow")


async def test_readiness_is_503_with_retry_after_when_elasticsearch_is_down(settings: Settings) -> None:
    dead = settings.model_copy(update={"es": EsSettings(url="http://127.0.0.1:9", request_timeout=2)})
    async with TestClient(TestServer(create_app(dead))) as client:
        ready = await client.get("/api/health/ready")
        assert ready.status == 503
        assert ready.headers["Retry-After"] == "5"
        assert (await ready.json()) == {"status": "unavailable", "elasticsearch": "unreachable", "circuit": "closed"}
        for _ in range(2):
            ready = await client.get("/api/health/ready")
        # Three failures in a row: the circuit is open and readiness says so.
        assert (await ready.json())["circuit"] == "open"
        assert 1 <= int(ready.headers["Retry-After"]) <= 6
