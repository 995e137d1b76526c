"""One benchmark run end to end: Elasticsearch, sources, harvest, search, cold start, report."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.coldstart import demo_to_first_search, serve_to_first_search
from bench.harvest import run_harvest
from bench.indices import BASELINE_PREFIX, HARVEST_PREFIX, drop_prefix
from bench.procs import PYTHON, ROOT, child_env, free_port, spawn, stop, wait_http
from bench.report import render, write_sizes
from bench.search import run_search
from biocross.localnode import LocalNode
from indexer.client import make_client
from schemas.settings import EsSettings, Settings

RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class RunOptions:
    """What ``python -m bench run`` was asked to do."""

    records: int
    duration: float
    warmup: float
    levels: list[int]
    profile_duration: float
    demo_total: int | None
    parts: frozenset[str]


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine(es_version: str | None, heap: str) -> dict[str, Any]:
    """What the figures were measured on."""
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_model": cpu_model, "cpus": os.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(), "elasticsearch": es_version, "es_heap": heap}


async def _drop(es_url: str, prefixes: list[str]) -> None:
    es = make_client(EsSettings(url=es_url))
    try:
        for prefix in prefixes:
            dropped = await drop_prefix(es, prefix)
            if dropped:
                _say(f"dropped {len(dropped)} indices of {prefix}-*")
    finally:
        await es.close()


def run(options: RunOptions) -> dict[str, Any]:
    """Run the selected parts; writes ``results-<records>.json``, ``summary.md`` and ``summary-<records>.md``."""
    started = time.monotonic()
    settings = Settings()
    node = LocalNode(settings.local_node)
    _say("starting (or reusing) the local Elasticsearch node")
    status = node.start(log=_say)
    es_url = node.url
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = RESULTS / "logs"
    logs.mkdir(exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    results: dict[str, Any] = {"records": options.records, "command": shlex.join(["python", "-m", "bench", *sys.argv[1:]]),
                               "machine": machine(status.es_version, settings.local_node.heap),
                               "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="biocross-bench-") as tmp:
        work = Path(tmp)
        if "harvest" in options.parts:
            asyncio.run(_drop(es_url, [HARVEST_PREFIX, BASELINE_PREFIX]))
            port = free_port()
            sources = spawn([PYTHON, "-m", "demo.sources", "--total", str(options.records), "--port", str(port),
                             "--crawl-delay", "0"], child_env(), logs / "sources.log")
            try:
                wait_http(f"http://127.0.0.1:{port}/", 120, sources)
                _say(f"harvesting {options.records:,} records from the simulated sources (pid {sources.pid})")
                results["harvest"] = run_harvest(f"http://127.0.0.1:{port}", es_url, work, logs,
                                                 timeout=max(900.0, options.records / 50))
            finally:
                stop(sources)
            h = results["harvest"]
            _say(f"harvest {h['harvest']['records_per_s']:,.0f} rec/s, baseline {h['baseline_bulk']['records_per_s']:,.0f} "
                 f"rec/s, ratio {h['ratio']:.2f}, peak RSS {h['harvest']['peak_rss_mb']} MiB")
            asyncio.run(_drop(es_url, [BASELINE_PREFIX]))
        if "search" in options.parts:
            _say(f"search: {options.levels} clients × (gateway, direct), {options.duration:.0f} s each")
            results["search"] = run_search(es_url, work, logs, RESULTS, options.levels, options.duration,
                                           options.warmup, options.records, options.profile_duration)
        if "coldstart" in options.parts:
            _say("cold start: biocross serve")
            results["coldstart"] = {"serve": serve_to_first_search(es_url, logs)}
            if options.demo_total:
                _say(f"cold start: biocross demo --total {options.demo_total}")
                results["coldstart"]["demo"] = demo_to_first_search(es_url, logs, options.demo_total, timeout=600)
            else:
                results["coldstart"]["demo"] = {"skipped": "--demo-total 0"}
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["total_seconds"] = round(time.monotonic() - started, 1)
    (RESULTS / f"results-{options.records}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    summary = render(results) + "\n"
    (RESULTS / f"summary-{options.records}.md").write_text(summary)
    (RESULTS / "summary.md").write_text(summary)
    write_sizes(RESULTS)
    _say(f"done in {results['total_seconds']:.0f} s: bench/results/summary.md, "
         f"bench/results/results-{options.records}.json")
    return results
