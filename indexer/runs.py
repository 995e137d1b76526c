"""The lifecycle of harvest runs and generations: accept, supersede, close stale runs, drop leftovers.

A *held* run (stopped by the safety valve) may be accepted only while it is still the newest run of
its source, the source has not published since it was held, and it has not expired: accepting an
older run would roll the source back. A held run that a later run supersedes is marked
``superseded`` and its generation dropped. A ``running`` run whose process died (no heartbeat for
``stale_after``) is closed as ``failed``. Every generation that is neither live, nor the previous
live one (kept for a grace period), nor the generation of a run still running, resumable or
acceptable, is dropped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from indexer.errors import IndexerError, RunNotFoundError
from indexer.names import resources_index_pattern
from indexer.publish import live_generation, publish_generation
from indexer.store import HarvestStore

log = logging.getLogger(__name__)
HISTORY = 200


class AcceptRefusedError(IndexerError, ValueError):
    """``biocross harvest --accept`` must not publish this run; the message says why and what to do."""


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def held_expired(run: dict[str, Any], now: datetime | None = None) -> bool:
    """Whether a held run is past its acceptance window."""
    expires = _when(run.get("expires_at"))
    return expires is not None and (now or datetime.now(UTC)) >= expires


async def close_stale_runs(store: HarvestStore, source: str, *, stale_after: timedelta,
                           keep: set[str] | None = None) -> list[str]:
    """Close the ``running`` runs of ``source`` that show no sign of life; returns their ids."""
    now = datetime.now(UTC)
    closed = []
    for run in await store.recent_runs(source, size=HISTORY):
        if run.get("outcome") != "running" or run["run_id"] in (keep or set()):
            continue
        alive = _when(run.get("heartbeat_at")) or _when(run.get("started_at")) or now
        if now - alive < stale_after:
            continue
        run.update(outcome="failed", finished_at=now.isoformat(),
                   errors=((run.get("errors") or "") + "\n" if run.get("errors") else "")
                   + f"abandoned: no sign of life since {alive.isoformat()} (the harvest process ended without "
                     "finishing); closed by a later run")
        await store.save_run(run)
        closed.append(run["run_id"])
        log.warning("[%s] closed abandoned run %s", source, run["run_id"])
    return closed


async def supersede_held(store: HarvestStore, source: str, by_run: str) -> list[str]:
    """Mark every held run of ``source`` other than ``by_run`` superseded; returns their ids."""
    done = []
    for run in await store.recent_runs(source, size=HISTORY):
        if run.get("outcome") == "held" and run["run_id"] != by_run:
            run.update(outcome="superseded", superseded_by=by_run,
                       errors=(run.get("errors") or "") + f"\nsuperseded by run {by_run}; can no longer be accepted")
            await store.save_run(run)
            done.append(run["run_id"])
    return done


async def cleanup_generations(es: AsyncElasticsearch, prefix: str, source: str, *,
                              stale_after: timedelta = timedelta(minutes=30)) -> list[str]:
    """Drop the generations of ``source`` nothing needs any more; returns the dropped index names."""
    store = HarvestStore(es, prefix)
    resp = await es.options(ignore_status=404).indices.get(index=resources_index_pattern(prefix, source),
                                                          expand_wildcards="open")
    if resp.meta.status != 200 or not resp.body:
        return []
    live = await live_generation(es, prefix, source)
    keep = {live} if live else set()
    _done, in_flight = await store.checkpoint(source)
    if in_flight and in_flight.get("index"):
        keep.add(in_flight["index"])
    runs = await store.recent_runs(source, size=HISTORY)
    now = datetime.now(UTC)
    newest = runs[0]["run_id"] if runs else None
    grace_taken = False
    for run in runs:
        outcome, index = run.get("outcome"), run.get("index")
        if outcome == "running":
            alive = _when(run.get("heartbeat_at")) or _when(run.get("started_at")) or now
            if now - alive < stale_after and index:
                keep.add(index)
        elif outcome == "held" and run["run_id"] == newest and not held_expired(run, now) and index:
            keep.add(index)
        elif outcome == "published" and index == live and run.get("live_index") and not grace_taken:
            keep.add(run["live_index"])  # the previous generation, kept one run for a grace period
            grace_taken = True
    dropped = []
    by_index: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_index.setdefault(str(run.get("index")), []).append(run)
    for name in sorted(resp.body):
        if name in keep:
            continue
        await es.options(ignore_status=404).indices.delete(index=name)
        dropped.append(name)
        for run in by_index.get(name, []):
            if not run.get("index_dropped") and run.get("outcome") != "published":
                run["index_dropped"] = True
                await store.save_run(run)
    if dropped:
        log.info("[%s] dropped %d leftover generation(s)", source, len(dropped))
    return dropped


async def accept_run(es: AsyncElasticsearch, prefix: str, run_id: str, *,
                     max_age: timedelta | None = None) -> dict[str, Any]:
    """Publish a generation the safety valve held back (``biocross harvest --accept RUN_ID``).

    Raises ``RunNotFoundError`` for an unknown run or a vanished generation, ``AcceptRefusedError`` when
    publishing it now would lose newer data (superseded, source published since, expired)."""
    store = HarvestStore(es, prefix)
    run = await store.get_run(run_id)
    if run is None:
        raise RunNotFoundError(f"no harvest run {run_id!r}")
    source = run["source"]
    fresh = f"harvest it anew: `biocross harvest --full {source}`"
    if run["outcome"] == "superseded":
        raise AcceptRefusedError(f"run {run_id} was superseded by run {run.get('superseded_by')}; accepting it would roll "
                                 f"{source} back to an older catalog. Review the newer run, or {fresh}")
    if run["outcome"] != "held":
        raise AcceptRefusedError(f"run {run_id} is {run['outcome']}, not held; nothing to accept")
    [newest] = await store.recent_runs(source, size=1)
    if newest["run_id"] != run_id:
        raise AcceptRefusedError(
            f"run {run_id} is no longer the newest run of {source}: run {newest['run_id']} ({newest['outcome']}, "
            f"started {newest['started_at']}) came after it, and accepting the older one would roll {source} back. "
            f"Review run {newest['run_id']} instead, or {fresh}")
    live = await live_generation(es, prefix, source)
    if live != run.get("live_index"):
        raise AcceptRefusedError(
            f"{source} has published since run {run_id} was held (live generation {live}, held against "
            f"{run.get('live_index')}); accepting it would roll {source} back. {fresh[0].upper()}{fresh[1:]}")
    now = datetime.now(UTC)
    expired = held_expired(run, now) or (
        max_age is not None and (_when(run.get("finished_at")) or now) + max_age <= now)
    if expired:
        raise AcceptRefusedError(f"run {run_id} was held at {run.get('finished_at')} and has expired (the source may "
                                 f"have changed since); {fresh}")
    if not await es.indices.exists(index=run["index"]):
        raise RunNotFoundError(f"the generation of run {run_id} ({run['index']}) no longer exists; {fresh}")
    await publish_generation(es, prefix, source, run["index"])
    run.update(outcome="published", accepted_at=now.isoformat(),
               errors=(run.get("errors") or "") + "\naccepted by an operator")
    await store.save_run(run)
    await cleanup_generations(es, prefix, source)
    return run
