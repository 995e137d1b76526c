"""The shared HTTP layer against real loopback servers: retries, limits, streaming, typed errors."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web

from adapters.errors import BodyInterruptedError, ProtocolError, SourceUnreachableError
from adapters.http import USER_AGENT, HttpClient, RequestPolicy, parse_retry_after

FAST = RequestPolicy(adapter="t", timeout=2, retries=2, backoff=0.01, rate_limit=1000, concurrency=4, max_retry_after=2)


def counting_app(statuses: list[int], headers: dict[str, str] | None = None) -> tuple[web.Application, list[str]]:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("User-Agent", ""))
        status = statuses.pop(0) if statuses else 200
        return web.Response(status=status, text="ok" if status == 200 else "no", headers=headers if status != 200 else None)

    app = web.Application()
    app.router.add_get("/x", handler)
    return app, seen


async def test_retries_5xx_and_429_then_succeeds_with_user_agent(http: HttpClient, server) -> None:
    app, seen = counting_app([500, 429])
    url = await server(app)
    _resp, body = await http.fetch(f"{url}/x", FAST)
    assert body == b"ok" and len(seen) == 3 and seen[0] == USER_AGENT


async def test_retry_after_is_honoured_and_capped(http: HttpClient, server) -> None:
    app, seen = counting_app([503], {"Retry-After": "1"})
    url = await server(app)
    started = time.monotonic()
    await http.fetch(f"{url}/x", FAST)
    assert 0.9 <= time.monotonic() - started < 2 and len(seen) == 2
    capped = RequestPolicy(adapter="t", retries=1, backoff=0.01, rate_limit=1000, max_retry_after=0.1)
    app2, _ = counting_app([503], {"Retry-After": "3600"})
    url2 = await server(app2)
    started = time.monotonic()
    await http.fetch(f"{url2}/x", capped)
    assert time.monotonic() - started < 1


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (parse_retry_after(soon) or 0) <= 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_other_4xx_is_not_retried(http: HttpClient, server) -> None:
    app, seen = counting_app([404, 404, 404])
    url = await server(app)
    with pytest.raises(ProtocolError) as info:
        await http.fetch(f"{url}/x", FAST)
    assert info.value.status == 404 and info.value.adapter == "t" and len(seen) == 1


async def test_exhausted_retries_are_a_typed_unreachable_error(http: HttpClient, server) -> None:
    app, seen = counting_app([502, 502, 502, 502])
    url = await server(app)
    with pytest.raises(SourceUnreachableError) as info:
        await http.fetch(f"{url}/x", FAST)
    assert info.value.status == 502 and len(seen) == 3
    with pytest.raises(SourceUnreachableError):
        await http.fetch("http://127.0.0.1:9/x", FAST)  # nothing listens on the discard port


async def test_per_host_concurrency_and_rate(http: HttpClient, server) -> None:
    state = {"now": 0, "max": 0}

    async def slow(request: web.Request) -> web.Response:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/x", slow)
    url = await server(app)
    policy = RequestPolicy(adapter="t", concurrency=2, rate_limit=1000)
    await asyncio.gather(*(http.fetch(f"{url}/x", policy) for _ in range(8)))
    assert state["max"] == 2
    async with HttpClient() as other:
        paced = RequestPolicy(adapter="t", concurrency=8, rate_limit=5)
        started = time.monotonic()
        await asyncio.gather(*(other.fetch(f"{url}/x", paced) for _ in range(8)))
        assert time.monotonic() - started >= 0.45  # 5 at once, then 5 per second


async def test_body_cut_mid_stream_is_typed_and_replayed(http: HttpClient, server) -> None:
    calls = {"n": 0}

    async def stream(request: web.Request) -> web.StreamResponse:
        calls["n"] += 1
        resp = web.StreamResponse(headers={"ETag": '"v1"'})
        await resp.prepare(request)
        for i in range(6):
            await resp.write(f"line {i}\n".encode())
            if i == 2 and calls["n"] == 1:
                await asyncio.sleep(0.01)
                assert request.transport is not None
                request.transport.close()
                return resp
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/x", stream)
    url = await server(app)

    async def lines(resp):  # type: ignore[no-untyped-def]
        buf = b""
        async for chunk in resp.chunks(4):
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                yield line.decode()

    got = [line async for line in http.replay(f"{url}/x", FAST, lines)]
    assert got == [f"line {i}" for i in range(6)] and calls["n"] == 2
    once = RequestPolicy(adapter="t", retries=0, rate_limit=1000)
    calls["n"] = 0
    with pytest.raises(BodyInterruptedError) as info:
        _ = [line async for line in http.replay(f"{url}/x", once, lines)]
    assert info.value.adapter == "t"


async def test_slow_source_times_out_quickly(http: HttpClient, server) -> None:
    async def sleepy(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/x", sleepy)
    url = await server(app)
    policy = RequestPolicy(adapter="slow", timeout=0.3, retries=1, backoff=0.01, rate_limit=1000)
    started = time.monotonic()
    with pytest.raises(SourceUnreachableError) as info:
        await http.fetch(f"{url}/x", policy)
    assert time.monotonic() - started < 1.5 and info.value.adapter == "slow"
