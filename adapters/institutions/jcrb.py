"""NIBIOHN JCRB Cell Bank: a paged JSON API (RFC 8288 ``Link`` paging) plus a deleted-records feed.

The resources endpoint only lists live records; withdrawals are published separately at
``endpoints.deleted`` (``GET ...?since=ISO`` → ``{"items": [{"jcrb_no", "deleted_at"}]}``). An
incremental harvest therefore asks both: changed records by ``updated_since`` and deletions since
the same moment. A full harvest needs no deletions (it rebuilds the whole catalog).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC

import orjson
from pydantic import Field, model_validator
from typing_extensions import override

from adapters.errors import ProtocolError
from adapters.events import HarvestItem
from adapters.institutions.sourceclock import SourceClockJsonAdapter, SourceClockJsonConfig, parse_clock
from schemas.harvest import Checkpoint, Deletion


class JcrbConfig(SourceClockJsonConfig):
    """The JCRB API: ``endpoint`` lists resources, ``endpoints.deleted`` the withdrawn ones."""

    deleted_since_param: str = Field("since", description="Query parameter of the deleted feed.")
    deleted_records_path: str = Field("items", description="Where the deleted feed lists its items.")
    deleted_catalog_id: str = Field("jcrb_no", description="Field of a deleted item holding its catalog id.")
    deleted_at_field: str = Field("deleted_at", description="Field of a deleted item holding its deletion time.")

    @model_validator(mode="after")
    def _feed(self) -> JcrbConfig:
        if "deleted" not in self.endpoints:
            raise ValueError("endpoints.deleted (the deleted-records feed URL) is required")
        return self


class JcrbAdapter(SourceClockJsonAdapter):
    """Harvests the JCRB Cell Bank API; incremental runs also read the deleted-records feed."""

    name = "jcrb"
    config_model = JcrbConfig
    config: JcrbConfig
    supports_incremental = True

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        final: Checkpoint | None = None
        async for item in super().harvest(checkpoint):
            if isinstance(item, Checkpoint) and not item.extra:
                final = item  # the run's last checkpoint: deletions go before it
                continue
            yield item
        if checkpoint is not None and checkpoint.datestamp is not None:
            for deletion in await self.deletions_since(checkpoint):
                yield deletion
        if final is not None:
            yield final

    async def deletions_since(self, checkpoint: Checkpoint) -> list[Deletion]:
        """Records the feed says were withdrawn at or after the checkpoint's datestamp."""
        assert checkpoint.datestamp is not None
        since = checkpoint.datestamp.astimezone(UTC).strftime(self.config.updated_since_format)
        url = self.config.endpoints["deleted"]
        resp, body = await self.http.fetch(url, self.policy, params={self.config.deleted_since_param: since})
        try:
            page = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ProtocolError(f"deleted feed: invalid JSON: {exc}", adapter=self.source, url=resp.url) from exc
        items = page.get(self.config.deleted_records_path) if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise ProtocolError(f"deleted feed: no list at {self.config.deleted_records_path!r}",
                                adapter=self.source, url=resp.url)
        out = []
        for item in items:
            catalog_id = item.get(self.config.deleted_catalog_id) if isinstance(item, dict) else None
            if not isinstance(catalog_id, str) or not catalog_id.strip():
                self.warn("deleted_record_without_id")
                continue
            out.append(self.deletion(catalog_id.strip(), parse_clock(item.get(self.config.deleted_at_field))))
        return out
