"""Harvest orchestration: adapters (``adapters``) → writer (``indexer``), several sources at once.

This is composition-root code: the only place that knows both packages. Each adapter's events are
fed to its own ``HarvestWriter``; one failing source never stops the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.events import CheckpointAdvanced, HarvestFinished, RecordDeleted, RecordRejected, ResourceMapped
from adapters.http import HttpClient
from adapters.registry import Registry
from indexer.sources import SourceStateError
from indexer.writer import HarvestWriter
from schemas import logcontext
from schemas.harvest import HarvestMode, RunRecord
from schemas.settings import HarvestSettings, Settings

log = logging.getLogger(__name__)

Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class SourceSpec:
    """One configured source to harvest."""

    name: str
    config: AdapterConfig


async def harvest_source(es: AsyncElasticsearch, prefix: str, registry: Registry, http: HttpClient, spec: SourceSpec,
                         mode: HarvestMode, *, chunk_size: int = 1000, safety_valve: float = 0.3,
                         progress: Progress | None = None, policy: HarvestSettings | None = None) -> RunRecord:
    """Harvest one source end to end; returns its run record. Never raises for source failures."""
    adapter = registry.build(spec.name, spec.config, http)
    writer = HarvestWriter(es, prefix, spec.name, adapter.institution, mode, run_id=adapter.run(mode).run_id,
                           chunk_size=chunk_size, safety_valve=safety_valve, policy=policy)
    with logcontext.bound(adapter=spec.name, run_id=writer.run_id):
        return await _harvest_with(writer, adapter, spec, progress)


async def _harvest_with(writer: HarvestWriter, adapter: Adapter[Any], spec: SourceSpec,
                        progress: Progress | None) -> RunRecord:
    runner = adapter.run(writer.mode)
    finished: HarvestFinished | None = None
    tick = 0
    try:
        await writer.begin()
        start = writer.resume_from or (writer.previous_checkpoint if writer.mode is HarvestMode.INCREMENTAL else None)
        runner = adapter.run(writer.mode, start, run_id=writer.run_id)
        async for event in runner:
            if isinstance(event, ResourceMapped):
                await writer.add(event.resource)
            elif isinstance(event, RecordRejected):
                await writer.reject(event.rejection)
            elif isinstance(event, RecordDeleted):
                await writer.delete(event.deletion)
            elif isinstance(event, CheckpointAdvanced):
                await writer.checkpoint(event.checkpoint)
            elif isinstance(event, HarvestFinished):
                finished = event
            tick += 1
            if progress and tick % 500 == 0:
                progress(spec.name, {**runner.stats.as_dict(), "indexed": writer.counts.indexed})
    except Exception as exc:  # noqa: BLE001 - Elasticsearch failing mid-run: record the run as failed, keep others going
        log.error("[%s] harvest aborted: %s: %s", spec.name, type(exc).__name__, exc)
        writer.error_kind = "config" if isinstance(exc, SourceStateError) else "internal"
        run = writer.run_doc("failed", stats=runner.stats.as_dict())
        run["errors"] = f"{type(exc).__name__}: {exc}"
        try:
            await writer.store.save_run(run)
        except Exception as store_exc:  # noqa: BLE001 - Elasticsearch may be the thing that is down
            log.warning("[%s] could not record the failed run: %s", spec.name, type(store_exc).__name__)
        await writer.tidy()
        return run
    assert finished is not None
    error = str(finished.error) if finished.error else None
    run = await writer.finish(ok=finished.ok and not finished.truncated, checkpoint=finished.checkpoint,
                              stats=finished.stats.as_dict(), error=error,
                              error_kind=finished.error.kind if finished.error else None)
    if progress:
        progress(spec.name, {**finished.stats.as_dict(), "indexed": writer.counts.indexed, "outcome": run["outcome"]})
    return run


async def harvest_all(es: AsyncElasticsearch, prefix: str, registry: Registry, specs: Iterable[SourceSpec],
                      mode: HarvestMode, *, concurrency: int = 3, chunk_size: int = 1000, safety_valve: float = 0.3,
                      progress: Progress | None = None, policy: HarvestSettings | None = None) -> list[RunRecord]:
    """Harvest several sources concurrently (bounded); one run record per source, in order."""
    gate = asyncio.Semaphore(concurrency)
    async with HttpClient() as http:
        async def one(spec: SourceSpec) -> RunRecord:
            async with gate:
                return await harvest_source(es, prefix, registry, http, spec, mode, chunk_size=chunk_size,
                                            safety_valve=safety_valve, progress=progress, policy=policy)

        return list(await asyncio.gather(*(one(s) for s in specs)))


def _worker_env(settings: Settings) -> dict[str, str]:
    """The worker's environment: ours, plus the Elasticsearch settings this process actually uses
    (the demo and tests change them in-process). Secrets travel in the environment, never in argv."""
    es = settings.es
    env = {**os.environ, "BIOCROSS_ES_URL": es.url, "BIOCROSS_ES_INDEX_PREFIX": es.index_prefix}
    if es.api_key is not None:
        env["BIOCROSS_ES_API_KEY"] = es.api_key.get_secret_value()
    if es.username is not None and es.password is not None:
        env["BIOCROSS_ES_USERNAME"], env["BIOCROSS_ES_PASSWORD"] = es.username, es.password.get_secret_value()
    return env


def _failed_run(name: str, error: str) -> RunRecord:
    now = datetime.now(UTC).isoformat()
    return {"run_id": None, "source": name, "outcome": "failed", "mode": None, "started_at": now, "finished_at": now,
            "seen": 0, "indexed": 0, "unchanged": 0, "rejected": 0, "withdrawn": 0, "deleted": 0, "errors": error}


async def harvest_in_processes(settings: Settings, adapters_toml: str, names: list[str], mode: HarvestMode, *,
                               workers: int = 2, progress: Progress | None = None,
                               origin: str = "adapters.toml") -> list[RunRecord]:
    """Harvest each source in its own process, at most ``workers`` at once (mapping and text analysis
    are CPU-bound Python: processes use every core). One run record per source, in order."""
    gate = asyncio.Semaphore(max(1, workers))
    env = _worker_env(settings)

    async def one(name: str) -> RunRecord:
        job = {"toml": adapters_toml, "origin": origin, "name": name, "mode": str(mode),
               "chunk_size": settings.harvest.bulk_chunk, "safety_valve": settings.harvest.safety_valve}
        async with gate:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "biocross.harvest_worker", env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, limit=2**24)
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(job).encode())
            await proc.stdin.drain()
            proc.stdin.close()
            run: RunRecord | None = None
            async for line in proc.stdout:
                message = json.loads(line)
                if message["type"] == "progress" and progress is not None:
                    progress(message["name"], message["stats"])
                elif message["type"] == "run":
                    run = message["run"]
            code = await proc.wait()
        if run is None:
            log.error("[%s] harvest worker exited with code %s and no run record", name, code)
            return _failed_run(name, f"harvest worker exited with code {code}")
        return run

    return list(await asyncio.gather(*(one(name) for name in names)))


class ConsoleProgress:
    """Live per-adapter progress with rich on a terminal; plain log lines otherwise."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.live = sys.stderr.isatty()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ConsoleProgress:
        if self.live:
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = RichProgress(SpinnerColumn(), TextColumn("[bold]{task.fields[name]:<14}"),
                                          TextColumn("{task.fields[line]}"), TimeElapsedColumn(), transient=False)
            self._progress.__enter__()
            for name in self.names:
                self._tasks[name] = self._progress.add_task(name, name=name, line="waiting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, name: str, stats: dict[str, Any]) -> None:
        elapsed = max(1e-3, _elapsed(stats))
        line = (f"seen {stats['seen']:>8,}  indexed {stats.get('indexed', 0):>8,}  rejected {stats['rejected']:>6,}  "
                f"deleted {stats['deleted']:>5,}  errors {stats['errors']}  {stats['seen'] / elapsed:,.0f} rec/s"
                + (f"  → {stats['outcome']}" if "outcome" in stats else ""))
        if self._progress is not None:
            self._progress.update(self._tasks[name], line=line)
        else:
            print(f"[{name}] {line}", file=sys.stderr, flush=True)


def _elapsed(stats: dict[str, Any]) -> float:
    started = datetime.fromisoformat(stats["started_at"])
    finished = datetime.fromisoformat(stats["finished_at"]) if stats.get("finished_at") else datetime.now(UTC)
    return (finished - started).total_seconds()
