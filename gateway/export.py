"""Streaming a search's resources as CSV, JSON Lines or a Darwin Core Archive."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from aiohttp import web

from gateway.dwca import archive_chunks
from indexer.errors import IndexerError

log = logging.getLogger(__name__)

CSV_COLUMNS = ["id", "institution", "catalog_id", "resource_type", "name", "synonyms", "species", "strain",
               "genotype", "genes", "diseases", "tissues", "availability", "xrefs", "source_url",
               "description_en", "description_ja", "updated"]
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "dwca": "application/zip"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FLUSH_BYTES = 64 * 1024


def csv_cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (harvested text is untrusted)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


_cell = csv_cell


def csv_row(resource: dict[str, Any]) -> list[str]:
    """One resource as a CSV row in :data:`CSV_COLUMNS` order."""
    species = resource.get("species") or {}
    description = resource.get("description") or {}
    values = {
        **{k: str(resource.get(k) or "") for k in ("id", "institution", "catalog_id", "resource_type", "name",
                                                  "strain", "genotype", "availability", "source_url", "updated")},
        **{k: "; ".join(resource.get(k) or []) for k in ("synonyms", "genes", "diseases", "tissues")},
        "species": species.get("scientific_name") or "",
        "xrefs": "; ".join(f"{x['db']}:{x['id']}" for x in resource.get("xrefs") or []),
        "description_en": description.get("en") or "",
        "description_ja": description.get("ja") or "",
    }
    return [_cell(values[c]) for c in CSV_COLUMNS]


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


async def _text_chunks(rows: AsyncIterator[dict[str, Any]], fmt: str) -> AsyncIterator[bytes]:
    buffer: list[str] = ["\ufeff" + _csv_text([CSV_COLUMNS])] if fmt == "csv" else []
    size = 0
    async for resource in rows:
        buffer.append(_csv_text([csv_row(resource)]) if fmt == "csv"
                      else json.dumps(resource, ensure_ascii=False) + "\n")
        size += len(buffer[-1])
        if size >= _FLUSH_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    yield "".join(buffer).encode()


async def _prepend(first: dict[str, Any] | None, rows: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    if first is not None:
        yield first
        async for row in rows:
            yield row


async def stream_export(request: web.Request, rows: AsyncIterator[dict[str, Any]], fmt: str,
                        public_url: str = "") -> web.StreamResponse:
    """Stream ``rows`` in ``fmt`` (chunked transfer). The first row is fetched before the headers go
    out, so an unavailable search still becomes a proper 503 problem; a failure later cuts the
    download short (the client sees an incomplete transfer, never a silently shortened file with a
    200 trailer)."""
    first = await anext(rows, None)
    stamp = date.today().strftime("%Y%m%d")
    extension = "zip" if fmt == "dwca" else fmt
    response = web.StreamResponse(headers={
        "Content-Type": MEDIA_TYPES[fmt] + ("" if fmt == "dwca" else "; charset=utf-8"),
        "Content-Disposition": f'attachment; filename="biocross-export-{stamp}.{extension}"',
        "Cache-Control": "no-store",
    })
    if fmt != "dwca":
        response.enable_compression()
    response.enable_chunked_encoding()
    await response.prepare(request)
    every = _prepend(first, rows)
    chunks = archive_chunks(every, public_url) if fmt == "dwca" else _text_chunks(every, fmt)
    try:
        async for chunk in chunks:
            if chunk:
                await response.write(chunk)
    except IndexerError:
        log.warning("export aborted: search failed mid-stream")
        if request.transport is not None:
            request.transport.close()
        return response
    await response.write_eof()
    return response
