"""The load-generating process of the search benchmark.

    python -m bench.loadgen --mix mix.json --target gateway --url http://127.0.0.1:PORT --clients 8 --duration 15 --out r.json
    python -m bench.loadgen --mix mix.json --target direct --alias bench-h-resources --clients 8 --duration 15 --out r.json

Closed loop: ``clients`` coroutines each send a request, wait for the whole response, and send the
next one (no think time), taking requests in turn from the mix's fixed sequence. After ``warmup``
seconds (not counted), every request *started* within ``duration`` seconds is recorded; throughput is
successful requests over that window. Every failure is recorded with its message (``error_samples``,
the first few); the benchmark fails a run with any. ``direct`` uses the project's own async client settings
(``indexer.client.make_client``, as the gateway does) against the read alias and sends a page's two
requests as the service does (the second built from the first's answer by the service's builder).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import querymix
from indexer.analysis.synonyms import SynonymTable
from indexer.client import make_client
from schemas.settings import Settings


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(samples: list[tuple[str, float, bool]], window: float) -> dict[str, Any]:
    """Throughput and latency percentiles (ms) of ``(kind, seconds, ok)`` samples."""

    def stats(rows: list[tuple[str, float, bool]]) -> dict[str, Any]:
        ok = [s * 1000 for _, s, good in rows if good]
        return {
            "requests": len(rows), "ok": len(ok), "errors": len(rows) - len(ok),
            "throughput_rps": round(len(ok) / window, 1),
            "p50_ms": _r(percentile(ok, 50)), "p95_ms": _r(percentile(ok, 95)), "p99_ms": _r(percentile(ok, 99)),
            "mean_ms": _r(statistics.fmean(ok)) if ok else None,
        }

    by_kind = {kind: stats([s for s in samples if s[0] == kind]) for kind in sorted({s[0] for s in samples})}
    return {**stats(samples), "by_kind": by_kind}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class Target:
    """Sends one prepared request; raises when it failed."""

    async def send(self, request: dict[str, Any]) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Release connections."""


class GatewayTarget(Target):
    """The gateway's JSON API over HTTP (body read completely; gzip as a browser would ask)."""

    def __init__(self, url: str, clients: int) -> None:
        self.url = url.rstrip("/")
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients),
                                             timeout=aiohttp.ClientTimeout(total=60))

    async def send(self, request: dict[str, Any]) -> None:
        async with self.session.get(self.url + request["path"], params=request["params"]) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}: {body[:300].decode(errors='replace')}")

    async def close(self) -> None:
        await self.session.close()


class DirectTarget(Target):
    """The equivalent Elasticsearch request with the async client (response parsed, as the service does)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.es = make_client(Settings().es)
        self.synonyms = SynonymTable.load()

    async def _search(self, body: dict[str, Any]) -> Any:
        resp = await self.es.search(index=self.alias, body=body)
        shards = resp.get("_shards", {})
        if resp.meta.status != 200 or shards.get("failed") or resp.get("timed_out"):
            raise RuntimeError(f"HTTP {resp.meta.status}, shards {shards}, timed out {resp.get('timed_out')}")
        return resp

    async def send(self, request: dict[str, Any]) -> None:
        resp = await self._search(request["direct"])
        if request["path"] == "/api/search" and resp["hits"]["hits"]:
            await self._search(querymix.direct_holdings_body(request, self.synonyms, resp))

    async def close(self) -> None:
        await self.es.close()


async def run(target: Target, requests: list[dict[str, Any]], order: list[int], clients: int, warmup: float,
              duration: float) -> dict[str, Any]:
    """Drive ``target`` with ``clients`` closed-loop clients; returns the summary."""
    samples: list[tuple[str, float, bool]] = []
    errors: dict[str, int] = {}
    turn = 0
    start = time.perf_counter()
    measure_from, measure_to = start + warmup, start + warmup + duration

    async def client() -> None:
        nonlocal turn
        while True:
            began = time.perf_counter()
            if began >= measure_to:
                return
            request = requests[order[turn % len(order)]]
            turn += 1
            ok = True
            try:
                await target.send(request)
            except Exception as exc:  # noqa: BLE001 - any failure is an error sample (and fails the run later)
                ok = False
                message = f"{request['kind']} {request['label']!r}: {type(exc).__name__}: {exc}"[:500]
                errors[message] = errors.get(message, 0) + 1
            if began >= measure_from:
                samples.append((request["kind"], time.perf_counter() - began, ok))

    try:
        await asyncio.gather(*(client() for _ in range(clients)))
    finally:
        await target.close()
    return {**summarise(samples, duration), "error_samples": [f"{n}× {m}" for m, n in list(errors.items())[:5]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix", type=Path, required=True)
    parser.add_argument("--target", choices=["gateway", "direct"], required=True)
    parser.add_argument("--url", help="gateway base URL (target gateway)")
    parser.add_argument("--alias", help="read alias (target direct)")
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    mix = json.loads(args.mix.read_text())

    async def main_async() -> dict[str, Any]:
        target: Target = GatewayTarget(args.url, args.clients) if args.target == "gateway" else DirectTarget(args.alias)
        return await run(target, mix["requests"], mix["sequence"], args.clients, args.warmup, args.duration)

    result = asyncio.run(main_async())
    result.update(target=args.target, clients=args.clients, duration_s=args.duration, warmup_s=args.warmup)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
