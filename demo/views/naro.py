"""NARO Genebank: an OAI-PMH 2.0 repository (oai_dc and Simple Darwin Core), deletions persistent."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator, Mapping
from xml.sax.saxutils import escape

from aiohttp import web

from demo.datestamps import BadTimestampError, parse_oai
from demo.delivery import send_chunks
from demo.generator.catalog import BASE_START
from demo.generator.state import SourceState, iso
from demo.keys import CONFIG_KEY, REGISTRY_KEY
from demo.views import naro_xml as x

_VERBS: dict[str, tuple[set[str], set[str]]] = {  # verb -> (required, optional) when no resumptionToken
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
_CHUNK_RECORDS = 100


class OaiError(Exception):
    """An OAI-PMH protocol error, reported in the response body with HTTP 200."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def encode_token(prefix: str, set_spec: str, since: int | None, until: int | None, next_index: int, cursor: int,
                 total: int) -> str:
    """Return a stateless resumption token (offset and request arguments, with a checksum)."""
    payload = f"{prefix}|{set_spec}|{'' if since is None else since}|{'' if until is None else until}|{next_index}|{cursor}|{total}"
    return base64.urlsafe_b64encode(f"{payload}|{zlib.crc32(payload.encode()):08x}".encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[str, str, int | None, int | None, int, int]:
    """Return ``(prefix, set, from, until, next_index, cursor)`` of a token; raise ``OaiError`` if garbled."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        *fields, check = raw.split("|")
        if len(fields) != 7 or f"{zlib.crc32('|'.join(fields).encode()):08x}" != check:
            raise ValueError("checksum")
        prefix, set_spec, since, until, next_index, cursor, _ = fields
        return prefix, set_spec, int(since) if since else None, int(until) if until else None, int(next_index), int(cursor)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OaiError("badResumptionToken", "The value of the resumptionToken argument is invalid or expired.") from exc


def _args(request: web.Request, form: Mapping[str, str] | None) -> dict[str, str]:
    source = form if form is not None else request.query
    args: dict[str, str] = {}
    for key in source:
        values = source.getall(key) if hasattr(source, "getall") else [source[key]]
        if len(values) > 1:
            raise OaiError("badArgument", f"argument {key} is repeated")
        args[key] = str(values[0])
    return args


def _check_args(verb: str, args: dict[str, str]) -> None:
    given = set(args) - {"verb"}
    if "resumptionToken" in given:
        if verb not in ("ListIdentifiers", "ListRecords", "ListSets") or given != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return
    required, optional = _VERBS[verb]
    if missing := required - given:
        raise OaiError("badArgument", f"missing required argument(s): {', '.join(sorted(missing))}")
    if illegal := given - required - optional:
        raise OaiError("badArgument", f"illegal argument(s): {', '.join(sorted(illegal))}")


def _catalog_index(state: SourceState, identifier: str) -> int:
    if identifier.startswith(x.OAI_PREFIX):
        local = identifier[len(x.OAI_PREFIX):]
        if local.startswith("internal-") and local[9:].isdigit() and int(local[9:]) < state.size:
            return int(local[9:])
        index = state.find(local.replace("-", " ", 1))
        if index is not None:
            return index
    raise OaiError("idDoesNotExist", f"{identifier} is unknown or illegal in this repository")


def _identifier(state: SourceState, index: int) -> str:
    dirt = state.catalog.dirt(index)
    if dirt.reject in ("missing_id", "invalid_id"):
        return x.internal_identifier(index)
    return x.oai_identifier(state.catalog.catalog_id(index))


def _record_xml(state: SourceState, index: int, prefix: str, with_metadata: bool) -> str:
    deleted = state.is_deleted(index)
    set_spec = x.SETS[state.catalog.layout.kind_of(index)]
    head = x.header(_identifier(state, index), iso(state.datestamp(index)), set_spec, deleted)
    if not with_metadata:
        return head + "\n"
    if deleted:
        return f"<record>{head}</record>\n"
    record = state.record(index)
    metadata = x.oai_dc(record) if prefix == "oai_dc" else x.dwc(record)
    return f"<record>{head}<metadata>{metadata}</metadata></record>\n"


def _list(state: SourceState, verb: str, args: dict[str, str], page_size: int) -> Iterator[str]:
    if "resumptionToken" in args:
        if state.consume_fault("badtoken"):
            raise OaiError("badResumptionToken", "The resumptionToken has expired.")
        prefix, set_spec, since, until, start, cursor = decode_token(args["resumptionToken"])
    else:
        prefix, set_spec, start, cursor = args["metadataPrefix"], args.get("set", ""), 0, 0
        since = until = None
        try:
            granularities = set()
            if "from" in args:
                since, g = parse_oai(args["from"])
                granularities.add(g)
            if "until" in args:
                until, g = parse_oai(args["until"])
                granularities.add(g)
                until = until + 86_399 if g == "day" else until
        except BadTimestampError as exc:
            raise OaiError("badArgument", str(exc)) from exc
        if len(granularities) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if since is not None and until is not None and since > until:
            raise OaiError("badArgument", "from is after until")
    if prefix not in x.FORMATS:
        raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not supported")
    if set_spec and set_spec not in x.KIND_OF_SET:
        raise OaiError("badArgument", f"unknown set {set_spec!r}; sets: {', '.join(x.KIND_OF_SET)}")
    selection = state.select(since=since, until=until, kind=x.KIND_OF_SET.get(set_spec), include_deleted=True)
    total = len(selection)
    if total == 0:
        raise OaiError("noRecordsMatch", "The combination of the values of the from, until and set arguments results in an empty list.")
    with_metadata = verb == "ListRecords"
    yield f"<{verb}>\n"
    budget = min(page_size, total - cursor)
    served = 0
    token = None
    buffer: list[str] = []
    for index in selection.iter_from(start):
        if served == budget:
            token = encode_token(prefix, set_spec, since, until, index, cursor + served, total)
            break
        buffer.append(_record_xml(state, index, prefix, with_metadata))
        served += 1
        if len(buffer) == _CHUNK_RECORDS:
            yield "".join(buffer)
            buffer.clear()
    yield "".join(buffer)
    if token is not None and cursor + served < total:
        yield f'<resumptionToken completeListSize="{total}" cursor="{cursor}">{token}</resumptionToken>\n'
    elif cursor > 0 or token is not None:
        yield f'<resumptionToken completeListSize="{total}" cursor="{cursor}"/>\n'
    yield f"</{verb}>\n"


def _identify(request: web.Request) -> str:
    base = str(request.url.with_query(None))
    return ("<Identify><repositoryName>NARO Genebank (simulated)</repositoryName>"
            f"<baseURL>{escape(base)}</baseURL><protocolVersion>2.0</protocolVersion>"
            "<adminEmail>genebank@example.naro.go.jp</adminEmail>"
            f"<earliestDatestamp>{iso(BASE_START)}</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
            f"<description><oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\">"
            f"<scheme>oai</scheme><repositoryIdentifier>{x.REPOSITORY_ID}</repositoryIdentifier><delimiter>:</delimiter>"
            f"<sampleIdentifier>{x.OAI_PREFIX}JP-10001</sampleIdentifier></oai-identifier></description></Identify>\n")


def _formats() -> str:
    items = "".join(f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{s}</schema>"
                    f"<metadataNamespace>{n}</metadataNamespace></metadataFormat>" for p, (s, n) in x.FORMATS.items())
    return f"<ListMetadataFormats>{items}</ListMetadataFormats>\n"


def _sets() -> str:
    items = "".join(f"<set><setSpec>{spec}</setSpec><setName>{escape(x.SET_NAMES[spec])}</setName></set>" for spec in x.KIND_OF_SET)
    return f"<ListSets>{items}</ListSets>\n"


async def oai(request: web.Request) -> web.StreamResponse:
    """``GET|POST /naro/oai?verb=...``: the OAI-PMH 2.0 endpoint."""
    state: SourceState = request.app[REGISTRY_KEY]["naro"]
    form = await request.post() if request.method == "POST" else None
    page_size = request.app[CONFIG_KEY].oai_page_size
    body: Iterator[str]
    args: dict[str, str] = {}
    try:
        args = _args(request, form)  # type: ignore[arg-type]
        verb = args.get("verb", "")
        if verb not in _VERBS:
            raise OaiError("badVerb", f"illegal or missing verb {verb!r}")
        _check_args(verb, args)
        if verb == "Identify":
            body = iter([_identify(request)])
        elif verb == "ListMetadataFormats":
            if "identifier" in args:
                _catalog_index(state, args["identifier"])
            body = iter([_formats()])
        elif verb == "ListSets":
            if "resumptionToken" in args:
                raise OaiError("badResumptionToken", "ListSets is not paged")
            body = iter([_sets()])
        elif verb == "GetRecord":
            if args["metadataPrefix"] not in x.FORMATS:
                raise OaiError("cannotDisseminateFormat", f"metadataPrefix {args['metadataPrefix']!r} is not supported")
            index = _catalog_index(state, args["identifier"])
            body = iter([f"<GetRecord>{_record_xml(state, index, args['metadataPrefix'], True)}</GetRecord>\n"])
        else:
            listing = _list(state, verb, args, page_size)
            body = iter([next(listing)])  # raises OaiError before anything is sent
            body = _chain(body, listing)
    except OaiError as exc:
        body = iter([x.error(exc.code, exc.message)])
        if exc.code in ("badVerb", "badArgument"):
            args = {}  # the spec echoes no arguments for these errors
    start = x.envelope_start(iso(state.clock), str(request.url.with_query(None)), args)
    chunks = (part.encode("utf-8") for part in _chain(iter([start]), body, iter(["</OAI-PMH>\n"])))
    return await send_chunks(request, state, chunks, content_type="text/xml; charset=utf-8")


def _chain(*parts: Iterator[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def add_routes(app: web.Application) -> None:
    """Register the NARO OAI-PMH endpoint."""
    app.router.add_route("GET", "/naro/oai", oai, name="naro_oai")
    app.router.add_route("POST", "/naro/oai", oai)
