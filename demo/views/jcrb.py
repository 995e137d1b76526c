"""JCRB / NIBIOHN: a paged JSON REST API with RFC 8288 Link headers and a deleted-records feed."""

from __future__ import annotations

import unicodedata
from typing import Any

import orjson
from aiohttp import web
from yarl import URL

from demo.datestamps import BadTimestampError, parse_iso
from demo.delivery import send_body
from demo.generator.records import Record
from demo.generator.state import SourceState, iso
from demo.keys import REGISTRY_KEY

MAX_PER_PAGE = 1000
#: Resource types as the API names them, keyed by generator kind.
RESOURCE_TYPES: dict[str, str] = {"cell": "cell_line", "primate": "primate_sample", "medicinal_plant": "medicinal_plant"}
_KIND_OF_TYPE = {v: k for k, v in RESOURCE_TYPES.items()}
_HELA_FULLWIDTH_XREF = "ＲＣＢ０００７"  # JCRB's HeLa entry cites RIKEN's number in full-width digits.


def _none(value: Any) -> Any:
    return None if value in ("", []) else value


def to_item(record: Record) -> dict[str, Any]:
    """Map a record to a JCRB API item (raw field names; missing optional values are null)."""
    other = list(record.get("other_ids") or [])
    if record["id"] == "JCRB9004":
        other = [_HELA_FULLWIDTH_XREF if x == "RCB0007" else x for x in other] + ["ATCC CCL-2"]
    item: dict[str, Any] = {
        "jcrb_no": record["id"], "resource_type": RESOURCE_TYPES[record["kind"]], "name": record["name"],
        "name_ja": _none(record.get("name_ja")), "name_en": _none(record.get("name_en")),
        "synonyms": record.get("synonyms") or [], "species": _none(record.get("species_ja")),
        "scientific_name": _none(record.get("species")), "ncbi_taxonomy_id": record.get("taxon_id"),
        "tissue": _none(record.get("tissue_ja")), "disease": _none(record.get("disease_ja")),
        "disease_en": _none(record.get("disease_en")), "cellosaurus_id": _none(record.get("cellosaurus")),
        "other_collections": other, "description": _none(record.get("description_ja")),
        "depositor": _none(record.get("depositor")), "registered": _none(record.get("registered")),
        "updated_at": record["updated"], "availability": record.get("availability"),
        "culture_medium": _none(record.get("medium")),
    }
    if record["kind"] == "primate":
        item.update(sample_type=record["sample_type"], sex=record["sex"], age_years=record["age_years"],
                    origin=record["origin"])
    elif record["kind"] == "medicinal_plant":
        item.update(crude_drug=_none(record.get("crude_drug")), material=record.get("material"), origin=record.get("origin"))
    return item


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}")
    return int(raw)


async def resources(request: web.Request) -> web.StreamResponse:
    """``GET /jcrb/api/v1/resources?page=&per_page=&updated_since=&type=``: one page of items."""
    state: SourceState = request.app[REGISTRY_KEY]["jcrb"]
    try:
        page = _int_param(request, "page", 1, 1, 10**9)
        per_page = _int_param(request, "per_page", 100, 1, MAX_PER_PAGE)
        since = parse_iso(request.query["updated_since"]) if "updated_since" in request.query else None
    except (ValueError, BadTimestampError) as exc:
        return _problem(400, "bad_request", str(exc))
    rtype = request.query.get("type")
    if rtype is not None and rtype not in _KIND_OF_TYPE:
        return _problem(400, "bad_request", f"type must be one of {', '.join(_KIND_OF_TYPE)}")
    selection = state.select(since=since, kind=_KIND_OF_TYPE.get(rtype or ""))
    total = len(selection)
    pages = max(1, -(-total // per_page))
    items: list[dict[str, Any]] = []
    first = selection.nth((page - 1) * per_page)
    if first is not None:
        remaining = min(per_page, total - (page - 1) * per_page)
        for index in selection.iter_from(first):
            if remaining <= 0:
                break
            remaining -= 1
            item = to_item(state.record(index))
            items.append(item)
            if state.catalog.dirt(index).duplicate:
                items.append(item)
    base = URL(str(request.url))
    links = [f'<{base.update_query(page=1, per_page=per_page)}>; rel="first"',
             f'<{base.update_query(page=pages, per_page=per_page)}>; rel="last"']
    if page < pages:
        links.insert(0, f'<{base.update_query(page=page + 1, per_page=per_page)}>; rel="next"')
    if page > 1:
        links.insert(0, f'<{base.update_query(page=min(page - 1, pages), per_page=per_page)}>; rel="prev"')
    body = {"items": items, "page": page, "per_page": per_page, "total": total, "pages": pages, "generated_at": iso(state.clock)}
    headers = {"Link": ", ".join(links), "X-Total-Count": str(total)}
    return await send_body(request, state, orjson.dumps(body), content_type="application/json; charset=utf-8", headers=headers)


async def resource(request: web.Request) -> web.StreamResponse:
    """``GET /jcrb/api/v1/resources/{jcrb_no}``: one item (404 when unknown or deleted)."""
    state: SourceState = request.app[REGISTRY_KEY]["jcrb"]
    wanted = unicodedata.normalize("NFKC", request.match_info["jcrb_no"]).strip()
    index = state.find(wanted)
    if index is None or state.is_deleted(index):
        return _problem(404, "not_found", f"{wanted} not found")
    return await send_body(request, state, orjson.dumps(to_item(state.record(index))),
                           content_type="application/json; charset=utf-8")


async def deleted(request: web.Request) -> web.StreamResponse:
    """``GET /jcrb/api/v1/deleted?since=ISO``: ids deleted at or after ``since`` (all without it)."""
    state: SourceState = request.app[REGISTRY_KEY]["jcrb"]
    try:
        since = parse_iso(request.query["since"]) if "since" in request.query else None
    except BadTimestampError as exc:
        return _problem(400, "bad_request", str(exc))
    items = [{"jcrb_no": state.catalog.catalog_id(i), "resource_type": RESOURCE_TYPES[state.catalog.layout.kind_of(i)],
              "deleted_at": iso(o.tick)}
             for i, o in sorted(state.overrides.items()) if o.deleted and (since is None or o.tick >= since)]
    body = {"items": items, "total": len(items), "generated_at": iso(state.clock)}
    return await send_body(request, state, orjson.dumps(body), content_type="application/json; charset=utf-8")


def add_routes(app: web.Application) -> None:
    """Register the JCRB routes."""
    app.router.add_get("/jcrb/api/v1/resources", resources, name="jcrb_resources")
    app.router.add_get("/jcrb/api/v1/resources/{jcrb_no}", resource, name="jcrb_resource")
    app.router.add_get("/jcrb/api/v1/deleted", deleted, name="jcrb_deleted")
