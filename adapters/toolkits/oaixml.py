"""Streaming OAI-PMH XML: response chunks in, records out, never the whole page in memory.

``lxml.etree.XMLPullParser`` is fed the body chunk by chunk; each ``record`` is turned into a flat
dict as soon as it ends and then cleared and removed from the tree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from adapters.errors import ProtocolError
from adapters.http import StreamResponse

OAI = "http://www.openarchives.org/OAI/2.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Namespace → the prefix used in raw-record keys (``dc:title``, ``dwc:catalogNumber``).
PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://rs.tdwg.org/dwc/terms/": "dwc",
    "http://rs.tdwg.org/dwc/xsd/simpledarwincore/": "sdwc",
    "http://datacite.org/schema/kernel-4": "datacite",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc",
}
_TAGS = [f"{{{OAI}}}{t}" for t in ("OAI-PMH", "record", "responseDate", "error", "resumptionToken")]


@dataclass(slots=True)
class OaiRecord:
    """One ``record`` (or bare ``header``) of a ListRecords/GetRecord page."""

    identifier: str | None
    datestamp: datetime | None
    deleted: bool
    sets: list[str]
    metadata: dict[str, Any]


@dataclass(slots=True)
class OaiPageEnd:
    """End of a page: the next resumption token (None on the last page) and the server's clock."""

    token: str | None
    response_date: datetime | None
    complete_list_size: int | None = None
    cursor: int | None = None


@dataclass(slots=True)
class OaiErrorItem:
    """An OAI-PMH ``<error code=...>`` (``noRecordsMatch`` is how an empty incremental harvest ends)."""

    code: str
    message: str


@dataclass(slots=True)
class _PageState:
    root_seen: bool = False
    token: str | None = None
    response_date: datetime | None = None
    sizes: dict[str, int] = field(default_factory=dict)


def parse_datestamp(text: str | None) -> datetime | None:
    """An OAI-PMH datestamp (``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``) as an aware datetime."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key(tag: str, nsmap_prefix: str | None) -> str:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        prefix = PREFIXES.get(ns, nsmap_prefix)
        return f"{prefix}:{local}" if prefix else local
    return tag


def flatten_metadata(container: etree._Element) -> dict[str, Any]:
    """Leaf elements of a ``metadata`` block as ``{"prefix:local": [texts]}`` (plus ``key@lang``)."""
    out: dict[str, list[str]] = {}
    for elem in container.iter():
        if not isinstance(elem.tag, str) or len(elem):
            continue
        text = "".join(elem.itertext()).strip()
        if not text:
            continue
        key = _key(elem.tag, elem.prefix)
        out.setdefault(key, []).append(text)
        if lang := elem.get(XML_LANG):
            out.setdefault(f"{key}@{lang.lower()[:2]}", []).append(text)
    return dict(out)


def record_from_element(elem: etree._Element) -> OaiRecord:
    """An ``OaiRecord`` from a ``record`` (or ``header``) element."""
    header = elem if elem.tag == f"{{{OAI}}}header" else elem.find(f"{{{OAI}}}header")
    if header is None:
        return OaiRecord(None, None, False, [], {})
    ident = header.findtext(f"{{{OAI}}}identifier")
    metadata = elem.find(f"{{{OAI}}}metadata")
    return OaiRecord(
        identifier=ident.strip() if ident else None,
        datestamp=parse_datestamp(header.findtext(f"{{{OAI}}}datestamp")),
        deleted=header.get("status") == "deleted",
        sets=[s.text.strip() for s in header.iterfind(f"{{{OAI}}}setSpec") if s.text],
        metadata=flatten_metadata(metadata) if metadata is not None else {},
    )


def _handle(event: str, elem: etree._Element, state: _PageState) -> OaiRecord | OaiErrorItem | None:
    tag = elem.tag
    if event == "start":
        if tag == _TAGS[0]:
            state.root_seen = True
        return None
    if tag == f"{{{OAI}}}record":
        record = record_from_element(elem)
        elem.clear(keep_tail=False)
        parent = elem.getparent()
        if parent is not None:
            parent.remove(elem)
        return record
    if tag == f"{{{OAI}}}responseDate":
        state.response_date = parse_datestamp(elem.text)
    elif tag == f"{{{OAI}}}error":
        return OaiErrorItem(elem.get("code", "unknown"), " ".join("".join(elem.itertext()).split()))
    elif tag == f"{{{OAI}}}resumptionToken":
        state.token = (elem.text or "").strip() or None
        for attr in ("completeListSize", "cursor"):
            if (value := elem.get(attr)) and value.isdigit():
                state.sizes[attr] = int(value)
    return None


async def parse_oai_page(resp: StreamResponse, *, adapter: str) -> AsyncIterator[OaiRecord | OaiErrorItem | OaiPageEnd]:
    """Records (and at most one error) of one OAI-PMH response, then one ``OaiPageEnd``."""
    parser = etree.XMLPullParser(
        events=("start", "end"), tag=_TAGS, resolve_entities=False, no_network=True, remove_comments=True
    )
    state = _PageState()
    try:
        async for chunk in resp.chunks():
            parser.feed(chunk)
            for event, elem in parser.read_events():
                if (item := _handle(event, elem, state)) is not None:
                    yield item
        parser.close()
        for event, elem in parser.read_events():
            if (item := _handle(event, elem, state)) is not None:
                yield item
    except etree.XMLSyntaxError as exc:
        raise ProtocolError(f"malformed OAI-PMH XML: {exc}", adapter=adapter, url=resp.url) from exc
    if not state.root_seen:
        raise ProtocolError("not an OAI-PMH response (no OAI-PMH root element)", adapter=adapter, url=resp.url)
    yield OaiPageEnd(state.token, state.response_date, state.sizes.get("completeListSize"), state.sizes.get("cursor"))


def parse_identify(body: bytes, *, adapter: str, url: str) -> dict[str, str]:
    """The fields of an Identify response (repositoryName, granularity, earliestDatestamp, ...)."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ProtocolError(f"malformed Identify response: {exc}", adapter=adapter, url=url) from exc
    if root.tag != _TAGS[0]:
        raise ProtocolError("Identify: not an OAI-PMH response", adapter=adapter, url=url)
    if (error := root.find(f"{{{OAI}}}error")) is not None:
        raise ProtocolError(f"Identify: OAI-PMH error {error.get('code')}: {error.text}", adapter=adapter, url=url)
    identify = root.find(f"{{{OAI}}}Identify")
    if identify is None:
        raise ProtocolError("Identify: no Identify element", adapter=adapter, url=url)
    out: dict[str, str] = {}
    for child in identify:
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{OAI}}}") and child.text and child.text.strip():
            out.setdefault(child.tag.split("}", 1)[1], child.text.strip())
    return out
