"""A small but faithful OAI-PMH repository (aiohttp app) for tests, contract fixtures and benchmarks.

Serves Identify and ListRecords (oai_dc or simple Darwin Core) with resumption tokens, from/until,
sets, deleted records, and injectable faults: a badResumptionToken for chosen pages, ``503`` with
``Retry-After``, a connection dropped mid-page. Records can be a lazy sequence (200,000 in the
benchmark are generated on the fly); the body is written record by record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
DC_OPEN = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/">')
DWC_OPEN = ('<sdwc:SimpleDarwinRecordSet xmlns:sdwc="http://rs.tdwg.org/dwc/xsd/simpledarwincore/" '
            'xmlns:dwc="http://rs.tdwg.org/dwc/terms/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<sdwc:SimpleDarwinRecord>')


@dataclass
class SampleRecord:
    """One record: ``fields`` maps ``dc:title`` / ``dwc:catalogNumber`` (or ``key@lang``) to values."""

    identifier: str
    datestamp: datetime
    fields: dict[str, list[str]] = field(default_factory=dict)
    sets: list[str] = field(default_factory=list)
    deleted: bool = False


def _stamp(when: datetime, day: bool) -> str:
    return when.strftime("%Y-%m-%d") if day else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_record(record: SampleRecord, prefix: str, day: bool) -> str:
    """The ``<record>`` XML of one sample record."""
    sets = "".join(f"<setSpec>{escape(s)}</setSpec>" for s in record.sets)
    status = ' status="deleted"' if record.deleted else ""
    header = (f"<header{status}><identifier>{escape(record.identifier)}</identifier>"
              f"<datestamp>{_stamp(record.datestamp, day)}</datestamp>{sets}</header>")
    if record.deleted:
        return f"<record>{header}</record>"
    parts: list[str] = []
    for key, values in record.fields.items():
        name, _, lang = key.partition("@")
        attr = f" xml:lang={quoteattr(lang)}" if lang else ""
        parts.extend(f"<{name}{attr}>{escape(v)}</{name}>" for v in values)
    if prefix == "oai_dc":
        body = f"{DC_OPEN}{''.join(parts)}</oai_dc:dc>"
    else:
        body = f"{DWC_OPEN}{''.join(parts)}</sdwc:SimpleDarwinRecord></sdwc:SimpleDarwinRecordSet>"
    return f"<record>{header}<metadata>{body}</metadata></record>"


@dataclass
class OaiRepository:
    """The repository's state and fault switches; ``app()`` serves it."""

    records: Sequence[SampleRecord]
    page_size: int = 50
    day_granularity: bool = True
    prefixes: tuple[str, ...] = ("oai_dc", "dwc")
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    bad_token_pages: set[int] = field(default_factory=set)
    fail_503: int = 0
    retry_after: str = "1"
    drop_page_once: int | None = None
    truncate_page: int | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    error_status: int = 200

    def app(self) -> web.Application:
        """The aiohttp application serving ``/oai``."""
        app = web.Application()
        app.router.add_get("/oai", self.handle)
        return app

    def _error(self, code: str, message: str) -> web.Response:
        body = (f'{HEAD}<responseDate>{_stamp(self.now, False)}</responseDate><request>x</request>'
                f'<error code="{code}">{escape(message)}</error></OAI-PMH>')
        return web.Response(text=body, content_type="text/xml", status=self.error_status)

    def _select(self, since: str | None, until: str | None, set_spec: str | None) -> list[int]:
        day = self.day_granularity
        out = []
        for i in range(len(self.records)):
            r = self.records[i]
            stamp = _stamp(r.datestamp, day)
            if (since and stamp < since) or (until and stamp > until) or (set_spec and set_spec not in r.sets):
                continue
            out.append(i)
        return out

    async def handle(self, request: web.Request) -> web.StreamResponse:
        q = dict(request.query)
        self.requests.append(q)
        if self.fail_503 > 0:
            self.fail_503 -= 1
            return web.Response(status=503, headers={"Retry-After": self.retry_after}, text="busy")
        if q.get("verb") == "Identify":
            gran = "YYYY-MM-DD" if self.day_granularity else "YYYY-MM-DDThh:mm:ssZ"
            return web.Response(content_type="text/xml", text=(
                f"{HEAD}<responseDate>{_stamp(self.now, False)}</responseDate><request verb=\"Identify\">x</request>"
                f"<Identify><repositoryName>Sample</repositoryName><baseURL>{request.url}</baseURL>"
                f"<protocolVersion>2.0</protocolVersion><earliestDatestamp>2000-01-01</earliestDatestamp>"
                f"<deletedRecord>persistent</deletedRecord><granularity>{gran}</granularity></Identify></OAI-PMH>"))
        if q.get("verb") != "ListRecords":
            return self._error("badVerb", "only Identify and ListRecords here")
        if "resumptionToken" in q:
            try:
                page, offset, since, until, set_spec, prefix = q["resumptionToken"].split("|")
                page_no, start = int(page), int(offset)
            except ValueError:
                return self._error("badResumptionToken", "unparseable token")
            if page_no in self.bad_token_pages:
                self.bad_token_pages.discard(page_no)
                return self._error("badResumptionToken", "token expired")
        else:
            page_no, start = 0, 0
            since, until, set_spec, prefix = q.get("from", ""), q.get("until", ""), q.get("set", ""), q.get(
                "metadataPrefix", "")
            if prefix not in self.prefixes:
                return self._error("cannotDisseminateFormat", prefix)
        selected = (range(len(self.records)) if not (since or until or set_spec)
                    else self._select(since or None, until or None, set_spec or None))
        if not selected:
            return self._error("noRecordsMatch", "nothing")
        page_items = selected[start:start + self.page_size]
        nxt = start + self.page_size
        token = f"{page_no + 1}|{nxt}|{since}|{until}|{set_spec}|{prefix}" if nxt < len(selected) else ""
        resp = web.StreamResponse(headers={"Content-Type": "text/xml; charset=utf-8"})
        await resp.prepare(request)
        await resp.write(f"{HEAD}<responseDate>{_stamp(self.now, False)}</responseDate><request>x</request>"
                         "<ListRecords>".encode())
        for n, i in enumerate(page_items):
            await resp.write(render_record(self.records[i], prefix, self.day_granularity).encode())
            if n == len(page_items) // 2 and self.drop_page_once == page_no:
                self.drop_page_once = None
                await asyncio.sleep(0.01)
                assert request.transport is not None
                request.transport.close()  # the connection drops mid-body
                return resp
            if n == len(page_items) // 2 and self.truncate_page == page_no:
                await resp.write_eof()  # a complete HTTP body holding half an XML document
                return resp
        size = f' completeListSize="{len(selected)}" cursor="{start}"'
        await resp.write(f"<resumptionToken{size}>{token}</resumptionToken></ListRecords></OAI-PMH>".encode())
        await resp.write_eof()
        return resp
