"""Tsukuba Human Tissue Biobank: MIABIS-shaped JSON of sample collections, cursor-paged.

Only aggregate counts per collection are served (donors, samples per material type); never data
about an individual.
"""

from __future__ import annotations

import base64
import math
import zlib
from typing import Any

import orjson
from aiohttp import web

from demo.datestamps import BadTimestampError, parse_iso
from demo.delivery import send_body
from demo.generator.records import Record
from demo.generator.state import SourceState, iso
from demo.keys import REGISTRY_KEY

BIOBANK_ID = "bbmri-eric:ID:JP_TSUKUBA_TBB"
DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class BadCursorError(ValueError):
    """Raised for a cursor this source did not issue (garbled, or the ``badtoken`` fault)."""


def encode_cursor(next_index: int, since: int | None, served: int) -> str:
    """Return the opaque cursor of the page starting at ``next_index``."""
    payload = f"{next_index}:{'' if since is None else since}:{served}"
    check = zlib.crc32(payload.encode()) & 0xFFFF
    return base64.urlsafe_b64encode(f"{payload}:{check}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int | None, int]:
    """Decode a cursor into ``(next_index, since, served)``; raise ``BadCursorError`` if garbled."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        next_index, since, served, check = raw.split(":")
        if zlib.crc32(f"{next_index}:{since}:{served}".encode()) & 0xFFFF != int(check):
            raise BadCursorError("cursor checksum mismatch")
        return int(next_index), (int(since) if since else None), int(served)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursorError(f"invalid cursor {cursor!r}") from exc


def to_collection(record: Record) -> dict[str, Any]:
    """Map a record to a MIABIS collection (BBMRI-ERIC Directory field names, snake_case)."""
    size = record["size"]
    return {
        "id": record["id"], "name": record["name"], "name_ja": record.get("name_ja") or None,
        "acronym": record["acronym"], "description": record.get("description_en") or None,
        "description_ja": record.get("description_ja") or None, "biobank": BIOBANK_ID,
        "type": record["collection_types"],
        "diagnosis_available": [{"code": f"urn:miriam:icd:{code}", "label": en, "label_ja": ja}
                                for code, en, ja in record["diagnoses"]],
        "materials": record["materials"], "storage_temperatures": record["storage_temperatures"],
        "sex": record["sex"], "age_low": record["age_low"], "age_high": record["age_high"], "age_unit": "YEAR",
        "number_of_donors": record["number_of_donors"], "size": size,
        "order_of_magnitude": int(math.log10(size)) if size > 0 else 0,
        "order_of_magnitude_donors": int(math.log10(record["number_of_donors"])),
        "data_categories": record["data_categories"], "sample_counts": record["material_counts"],
        "head": {"department": record["department_en"], "department_ja": record["department_ja"]},
        "species": record.get("species") or None, "ncbi_taxonomy_id": record.get("taxon_id"),
        "registered": record.get("registered") or None, "timestamp": record["updated"],
        "availability": record["availability"],
    }


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def collections(request: web.Request) -> web.StreamResponse:
    """``GET /tsukuba/miabis/collections?cursor=&limit=&updated_since=``: one page of collections."""
    state: SourceState = request.app[REGISTRY_KEY]["tsukuba"]
    raw_limit = request.query.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        return _problem(400, "bad_request", f"limit must be an integer between 1 and {MAX_LIMIT}")
    limit = int(raw_limit)
    served = 0
    start = 0
    try:
        since = parse_iso(request.query["updated_since"]) if "updated_since" in request.query else None
        if "cursor" in request.query:
            if state.consume_fault("badtoken"):
                raise BadCursorError("cursor expired")
            start, since, served = decode_cursor(request.query["cursor"])
    except BadTimestampError as exc:
        return _problem(400, "bad_request", str(exc))
    except BadCursorError as exc:
        return _problem(400, "invalid_cursor", str(exc))
    selection = state.select(since=since)
    page: list[dict[str, Any]] = []
    next_cursor = None
    budget = min(limit, max(0, len(selection) - served))
    for index in selection.iter_from(start):
        if len(page) == budget:
            if served + len(page) < len(selection):
                next_cursor = encode_cursor(index, since, served + len(page))
            break
        page.append(to_collection(state.record(index)))
    body = {"collections": page, "next_cursor": next_cursor, "total": len(selection), "generated_at": iso(state.clock)}
    return await send_body(request, state, orjson.dumps(body), content_type="application/json; charset=utf-8")


async def biobank(request: web.Request) -> web.Response:
    """``GET /tsukuba/miabis/biobank``: the MIABIS biobank record."""
    return web.json_response({
        "id": BIOBANK_ID, "name": "Tsukuba Human Tissue Biobank Center", "name_ja": "つくばヒト組織バイオバンクセンター",
        "acronym": "TBB", "country": "JP", "juristic_person": "University of Tsukuba",
        "description": "Hospital biobank of the University of Tsukuba Hospital storing residual clinical specimens "
                       "with broad consent. Only aggregate information is published.",
        "url": "https://www.hosp.tsukuba.ac.jp/", "collections": str(request.app.router["tsukuba_collections"].url_for()),
    })


def add_routes(app: web.Application) -> None:
    """Register the Tsukuba biobank routes."""
    app.router.add_get("/tsukuba/miabis/collections", collections, name="tsukuba_collections")
    app.router.add_get("/tsukuba/miabis/biobank", biobank, name="tsukuba_biobank")
