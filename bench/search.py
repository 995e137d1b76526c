"""Search benchmark: the gateway's JSON API vs the equivalent queries sent straight to Elasticsearch.

The gateway runs in its own process (``bench.gateway_launcher``), the load in another
(``bench.loadgen``), on loopback; Elasticsearch is the same node for both. See ``bench.querymix`` for
exactly what is compared: the direct side sends the very request the service builds, both answers
are checked to agree before measuring, and any failed request on either side fails the run (no
tables are written from a run with errors). Afterwards a second gateway process is profiled with pyinstrument under
the same mix.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import querymix
from bench.indices import HARVEST_PREFIX
from bench.procs import PYTHON, child_env, free_port, spawn, stop, wait_http
from indexer.analysis.synonyms import SynonymTable
from indexer.client import make_client
from indexer.search.service import SearchService
from schemas.settings import EsSettings

#: Targets of issue 20 (ratios at 8 and at 32 clients; the p95 one at 1,000,000 records and 8 clients).
P50_RATIO_TARGET = 1.2
THROUGHPUT_RATIO_TARGET = 0.8
P95_TARGET_MS_AT_1M = 100.0
#: The bench gateway's time budget per public request (production: ``gateway.search_budget_seconds`` = 2).
BENCH_BUDGET_SECONDS = 60.0
PROFILE_CLIENTS = 8


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


class BenchmarkError(RuntimeError):
    """A benchmark run that cannot be trusted (a failed request, or two sides that disagree)."""


async def _direct_answers(es_url: str, prepared: list[querymix.PreparedRequest]) -> list[Any]:
    """Each entry's direct answer (for a search: the page and its holdings)."""
    es = make_client(EsSettings(url=es_url))
    synonyms = SynonymTable.load()
    alias = f"{HARVEST_PREFIX}-resources"
    answers: list[Any] = []
    try:
        for p in prepared:
            page = await es.search(index=alias, body=p.direct)
            answer: dict[str, Any] = dict(page.body)
            if p.kind != "suggest":
                holdings = await es.search(index=alias, body=querymix.direct_holdings_body(asdict(p), synonyms, page))
                answer["holdings"] = holdings.body
            answers.append(answer)
        return answers
    finally:
        await es.close()


async def _relaxations(es_url: str) -> dict[str, frozenset[int]]:
    """Mix label → the query terms the search service leaves out of that search (none: strict)."""
    es = make_client(EsSettings(url=es_url))
    try:
        service = SearchService(es, HARVEST_PREFIX)
        return {e.label: await service.relaxation(querymix.search_query(list(e.params)))
                for e in querymix.MIX if e.kind != "suggest"}
    finally:
        await es.close()


def verify(base: str, es_url: str, prepared: list[querymix.PreparedRequest]) -> None:
    """Before measuring: each entry's gateway answer and direct answer show the same thing (the same
    entities in the same order, the same suggestions). Raises :class:`BenchmarkError` otherwise."""
    direct = asyncio.run(_direct_answers(es_url, prepared))
    for entry, answer in zip(prepared, direct, strict=True):
        url = f"{base}{entry.path}?{urllib.parse.urlencode(entry.params)}"
        try:
            gateway = _get_json(url)
        except urllib.error.HTTPError as exc:  # a cold cache on a busy machine can miss the time budget once
            if exc.code != 503:
                raise BenchmarkError(f"{entry.kind} {entry.label!r}: the gateway answered {exc.code}") from exc
            time.sleep(2)
            gateway = _get_json(url)
        if entry.kind == "suggest":
            options = [o["text"] for name in sorted(answer["suggest"]) for o in answer["suggest"][name][0]["options"]]
            same = gateway["suggestions"] == list(dict.fromkeys(options))[:querymix.SUGGEST_SIZE]
            seen = gateway["suggestions"]
        else:
            size = querymix.search_query(entry.params).page_size
            keys = [h["_source"]["entity_key"] for h in answer["hits"]["hits"][:size]]
            seen = [g["entity_key"] for g in gateway["groups"]]
            shown = {h["id"] for g in gateway["groups"] for h in g["holdings"]}
            fetched = {h["_source"]["id"] for b in answer["holdings"]["aggregations"]["per_entity"]["buckets"]
                       for h in b["first"]["hits"]["hits"]} | {h["_source"]["id"] for h in answer["hits"]["hits"]}
            same = seen == keys and bool(keys) and shown <= fetched
        if not same:
            raise BenchmarkError(f"{entry.kind} {entry.label!r}: the gateway and the direct request disagree "
                                 f"(gateway {seen[:5]}…); the comparison would not be of the same work")


def _check(result: dict[str, Any], target: str, clients: int) -> dict[str, Any]:
    if result.get("errors") or result.get("error_samples"):
        raise BenchmarkError(f"{target} at {clients} clients: {result.get('errors')} failed requests, e.g. "
                             + "; ".join(result.get("error_samples") or ["(no message)"]))
    return result


def _start_gateway(env: dict[str, str], logs: Path, name: str, profile_dir: Path | None = None) -> tuple[Any, str]:
    port = free_port()
    args = [PYTHON, "-m", "bench.gateway_launcher", "--port", str(port)]
    if profile_dir is not None:
        args += ["--profile-dir", str(profile_dir)]
    proc = spawn(args, env, logs / f"{name}.log")
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/api/search?q=HeLa", 120, proc)
    return proc, base


def _loadgen(mix: Path, target: str, clients: int, duration: float, warmup: float, env: dict[str, str],
             logs: Path, out: Path, base: str | None = None) -> dict[str, Any]:
    args = [PYTHON, "-m", "bench.loadgen", "--mix", str(mix), "--target", target, "--clients", str(clients),
            "--duration", str(duration), "--warmup", str(warmup), "--out", str(out)]
    args += ["--url", base] if target == "gateway" and base else ["--alias", f"{HARVEST_PREFIX}-resources"]
    out.unlink(missing_ok=True)
    proc = spawn(args, env, logs / "loadgen.log")
    code = proc.wait(duration + warmup + 120)
    if code != 0 or not out.exists():
        raise RuntimeError(f"load generator ({target}, {clients} clients) failed with exit {code}; see {logs}/loadgen.log")
    return _check(json.loads(out.read_text()), target, clients)


def _ratios(gateway: dict[str, Any], direct: dict[str, Any]) -> dict[str, float | None]:
    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    return {"p50": div(gateway["p50_ms"], direct["p50_ms"]), "p95": div(gateway["p95_ms"], direct["p95_ms"]),
            "p99": div(gateway["p99_ms"], direct["p99_ms"]),
            "throughput": div(gateway["throughput_rps"], direct["throughput_rps"])}


def run_search(es_url: str, work: Path, logs: Path, results: Path, levels: list[int], duration: float,
               warmup: float, records: int, profile_duration: float) -> dict[str, Any]:
    """Every concurrency level against both targets, then the profile; returns the section of the results."""
    # Closed-loop clients queue up on this one box; the production budget (2 s, then 503) would turn
    # the queueing of 32 clients into load shedding. The bench measures capacity and latency, so the
    # gateway it starts waits as long as the direct client does.
    env = child_env(BIOCROSS_ES_URL=es_url, BIOCROSS_ES_INDEX_PREFIX=HARVEST_PREFIX,
                    BIOCROSS_GATEWAY_SEARCH_BUDGET_SECONDS=str(BENCH_BUDGET_SECONDS))
    gateway, base = _start_gateway(env, logs, "gateway")
    try:
        prepared = querymix.prepare(asyncio.run(_relaxations(es_url)))
        verify(base, es_url, prepared)
        mix = work / "mix.json"
        mix.write_text(querymix.dump(prepared))
        rows: list[dict[str, Any]] = []
        for clients in levels:
            g = _loadgen(mix, "gateway", clients, duration, warmup, env, logs, work / f"gateway-{clients}.json", base)
            d = _loadgen(mix, "direct", clients, duration, warmup, env, logs, work / f"direct-{clients}.json")
            rows.append({"clients": clients, "gateway": g, "direct": d, "ratio": _ratios(g, d)})
    finally:
        stop(gateway)
    profile = run_profile(env, work, logs, results, mix, profile_duration)
    targets: dict[str, Any] = {}
    for row in rows:
        if row["clients"] not in (8, 32, max(levels)):
            continue
        n = row["clients"]
        targets[f"p50_ratio_at_{n}"] = {"value": row["ratio"]["p50"], "target": f"<= {P50_RATIO_TARGET}",
                                        "met": (row["ratio"]["p50"] or 1e9) <= P50_RATIO_TARGET}
        targets[f"throughput_ratio_at_{n}"] = {"value": row["ratio"]["throughput"], "target": f">= {THROUGHPUT_RATIO_TARGET}",
                                               "met": (row["ratio"]["throughput"] or 0) >= THROUGHPUT_RATIO_TARGET}
    at8 = next((r for r in rows if r["clients"] == 8), None)
    if at8 is not None:
        p95 = at8["gateway"]["p95_ms"]
        targets["gateway_p95_ms_at_8"] = {"value": p95, "target": f"<= {P95_TARGET_MS_AT_1M} (at 1,000,000 records)",
                                          "met": p95 is not None and p95 <= P95_TARGET_MS_AT_1M,
                                          "applies": records >= 1_000_000}
    return {"mix": [{"kind": e.kind, "label": e.label, "weight": e.weight, "page": e.page} for e in querymix.MIX],
            "duration_s": duration, "warmup_s": warmup, "levels": rows, "targets": targets, "profile": profile}


def run_profile(env: dict[str, str], work: Path, logs: Path, results: Path, mix: Path, duration: float) -> dict[str, Any]:
    """A fresh gateway under pyinstrument while the load generator runs the mix at ``PROFILE_CLIENTS``."""
    top_file = results / "gateway_profile_top.json"
    top_file.unlink(missing_ok=True)
    gateway, base = _start_gateway(env, logs, "gateway-profiled", profile_dir=results)
    try:
        gateway.send_signal(signal.SIGUSR1)
        load = _loadgen(mix, "gateway", PROFILE_CLIENTS, duration, 0.0, env, logs, work / "gateway-profiled.json", base)
        gateway.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 120
        while not top_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(gateway)
    if not top_file.exists():
        raise RuntimeError(f"the profiled gateway wrote no profile; see {logs}/gateway-profiled.log")
    return {"clients": PROFILE_CLIENTS, "duration_s": duration, "throughput_rps_while_profiled": load["throughput_rps"],
            "files": ["gateway_profile.html", "gateway_profile.txt", "gateway_profile_top.json"],
            "top": json.loads(top_file.read_text())}
