"""Harvest orchestration: adapters (``adapters``) → writer (``indexer``), several sources at once.

This is composition-root code: the only place that knows both packages. Each adapter's events are
fed to its own ``HarvestWriter``; one failing source never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from adapters.config import AdapterConfig
from adapters.events import CheckpointAdvanced, HarvestFinished, RecordDeleted, RecordRejected, ResourceMapped
from adapters.http import HttpClient
from adapters.registry import Registry
from indexer.writer import HarvestWriter
from schemas.harvest import HarvestMode

log = logging.getLogger(__name__)

Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class SourceSpec:
    """One configured source to harvest."""

    name: str
    config: AdapterConfig


async def harvest_source(es: AsyncElasticsearch, prefix: str, registry: Registry, http: HttpClient, spec: SourceSpec,
                         mode: HarvestMode, *, chunk_size: int = 1000, safety_valve: float = 0.3,
                         progress: Progress | None = None) -> dict[str, Any]:
    """Harvest one source end to end; returns its run record. Never raises for source failures."""
    adapter = registry.build(spec.name, spec.config, http)
    writer = HarvestWriter(es, prefix, spec.name, adapter.institution, mode, run_id=adapter.run(mode).run_id,
                           chunk_size=chunk_size, safety_valve=safety_valve)
    runner = adapter.run(mode)
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
        run = writer.run_doc("failed", stats=runner.stats.as_dict())
        run["errors"] = f"{type(exc).__name__}: {exc}"
        try:
            await writer.store.save_run(run)
        except Exception as store_exc:  # noqa: BLE001 - Elasticsearch may be the thing that is down
            log.warning("[%s] could not record the failed run: %s", spec.name, type(store_exc).__name__)
        return run
    assert finished is not None
    error = str(finished.error) if finished.error else None
    run = await writer.finish(ok=finished.ok and not finished.truncated, checkpoint=finished.checkpoint,
                              stats=finished.stats.as_dict(), error=error)
    if progress:
        progress(spec.name, {**finished.stats.as_dict(), "indexed": writer.counts.indexed, "outcome": run["outcome"]})
    return run


async def harvest_all(es: AsyncElasticsearch, prefix: str, registry: Registry, specs: Iterable[SourceSpec],
                      mode: HarvestMode, *, concurrency: int = 3, chunk_size: int = 1000, safety_valve: float = 0.3,
                      progress: Progress | None = None) -> list[dict[str, Any]]:
    """Harvest several sources concurrently (bounded); one run record per source, in order."""
    gate = asyncio.Semaphore(concurrency)
    async with HttpClient() as http:
        async def one(spec: SourceSpec) -> dict[str, Any]:
            async with gate:
                return await harvest_source(es, prefix, registry, http, spec, mode, chunk_size=chunk_size,
                                            safety_valve=safety_valve, progress=progress)

        return list(await asyncio.gather(*(one(s) for s in specs)))


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
    from datetime import UTC, datetime

    started = datetime.fromisoformat(stats["started_at"])
    finished = datetime.fromisoformat(stats["finished_at"]) if stats.get("finished_at") else datetime.now(UTC)
    return (finished - started).total_seconds()
