"""Paged JSON API toolkit: offset, page-number, cursor, next-URL and RFC 8288 ``Link`` paging.

One page is in memory at a time (its size is the source's page size). Incremental harvests send
``updated_since_param`` with the checkpoint's datestamp; the next one starts at the server's
``Date`` of this run's first response. Records flagged deleted (``deleted_field``) become Deletions.
Crash resume: mid-run checkpoints carry the next page's URL and parameters.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import override

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError, TruncatedPayloadError
from adapters.events import HarvestItem, RawRecord
from adapters.mapping import lookup
from adapters.paging import (
    CursorPaginator,
    LinkHeaderPaginator,
    NextUrlPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    PageRequest,
    Paginator,
    SinglePage,
)
from schemas.harvest import Checkpoint


class Paging(BaseModel):
    """How the API pages."""

    model_config = ConfigDict(extra="forbid")

    style: Literal["offset", "page", "cursor", "next_url", "link", "none"] = Field("offset")
    page_size: int = Field(100, ge=1, le=10_000, description="Records per page requested.")
    size_param: str | None = Field("limit", description="Query parameter carrying the page size.")
    offset_param: str = Field("offset", description="offset style: the offset parameter.")
    page_param: str = Field("page", description="page style: the page-number parameter.")
    first_page: int = Field(1, description="page style: number of the first page.")
    cursor_param: str = Field("cursor", description="cursor style: the parameter sending the cursor.")
    cursor_path: str = Field("next_cursor", description="cursor style: where the response gives the next cursor.")
    next_path: str = Field("next", description="next_url style: where the response gives the next page URL.")
    total_path: str | None = Field(None, description="Where the response gives the total (stops offset paging).")


def _at(page: Any, path: str | None) -> str | None:
    """The first value at ``path`` of a JSON object page, as text."""
    found = lookup(page, path) if path and isinstance(page, dict) else []
    return str(found[0]) if found else None


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


#: Paging style → its paginator over decoded JSON pages.
PAGINATORS: dict[str, Callable[[Paging], Paginator[Any]]] = {
    "offset": lambda p: OffsetPaginator(p.offset_param, p.page_size, total=lambda page: _count(_at(page, p.total_path))),
    "page": lambda p: PageNumberPaginator(p.page_param, p.page_size, p.first_page),
    "cursor": lambda p: CursorPaginator(p.cursor_param, lambda page: _at(page, p.cursor_path)),
    "next_url": lambda p: NextUrlPaginator(lambda page: _at(page, p.next_path)),
    "link": lambda p: LinkHeaderPaginator(),
    "none": lambda p: SinglePage(),
}


class JsonApiConfig(AdapterConfig):
    """A paged JSON API."""

    records_path: str = Field("", description="Dotted path of the record list in a page ('' = the page is a list).")
    paging: Paging = Field(default_factory=Paging)
    params: dict[str, str] = Field(default_factory=dict, description="Extra query parameters.")
    updated_since_param: str | None = Field(None, description="Parameter for incremental harvests.")
    updated_since_format: str = Field("%Y-%m-%dT%H:%M:%SZ", description="strftime format of that parameter.")
    id_path: str | None = Field(None, description="Field used as the source record id.")
    deleted_field: str | None = Field(None, description="Field flagging deleted records.")
    deleted_values: list[str] = Field(default_factory=lambda: ["true", "deleted", "withdrawn"])
    deleted_id_path: str | None = Field(None, description="Field holding a deleted record's catalog id.")
    max_pages: int = Field(100_000, ge=1, description="Safety stop against paging loops.")


class JsonApiAdapter(Adapter[JsonApiConfig]):
    """Harvests a paged JSON API."""

    name = "jsonapi"
    config_model = JsonApiConfig
    supports_incremental = True

    def records(self, page: Any) -> list[Any]:
        """The records of one decoded page (override for odd envelopes)."""
        if not self.config.records_path:
            found = page
        else:
            found = lookup(page, self.config.records_path) if isinstance(page, dict) else None
        if not isinstance(found, list):
            raise ProtocolError(f"no record list at {self.config.records_path or 'the top level'!r}: "
                                f"{_describe(page, self.config.records_path)}", adapter=self.source)
        return found

    def to_items(self, record: Any) -> list[HarvestItem]:
        """A record as raw record or Deletion (override to split or enrich)."""
        if not isinstance(record, dict):
            return [RawRecord({"value": record})]
        source_id = str(v[0]) if self.config.id_path and (v := lookup(record, self.config.id_path)) else None
        if self.config.deleted_field:
            flag = lookup(record, self.config.deleted_field)
            if flag and str(flag[0]).lower() in self.config.deleted_values:
                path = self.config.deleted_id_path or self.config.id_path
                ident = lookup(record, path) if path else []
                if ident:
                    return [self.deletion(str(ident[0]))]
                self.warn("deleted_record_without_id")
                return []
        return [RawRecord(record, source_id=source_id)]

    def _first_params(self, checkpoint: Checkpoint | None) -> dict[str, str]:
        paging = self.config.paging
        params = dict(self.config.params)
        if paging.size_param and paging.style != "none":
            params[paging.size_param] = str(paging.page_size)
        params = self.paginator.first(PageRequest(self.config.endpoint, params)).params
        if checkpoint and checkpoint.datestamp and self.config.updated_since_param:
            stamp = checkpoint.datestamp.astimezone(UTC).strftime(self.config.updated_since_format)
            params[self.config.updated_since_param] = stamp
        return params

    def next_page(
        self, page: Any, count: int, links: dict[str, str], url: str, params: dict[str, str]
    ) -> tuple[str, dict[str, str]] | None:
        """URL and parameters of the next page, or None on the last (by the configured paginator)."""
        nxt = self.paginator.next(page, PageRequest(url, params), count=count, links=links)
        return (nxt.url, nxt.params) if nxt else None

    @cached_property
    def paginator(self) -> Paginator[Any]:
        """The paginator of the configured paging style (override for an API that pages its own way)."""
        return PAGINATORS[self.config.paging.style](self.config.paging)

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        extra = checkpoint.extra if checkpoint else {}
        url = extra.get("next_url", self.config.endpoint)
        params = orjson.loads(extra["next_params"]) if "next_params" in extra else self._first_params(checkpoint)
        started = extra.get("started")
        paging = self.config.paging
        # Records listed from the start of the list (a resumed offset run starts at its offset; other
        # resumed runs cannot tell, so their count is not checked against the declared total).
        listed: int | None = int(params.get(paging.offset_param, "0")) if paging.style == "offset" else (
            None if extra else 0)
        declared: int | None = None
        for _ in range(self.config.max_pages):
            resp, body = await self.http.fetch(url, self.policy, params=params)
            if started is None:
                started = _server_time(resp.headers.get("Date")).isoformat()
            try:
                page = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise ProtocolError(f"invalid JSON: {exc}", adapter=self.source, url=resp.url) from exc
            records = self.records(page)
            if listed is not None:
                listed += len(records)
            total = lookup(page, paging.total_path) if paging.total_path and isinstance(page, dict) else []
            if total and str(total[0]).isdigit():
                declared = int(total[0])
            for record in records:
                for item in self.to_items(record):
                    yield item
            # The request URL, not resp.url: that one already carries this page's query parameters.
            nxt = self.next_page(page, len(records), dict(resp.links), url, params)
            if nxt is None:
                break
            url, params = nxt
            yield Checkpoint(
                datestamp=checkpoint.datestamp if checkpoint else None,
                extra={"next_url": url, "next_params": orjson.dumps(params).decode(), "started": started},
            )
        else:
            raise ProtocolError(f"more than {self.config.max_pages} pages: paging loop?", adapter=self.source)
        if declared is not None and listed is not None and listed < declared:
            raise TruncatedPayloadError(f"the list ended after {listed} of the {declared} records its "
                                        f"{paging.total_path!r} declared", adapter=self.source, url=url)
        yield Checkpoint(datestamp=datetime.fromisoformat(started) if started else None)


def _server_time(header: str | None) -> datetime:
    if header:
        try:
            return parsedate_to_datetime(header).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC)


def _describe(page: Any, path: str) -> str:
    """What a page holds instead of a record list (for the maintainer fixing ``records_path``)."""
    def shape(value: Any) -> str:
        if isinstance(value, dict):
            keys = ", ".join(list(map(str, value))[:8])
            return f"a JSON object (keys: {keys})" if keys else "an empty JSON object"
        return "a JSON list" if isinstance(value, list) else f"a JSON {type(value).__name__}"

    if not path:
        return f"the page is {shape(page)}, where a list was expected (set records_path)"
    if not isinstance(page, dict):
        return f"the page is {shape(page)}"
    found = lookup(page, path)
    if not found:
        return f"the page is {shape(page)} without {path!r}"
    return f"{path!r} holds {shape(found[0] if len(found) == 1 else found)}"
