"""The usage-events index and its writer: buffered, asynchronous, bulk, and never in a user's way.

Views call :meth:`UsageEventWriter.record`, which only appends to an in-memory buffer. A background
task owned by the application flushes the buffer with one bulk request every ``interval`` seconds or
as soon as ``batch`` events wait, and once more on shutdown. When Elasticsearch is down (or the
buffer is full) events are dropped, counted and logged as a warning: usage statistics are worth less
than a working search.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, AsyncElasticsearch

from indexer.indices import ensure_index
from indexer.names import usage_index
from schemas.search import SearchQuery
from schemas.usage import UsageEvent, UsageEventKind

log = logging.getLogger(__name__)

_KW = {"type": "keyword"}
USAGE_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "kind": _KW, "at": {"type": "date"}, "channel": _KW, "lang": _KW,
        "query": {"type": "keyword", "ignore_above": 1000}, "query_norm": {"type": "keyword", "ignore_above": 1000},
        "query_script": _KW, "filters": _KW, "result_count": {"type": "long"}, "zero_result": {"type": "boolean"},
        "resource_id": _KW, "institution": _KW,
    },
}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
FILTER_FIELDS = ("resource_type", "institution", "species", "availability", "disease", "tissue")



def search_event(query: SearchQuery, result_count: int, *, channel: str, lang: str,
                 at: datetime | None = None) -> UsageEvent:
    """The event of one search (the query text and filters, never who asked)."""
    filters = [f"{name}:{value}" for name in FILTER_FIELDS for value in getattr(query, name)]
    script = "" if not query.q else ("ja" if _JAPANESE.search(query.q) else "latin")
    return UsageEvent(kind=UsageEventKind.SEARCH, at=at or datetime.now(UTC), channel=channel, lang=lang,
                      query=query.q, query_norm=query.q.casefold(), query_script=script, filters=filters,
                      result_count=result_count, zero_result=result_count == 0)


def view_event(resource_id: str, institution: str, *, channel: str, lang: str,
               at: datetime | None = None) -> UsageEvent:
    """The event of one resource detail view."""
    return UsageEvent(kind=UsageEventKind.VIEW, at=at or datetime.now(UTC), channel=channel, lang=lang,
                      resource_id=resource_id, institution=institution)


class UsageEventWriter:
    """Buffers events and writes them in bulk from a background task (:meth:`start` / :meth:`close`)."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, *, interval: float = 1.0, batch: int = 200,
                 max_buffer: int = 10_000, on_error: Callable[[], None] | None = None) -> None:
        self.es = es
        self.index = usage_index(prefix)
        self.interval = interval
        self.batch = batch
        self.max_buffer = max_buffer
        self.on_error = on_error
        self.dropped = 0
        self.written = 0
        self._buffer: deque[UsageEvent] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ready = False
        self._lock = asyncio.Lock()

    def record(self, event: UsageEvent) -> None:
        """Queue ``event``; never blocks and never raises (a full buffer drops the event)."""
        if len(self._buffer) >= self.max_buffer:
            self._drop(1, "buffer full")
            return
        self._buffer.append(event)
        if len(self._buffer) >= self.batch:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Events waiting to be written."""
        return len(self._buffer)

    def start(self) -> None:
        """Start the background flusher (inside the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="usage-event-writer")

    async def close(self) -> None:
        """Stop the flusher and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            await self.flush()

    async def flush(self) -> int:
        """Write every buffered event now; returns how many were written."""
        async with self._lock:
            written = 0
            while self._buffer:
                chunk = [self._buffer.popleft() for _ in range(min(self.batch, len(self._buffer)))]
                written += await self._write(chunk)
            return written

    async def _write(self, chunk: list[UsageEvent]) -> int:
        operations: list[dict[str, Any]] = []
        for event in chunk:
            operations += [{"index": {}}, event.model_dump(mode="json", exclude_none=True)]
        client = self.es.options(request_timeout=5, max_retries=0)
        try:
            if not self._ready:
                await ensure_index(client, self.index, USAGE_MAPPING)
                self._ready = True
            resp = await client.bulk(index=self.index, operations=operations)
        except (TransportError, ApiError) as exc:
            self._drop(len(chunk), type(exc).__name__)
            return 0
        failed = sum(1 for item in resp["items"] if item["index"].get("error")) if resp["errors"] else 0
        if failed:
            self._drop(failed, "rejected by Elasticsearch")
        self.written += len(chunk) - failed
        return len(chunk) - failed

    def _drop(self, count: int, why: str) -> None:
        self.dropped += count
        if why == "buffer full":
            if self.dropped % 1000 != 1:  # one warning per thousand, not one per event
                return
        elif self.on_error is not None:
            self.on_error()
        log.warning("dropped %d usage event(s) (%s); %d dropped so far", count, why, self.dropped)


async def refresh_usage(es: AsyncElasticsearch, prefix: str) -> None:
    """Make written events visible to the dashboard (tests and the CLI; the gateway does not wait)."""
    await es.options(ignore_status=404).indices.refresh(index=usage_index(prefix))
