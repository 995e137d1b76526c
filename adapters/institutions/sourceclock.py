"""Paged JSON APIs that state their own clock in the body (``generated_at``), not only in ``Date``.

An incremental harvest asks for records changed since the previous run started. The JSON toolkit
takes that moment from the HTTP ``Date`` header; a source whose ``updated_at`` values run on another
clock (a replica behind a cache, a catalog whose timestamps come from its database server, the
simulated sources of the demo) must be asked in *its* time, or an incremental harvest finds nothing.
``SourceClockJsonAdapter`` reads the clock from the first page's body at ``clock_path`` and uses it
for the next run's ``updated_since``; without it in the page, the ``Date`` header is kept.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from pydantic import Field
from typing_extensions import override

from adapters.events import HarvestItem
from adapters.mapping import lookup
from adapters.toolkits.jsonapi import JsonApiAdapter, JsonApiConfig
from schemas.harvest import Checkpoint


def parse_clock(value: object) -> datetime | None:
    """An aware datetime from an ISO 8601 clock value (``Z`` accepted), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class SourceClockJsonConfig(JsonApiConfig):
    """A paged JSON API whose pages state the source's clock."""

    clock_path: str = Field(
        "generated_at", description="Where a page gives the source's current time (ISO 8601)."
    )


class SourceClockJsonAdapter(JsonApiAdapter):
    """A JSON API adapter whose incremental checkpoints are in the source's own clock."""

    name = "jsonapi-sourceclock"
    config_model = SourceClockJsonConfig
    config: SourceClockJsonConfig

    _clock: str | None = None

    @override
    def records(self, page: Any) -> list[Any]:
        """The page's records; the first page's clock is remembered as this run's start."""
        if self._clock is None and isinstance(page, dict):
            found = lookup(page, self.config.clock_path)
            if found and (when := parse_clock(found[0])) is not None:
                self._clock = when.isoformat()
        return super().records(page)

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        """The toolkit's harvest with every checkpoint moved to the source's clock."""
        # A resumed run keeps the start of the run it resumes.
        self._clock = checkpoint.extra.get("started") if checkpoint else None
        async for item in super().harvest(checkpoint):
            if isinstance(item, Checkpoint) and self._clock is not None:
                if item.extra:
                    item = item.model_copy(update={"extra": {**item.extra, "started": self._clock}})
                else:
                    item = item.model_copy(update={"datestamp": datetime.fromisoformat(self._clock)})
            yield item
