"""``GET|POST /oai``: the six OAI-PMH 2.0 verbs over the aggregated catalog.

Identifiers are ``oai:<host of gateway.public_url>:<holding id>`` (e.g. ``oai:biocross.example:
riken-brc:RBRC00001``), stable because holding ids are. Datestamps are when the catalog's copy last
changed (``changed_at``: content or withdrawal), at second granularity; withdrawn records are
headers with ``status="deleted"``, kept for good (``deletedRecord: persistent``). Sets are
``institution:<slug>`` and ``type:<resource type>`` below the parents ``institution`` and ``type``.
Errors are OAI-PMH ``<error>`` elements with HTTP 200, as the protocol asks; only an unavailable
catalog is an HTTP 503 problem (harvesters retry those after ``Retry-After``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from aiohttp import web
from lxml import etree

from gateway.errors import RateLimitedError
from gateway.keys import BUCKETS, SETTINGS
from gateway.oai.metadata import COLLECTION_TYPES, FORMATS, MetadataFormat
from gateway.oai.protocol import OaiError, OaiRequest, check_request, date_range, datestamp
from gateway.oai.tokens import Position, ResumptionTokens
from gateway.render import institutions
from indexer.search.catalog import CatalogFeed, FeedRecord, FeedSelection
from schemas.vocab import RESOURCE_TYPE_LABELS, ResourceType

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_ECHO_PATTERNS = {
    "metadataPrefix": re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$"),
    "set": re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$"),
    "from": re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"),
    "until": re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"),
    "identifier": re.compile(r"^\S+$"),
}


@dataclass(frozen=True, slots=True)
class OaiOptions:
    """Page sizes and token lifetime of the provider."""

    records_per_page: int = 100
    identifiers_per_page: int = 500
    token_lifetime: timedelta = timedelta(hours=24)


_TYPE_VALUES = frozenset(t.value for t in ResourceType)
FEED = web.AppKey("feed", CatalogFeed)
OAI_OPTIONS = web.AppKey("oai_options", OaiOptions)
OAI_TOKENS = web.AppKey("oai_tokens", ResumptionTokens)


class _Context:
    """What one request needs: the feed, the repository's names and the response being built."""

    def __init__(self, request: web.Request) -> None:
        settings = request.app[SETTINGS]
        self.public = settings.gateway.public_url.rstrip("/")
        self.base_url = self.public + "/oai"
        self.host = urlsplit(self.public).hostname or "localhost"
        self.admin_email = parseaddr(settings.mail.sender)[1] or f"admin@{self.host}"
        self.feed = request.app[FEED]
        self.options = request.app[OAI_OPTIONS]
        self.tokens = request.app[OAI_TOKENS]
        self.institutions = institutions(request)

    def oai_id(self, holding_id: str) -> str:
        return f"oai:{self.host}:{holding_id}"

    def holding_id(self, oai_id: str) -> str:
        prefix = f"oai:{self.host}:"
        if not oai_id.startswith(prefix) or len(oai_id) == len(prefix):
            raise OaiError("idDoesNotExist", "no record has this identifier in this repository")
        return oai_id[len(prefix):]

    def page_url(self, holding_id: str) -> str:
        return f"{self.public}/resources/{quote(holding_id, safe='')}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI}}}{tag}", {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _envelope(ctx: _Context, oai_request: OaiRequest | None, params: dict[str, str]) -> etree._Element:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _sub(root, "responseDate", datestamp(datetime.now(UTC)))
    echo: dict[str, str] = {}
    if oai_request is not None:  # after badVerb/badArgument only the base URL is echoed (spec 3.2)
        echo["verb"] = oai_request.verb
        for key, value in params.items():
            pattern = _ECHO_PATTERNS.get(key)
            if key != "verb" and (pattern is None or pattern.match(value)):
                echo[key] = value
    _sub(root, "request", ctx.base_url, **echo)
    return root


def _respond(root: etree._Element) -> web.Response:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return web.Response(body=body, content_type="text/xml", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def _format(prefix: str) -> MetadataFormat:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix[:50]!r} is not supported "
                                                  f"(supported: {', '.join(FORMATS)})")
    return fmt


def _selection(set_spec: str | None, fmt: MetadataFormat, since: str | None, before: str | None) -> FeedSelection:
    institution = resource_type = None
    if set_spec and set_spec not in ("institution", "type"):
        kind, _, value = set_spec.partition(":")
        if kind == "institution" and value:
            institution = value
        elif kind == "type" and value:
            resource_type = value
        else:
            raise OaiError("noRecordsMatch", f"there is no set {set_spec[:60]!r}")
    if fmt.types is not None:
        if resource_type is not None and resource_type not in fmt.types:
            raise OaiError("noRecordsMatch", f"no record of this set can be disseminated as {fmt.prefix}")
        resource_type = resource_type or next(iter(sorted(fmt.types)))
    return FeedSelection(institution=institution, resource_type=resource_type,
                         since=datetime.fromisoformat(since) if since else None,
                         before=datetime.fromisoformat(before) if before else None)


def _set_specs(record: FeedRecord) -> list[str]:
    return [f"institution:{record.institution}", f"type:{record.resource_type}"]


def _header(parent: etree._Element, ctx: _Context, record: FeedRecord) -> None:
    attrs = {"status": "deleted"} if record.withdrawn else {}
    header = _sub(parent, "header", **attrs)
    _sub(header, "identifier", ctx.oai_id(record.id))
    stamp = datetime.fromisoformat(record.changed_at) if record.changed_at else datetime(1970, 1, 1, tzinfo=UTC)
    _sub(header, "datestamp", datestamp(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)))
    for spec in _set_specs(record):
        _sub(header, "setSpec", spec)


def _record(parent: etree._Element, ctx: _Context, record: FeedRecord, fmt: MetadataFormat) -> None:
    element = _sub(parent, "record")
    _header(element, ctx, record)
    if not record.withdrawn:
        metadata = _sub(element, "metadata")
        metadata.append(fmt.write(record.resource, ctx.page_url(record.id), ctx.institutions))


async def _identify(ctx: _Context, root: etree._Element, _req: OaiRequest) -> None:
    earliest, _institutions, _types = await ctx.feed.overview()
    stamp = datetime.fromisoformat(earliest.replace("Z", "+00:00")) if earliest else datetime.now(UTC)
    identify = _sub(root, "Identify")
    _sub(identify, "repositoryName", "Tsukuba Biomedical Resource Cross-Search (biocross)")
    _sub(identify, "baseURL", ctx.base_url)
    _sub(identify, "protocolVersion", "2.0")
    _sub(identify, "adminEmail", ctx.admin_email)
    _sub(identify, "earliestDatestamp", datestamp(stamp))
    _sub(identify, "deletedRecord", "persistent")
    _sub(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    # How identifiers are built (the oai-identifier scheme's own description format).
    scheme = "http://www.openarchives.org/OAI/2.0/oai-identifier"
    described = etree.SubElement(_sub(identify, "description"), f"{{{scheme}}}oai-identifier", nsmap={None: scheme})
    described.set(f"{{{XSI}}}schemaLocation", f"{scheme} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    for tag, text in (("scheme", "oai"), ("repositoryIdentifier", ctx.host), ("delimiter", ":"),
                      ("sampleIdentifier", ctx.oai_id("riken-brc:RBRC00001"))):
        etree.SubElement(described, f"{{{scheme}}}{tag}").text = text


async def _list_metadata_formats(ctx: _Context, root: etree._Element, req: OaiRequest) -> None:
    formats = list(FORMATS.values())
    identifier = req.get("identifier")
    if identifier is not None:
        record = await ctx.feed.get(ctx.holding_id(identifier))
        if record is None:
            raise OaiError("idDoesNotExist", "no record has this identifier in this repository")
        formats = [f for f in formats if f.covers(record.resource_type)]
    listing = _sub(root, "ListMetadataFormats")
    for fmt in formats:
        element = _sub(listing, "metadataFormat")
        _sub(element, "metadataPrefix", fmt.prefix)
        _sub(element, "schema", fmt.schema)
        _sub(element, "metadataNamespace", fmt.namespace)


async def _list_sets(ctx: _Context, root: etree._Element, req: OaiRequest) -> None:
    if req.get("resumptionToken") is not None:
        raise OaiError("badResumptionToken", "the set list is complete in one response; it takes no token")
    _earliest, institutions, types = await ctx.feed.overview()
    listing = _sub(root, "ListSets")
    for spec, name in [("institution", "Institutions"), ("type", "Resource types")]:
        element = _sub(listing, "set")
        _sub(element, "setSpec", spec)
        _sub(element, "setName", name)
    for slug in sorted(set(institutions) | set(ctx.institutions)):
        element = _sub(listing, "set")
        _sub(element, "setSpec", f"institution:{slug}")
        _sub(element, "setName", ctx.institutions.name(slug, "en"))
    for value in sorted(set(types)):
        element = _sub(listing, "set")
        _sub(element, "setSpec", f"type:{value}")
        label = RESOURCE_TYPE_LABELS.get(ResourceType(value)) if value in _TYPE_VALUES else None
        _sub(element, "setName", label[1] if label else value)


async def _get_record(ctx: _Context, root: etree._Element, req: OaiRequest) -> None:
    fmt = _format(req.args["metadataPrefix"])
    record = await ctx.feed.get(ctx.holding_id(req.args["identifier"]))
    if record is None:
        raise OaiError("idDoesNotExist", "no record has this identifier in this repository")
    if not fmt.covers(record.resource_type):
        raise OaiError("cannotDisseminateFormat", f"this record is not available as {fmt.prefix} "
                                                  f"(only {', '.join(sorted(COLLECTION_TYPES))} records are)")
    _record(_sub(root, "GetRecord"), ctx, record, fmt)


async def _list(ctx: _Context, root: etree._Element, req: OaiRequest) -> None:
    """ListIdentifiers and ListRecords: one page, and a resumption token while more follow."""
    records_only = req.verb == "ListRecords"
    size = ctx.options.records_per_page if records_only else ctx.options.identifiers_per_page
    token = req.get("resumptionToken")
    if token is not None:
        position = ctx.tokens.read(token, req.verb)
        fmt = _format(position.prefix)
    else:
        fmt = _format(req.args["metadataPrefix"])
        dates = date_range(req.get("from"), req.get("until"))
        position = Position(verb=req.verb, prefix=fmt.prefix, set_spec=req.get("set"),
                            since=dates.since.isoformat() if dates.since else None,
                            before=dates.before.isoformat() if dates.before else None, after=[], cursor=0)
    selection = _selection(position.set_spec, fmt, position.since, position.before)
    page = await ctx.feed.page(selection, position.after or None, size)
    if not page.records:
        if token is not None:
            raise OaiError("badResumptionToken", "the list this token continues has changed; start it again")
        raise OaiError("noRecordsMatch", "no record matches these arguments")
    listing = _sub(root, req.verb)
    for record in page.records:
        if records_only:
            _record(listing, ctx, record, fmt)
        else:
            _header(listing, ctx, record)
    sent = position.cursor + len(page.records)
    if page.after is not None:
        next_token, expires = ctx.tokens.issue(Position(
            verb=req.verb, prefix=fmt.prefix, set_spec=position.set_spec, since=position.since,
            before=position.before, after=page.after, cursor=sent))
        _sub(listing, "resumptionToken", next_token, expirationDate=datestamp(expires),
             completeListSize=str(max(page.total, sent)), cursor=str(position.cursor))
    elif token is not None:  # the last page of a list spread over several: an empty token ends it
        _sub(listing, "resumptionToken", completeListSize=str(max(page.total, sent)), cursor=str(position.cursor))


_VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list,
    "ListRecords": _list,
}


async def oai_endpoint(request: web.Request) -> web.Response:
    """``GET|POST /oai``: one OAI-PMH request (POST bodies are ``application/x-www-form-urlencoded``)."""
    wait = request.app[BUCKETS].take(request.remote or "unknown")
    if wait:
        raise RateLimitedError(wait)
    params = await request.post() if request.method == "POST" else request.query
    ctx = _Context(request)
    flat = {k: v for k, v in params.items() if isinstance(v, str)}
    try:
        oai_request = check_request(params)  # type: ignore[arg-type]
    except OaiError as exc:
        root = _envelope(ctx, None, flat)
        _sub(root, "error", exc.message, code=exc.code)
        return _respond(root)
    root = _envelope(ctx, oai_request, flat)
    try:
        await _VERBS[oai_request.verb](ctx, root, oai_request)
    except OaiError as exc:
        root = _envelope(ctx, None if exc.code == "badArgument" else oai_request, flat)
        _sub(root, "error", exc.message, code=exc.code)
    return _respond(root)
