"""NIES Microbial Culture Collection: an HTML strain list (paged) with one detail page per strain.

Every list row is a record: its cells are read with ``row_fields``, and when the row links to a
detail page (``row_link``), that page's ``fields`` complete it. A row without a link (its strain
number is blank) or whose link is dead (404: a mistyped number) stays a record of its row alone,
so the mapping can reject it with its reason instead of it silently disappearing from the crawl.
robots.txt and its ``Crawl-delay`` are obeyed through the toolkit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin

from pydantic import Field, field_validator
from typing_extensions import override

from adapters.events import RawRecord
from adapters.toolkits.html import (
    HtmlCatalogAdapter,
    HtmlCatalogConfig,
    compile_selector,
    in_order,
    select_links,
    select_texts,
)

_DETAIL_OK = frozenset({200, 404, 410})


class NiesConfig(HtmlCatalogConfig):
    """A strain list whose rows link to detail pages."""

    rows: str = Field(description="Selector of the strain rows of a list page.")
    row_fields: dict[str, str] = Field(description="Raw field → selector inside a row.")
    row_link: str = Field(description="Selector (inside a row) of the link to the strain's detail page.")

    @field_validator("row_fields")
    @classmethod
    def _row_selectors(cls, value: dict[str, str]) -> dict[str, str]:
        for selector in value.values():
            compile_selector(selector)
        return value

    @field_validator("row_link")
    @classmethod
    def _link_selector(cls, value: str) -> str:
        compile_selector(value)
        return value


class NiesAdapter(HtmlCatalogAdapter):
    """Crawls the NIES strain list and merges each row with its detail page."""

    name = "nies"
    config_model = NiesConfig  # type: ignore[assignment]
    config: NiesConfig

    def row_record(self, row: Any, page_url: str) -> tuple[dict[str, Any], str | None]:
        """A row's fields and the absolute URL of its detail page (None without a link)."""
        data: dict[str, Any] = {name: select_texts(row, sel) for name, sel in self.config.row_fields.items()}
        links = select_links(row, self.config.row_link)
        return data, urljoin(page_url, links[0]) if links else None

    async def complete(
        self, data: dict[str, Any], url: str | None, row_id: str, gate: asyncio.Semaphore
    ) -> RawRecord:
        """The row's record completed by its detail page (detail values win where present)."""
        if url is None:
            self.warn("row_without_detail_link")
            return RawRecord({**data, "page_url": None}, source_id=row_id)
        if not await self._allowed(url):
            self.warn("robots_disallowed")
            return RawRecord({**data, "page_url": None}, source_id=url)
        async with gate:
            resp, body = await self.http.fetch(url, self.policy, ok=_DETAIL_OK)
        if resp.status != 200:
            self.warn("detail_page_missing")
            return RawRecord({**data, "page_url": None}, source_id=url)
        detail = self.extract(self.parse_page(resp, body), resp.url)
        merged = {**data, **{k: v for k, v in detail.data.items() if v}}
        return RawRecord(merged, source_id=resp.url)

    @override
    async def page_records(self, doc: Any, page_url: str, gate: asyncio.Semaphore) -> AsyncIterator[RawRecord]:
        """Every row of the list page, completed by its detail page (fetched concurrently, in page order)."""
        rows = [self.row_record(row, page_url) for row in compile_selector(self.config.rows)(doc)]
        async for record in in_order([self.complete(data, link, f"{page_url}#row{n}", gate)
                                      for n, (data, link) in enumerate(rows, 1)]):
            yield record
