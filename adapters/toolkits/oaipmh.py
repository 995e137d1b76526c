"""OAI-PMH toolkit: ListRecords with resumption tokens, from/until, sets, deletions, recovery.

* ``noRecordsMatch`` is an empty (incremental) harvest, not a failure;
* ``badResumptionToken`` (expired token, crash resume) restarts ListRecords from the highest
  datestamp seen, skipping the records of that datestamp already delivered: no duplicates. This is
  complete for repositories listing in datestamp order (DSpace, InvenioRDM, OAICat...); a following
  full harvest heals anything an unordered repository could miss;
* other OAI-PMH errors (``badArgument``, ``cannotDisseminateFormat``...) are ``ProtocolError``s.
  Errors sent with HTTP 400/422 (Zenodo does) are read like errors sent with 200;
* several ``sets`` are listed one after the other; a record in an earlier-listed set is skipped in
  later ones (its header names that set), so nothing is delivered twice;
* the next incremental harvest starts at the server's ``responseDate`` of this run's first page;
* a list that ends before the ``completeListSize`` its resumption tokens declared (a page without a
  token in the middle of the list) is a ``TruncatedPayloadError``: the run fails, nothing is withdrawn.

Raw records: ``header.identifier``, ``header.local_id`` (the catalog id part of the identifier, see
``local_id``), ``header.datestamp``, ``header.setSpec`` and the metadata leaves as ``dc:title``,
``dwc:catalogNumber``, ``dc:description@ja`` (with ``xml:lang``)...
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator
from typing_extensions import override

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError, TruncatedPayloadError
from adapters.events import HarvestItem, RawRecord
from adapters.paging import PageRequest, ResumptionTokenPaginator
from adapters.toolkits.oaixml import (
    OaiErrorItem,
    OaiPageEnd,
    OaiRecord,
    parse_datestamp,
    parse_identify,
    parse_oai_page,
)
from adapters.transforms import check_regex
from schemas.harvest import Checkpoint


class OaiPmhConfig(AdapterConfig):
    """An OAI-PMH source."""

    metadata_prefix: str = Field("oai_dc", description="metadataPrefix: oai_dc, dwc (simple Darwin Core), ...")
    sets: list[str] = Field(default_factory=list, description="setSpecs to harvest (empty: the whole repository).")
    until: str | None = Field(None, description="Upper datestamp bound (rarely needed).")
    local_id: str = Field(r"^oai:[^:]+:+(.+)$", description="Regex; group 1 of the identifier is the catalog id.")
    granularity: Literal["auto", "day", "second"] = Field("auto", description="Datestamp granularity (auto: Identify).")
    max_restarts: int = Field(3, ge=0, le=20, description="badResumptionToken restarts before giving up.")
    check_list_size: bool = Field(True, description="Fail a list that ends before its declared completeListSize "
                                  "(turn off only for a repository whose sizes are estimates).")

    @field_validator("local_id")
    @classmethod
    def _compiles(cls, value: str) -> str:
        if re.compile(check_regex(value)).groups < 1:
            raise ValueError("local_id needs one capturing group")
        return value


OK_STATUSES = frozenset({200, 400, 422})
#: ListRecords pages continue by their resumption token.
RESUMPTION: ResumptionTokenPaginator[OaiPageEnd | None] = ResumptionTokenPaginator(lambda end: end.token if end else None)


class _Pass:
    """Bookkeeping of one ListRecords pass (for restarts without duplicates)."""

    def __init__(self, last: datetime | None) -> None:
        self.last = last
        self.boundary: set[str] = set()
        self.restarted = False

    def skip(self, record: OaiRecord) -> bool:
        """After a restart: whether the record was delivered before it (same datestamp, same id)."""
        return self.restarted and record.datestamp == self.last and record.identifier in self.boundary

    def note(self, record: OaiRecord) -> None:
        if record.datestamp is None or record.identifier is None:
            return
        if self.last is None or record.datestamp > self.last:
            self.last, self.boundary = record.datestamp, {record.identifier}
        elif record.datestamp == self.last:
            self.boundary.add(record.identifier)


class OaiPmhAdapter(Adapter[OaiPmhConfig]):
    """Harvests an OAI-PMH repository (oai_dc or simple Darwin Core metadata)."""

    name = "oaipmh"
    config_model = OaiPmhConfig
    supports_incremental = True
    default_mapping: ClassVar[dict[str, Any]] = {
        "catalog_id": "header.local_id",
        "name": ["dwc:catalogNumber", "dc:title"],
        "description.en": {"from": ["dc:description@en", "dc:description"], "transforms": ["html_text"]},
        "description.ja": {"from": "dc:description@ja", "transforms": ["html_text"]},
        "updated": {"from": "header.datestamp", "transforms": ["date"]},
    }

    _identify: dict[str, str] | None = None

    @override
    async def probe(self) -> dict[str, str]:
        """The repository's Identify response."""
        if self._identify is None:
            resp, body = await self.http.fetch(self.config.endpoint, self.policy, params={"verb": "Identify"}, ok=OK_STATUSES)
            self._identify = parse_identify(body, adapter=self.source, url=resp.url)
        return self._identify

    async def _day_granularity(self) -> bool:
        if self.config.granularity != "auto":
            return self.config.granularity == "day"
        return (await self.probe()).get("granularity", "YYYY-MM-DD") == "YYYY-MM-DD"

    def _stamp(self, when: datetime, day: bool) -> str:
        return when.strftime("%Y-%m-%d") if day else when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def to_raw(self, record: OaiRecord) -> RawRecord:
        """The raw record of one OAI record (override to add derived fields)."""
        ident = record.identifier or ""
        m = re.match(self.config.local_id, ident)
        data: dict[str, Any] = {
            "header.identifier": ident, "header.local_id": m.group(1) if m else ident,
            "header.datestamp": record.datestamp.isoformat() if record.datestamp else None,
            "header.setSpec": record.sets, **record.metadata,
        }
        return RawRecord(data, source_id=record.identifier, datestamp=record.datestamp)

    def _check_complete(self, listed: int, declared: int | None, base: int | None, restarts: int,
                        set_spec: str | None) -> None:
        """A list shorter than its declared size was cut off (a cursor of 0 on a resumed page is no offset)."""
        if not self.config.check_list_size or declared is None or restarts or base is None or base < 0:
            return
        if base + listed < declared:
            where = f" of set {set_spec}" if set_spec else ""
            raise TruncatedPayloadError(
                f"the list{where} ended after {base + listed} of the {declared} records its completeListSize declared "
                "(a page without a resumption token before the end)", adapter=self.source, url=self.config.endpoint)

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        cp = checkpoint or Checkpoint()
        day = await self._day_granularity()
        sets: list[str | None] = list(self.config.sets) or [None]
        first_set = int(cp.extra.get("set_index", "0"))
        state = {"response_date": cp.extra.get("response_date", "")}
        token = cp.resumption_token
        for index in range(first_set, len(sets)):
            last = parse_datestamp(cp.extra.get("last_datestamp")) if token else None
            async for item in self._list(sets, index, cp.datestamp, token, last, day, state):
                yield item
            token = None
        final = parse_datestamp(state["response_date"]) or cp.datestamp
        yield Checkpoint(datestamp=final)

    async def _list(
        self, sets: list[str | None], index: int, since: datetime | None, token: str | None,
        last: datetime | None, day: bool, state: dict[str, str],
    ) -> AsyncGenerator[HarvestItem, None]:
        set_spec, earlier = sets[index], {s for s in sets[:index] if s}
        current = _Pass(last)
        restarts = 0
        listed = 0
        declared: int | None = None
        base: int | None = None if token else 0
        while True:
            if token:
                params = RESUMPTION.resume(self.config.endpoint, token).params
            else:
                params = {"verb": "ListRecords", "metadataPrefix": self.config.metadata_prefix}
                start = current.last or since
                if start is not None:
                    params["from"] = self._stamp(start, day)
                if self.config.until:
                    params["until"] = self.config.until
                if set_spec:
                    params["set"] = set_spec
            end: OaiPageEnd | None = None
            restart = False
            pages = self.http.replay(
                self.config.endpoint, self.policy, lambda r: parse_oai_page(r, adapter=self.source),
                params=params, ok=OK_STATUSES,
            )
            async with aclosing(pages) as items:
                async for item in items:
                    if isinstance(item, OaiRecord):
                        listed += 1
                        if current.skip(item) or earlier.intersection(item.sets):
                            continue
                        current.note(item)
                        if item.deleted:
                            if item.identifier:
                                yield self.deletion(self.to_raw(item).data["header.local_id"], item.datestamp)
                            else:
                                self.warn("deleted_header_without_identifier")
                        else:
                            yield self.to_raw(item)
                    elif isinstance(item, OaiErrorItem):
                        if item.code == "noRecordsMatch":
                            continue
                        if item.code == "badResumptionToken" and token and restarts < self.config.max_restarts:
                            restarts += 1
                            self.stats.errors += 1
                            restart = True
                            continue
                        raise ProtocolError(f"OAI-PMH error {item.code}: {item.message}", adapter=self.source,
                                            url=self.config.endpoint)
                    else:
                        end = item
            if restart:
                token, current.restarted = None, True
                continue
            if end is not None and end.response_date and not state["response_date"]:
                state["response_date"] = end.response_date.isoformat()
            if end is not None and end.complete_list_size is not None:
                declared = end.complete_list_size
                if base is None:  # resumed mid-list: the first page's cursor says where
                    base = end.cursor if end.cursor else -1
            nxt = RESUMPTION.next(end, PageRequest(self.config.endpoint, params), count=listed, links={})
            token = nxt.params["resumptionToken"] if nxt else None
            if not token:
                self._check_complete(listed, declared, base, restarts, set_spec)
                return
            yield Checkpoint(
                datestamp=since, resumption_token=token,
                extra={"set_index": str(index), "response_date": state["response_date"],
                       **({"last_datestamp": current.last.isoformat()} if current.last else {})},
            )
