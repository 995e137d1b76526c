"""RIKEN BRC: bulk CP932 CSV/TSV exports per resource kind, and HTML detail pages."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web

from demo.datestamps import http_date, parse_http_date
from demo.delivery import send_body, send_chunks
from demo.generator.catalog import BASE_END
from demo.generator.records import Record
from demo.generator.state import SourceState
from demo.keys import CONFIG_KEY, REGISTRY_KEY

ENCODING = "cp932"
#: Declared charset: RIKEN-style exports label CP932 bytes as Shift_JIS (decode them as CP932).
DECLARED_CHARSET = "Shift_JIS"

Column = tuple[str, Callable[[Record], str]]


def _get(key: str) -> Callable[[Record], str]:
    return lambda r: "" if r.get(key) in (None, "") else str(r[key])


def _joined(key: str, sep: str) -> Callable[[Record], str]:
    return lambda r: sep.join(r.get(key) or [])


def _date(r: Record) -> str:
    value = r.get("registered", "")
    return value.replace("-", "/") if len(value) == 10 and value[4] == "-" and value[7] == "-" else value


def _remarks(r: Record) -> str:
    lines = [f"寄託者: {r['depositor']}" if r.get("depositor") else "", f"提供形態: {r['form']}" if r.get("form") else "",
             f"培地: {r['medium']}" if r.get("medium") else "", f"提供状況: {r.get('availability', '')}"]
    return "\n".join(line for line in lines if line)


_HEAD: list[Column] = [("学名", _get("species")), ("生物種", _get("species_ja")), ("NCBI Taxonomy ID", _get("taxon_id"))]
_TAIL: list[Column] = [
    ("概要", _get("description_ja")), ("Description", _get("description_en")), ("寄託者", _get("depositor")),
    ("登録日", _date), ("更新日時", _get("updated")), ("提供状況", _get("availability")), ("備考", _remarks),
]

#: Columns of each export: (header, value) in order. ``dna`` is a TSV with other header aliases.
COLUMNS: dict[str, list[Column]] = {
    "mouse": [("カタログ番号", _get("id")), ("系統名", _get("name")), ("別名", _joined("synonyms", ";")), *_HEAD,
              ("遺伝子型", _get("genotype")), ("遺伝子", _joined("genes", "|")), ("疾患名", _get("disease_ja")),
              ("Disease", _get("disease_en")), ("提供形態", _get("form")), *_TAIL],
    "cell": [("カタログ番号", _get("id")), ("細胞名", _get("name")), ("和名", _get("name_ja")),
             ("別名", _joined("synonyms", ";")), *_HEAD, ("由来組織", _get("tissue_ja")), ("Tissue", _get("tissue_en")),
             ("疾患名", _get("disease_ja")), ("Disease", _get("disease_en")), ("Cellosaurus", _get("cellosaurus")),
             ("他機関番号", _joined("other_ids", "|")), ("バイオセーフティレベル", _get("biosafety")),
             ("培地", _get("medium")), *_TAIL],
    "dna": [("番号", _get("id")), ("クローン名", _get("name")), ("別名", _joined("synonyms", ";")), *_HEAD,
            ("遺伝子", _joined("genes", "|")), ("ベクター", _get("vector")), ("インサート長(bp)", _get("insert_size")), *_TAIL],
    "microbe": [("カタログ番号", _get("id")), ("名称", _get("name")), ("和名", _get("name_ja")), *_HEAD,
                ("株名", _get("strain")), ("分類", _get("group")), ("培地", _get("medium")),
                ("培養温度(℃)", _get("temperature")), ("バイオセーフティレベル", _get("biosafety")), *_TAIL],
    "plant": [("カタログ番号", _get("id")), ("系統名", _get("name")), ("別名", _joined("synonyms", ";")), *_HEAD,
              ("遺伝子型", _get("genotype")), ("遺伝子", _joined("genes", "|")), ("背景系統", _get("background")), *_TAIL],
}
#: File extension (and delimiter) of each export.
EXTENSIONS: dict[str, str] = {"mouse": "csv", "cell": "csv", "dna": "tsv", "microbe": "csv", "plant": "csv"}


def render_rows(state: SourceState, kind: str, chunk_rows: int) -> Iterator[bytes]:
    """Yield the CP932 bytes of one export, ``chunk_rows`` rows per chunk (duplicates at chunk ends)."""
    columns = COLUMNS[kind]
    tsv = EXTENSIONS[kind] == "tsv"
    buffer = io.StringIO()
    writer: Any = (csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n") if tsv
                   else csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n"))
    writer.writerow([header for header, _ in columns])
    pending: list[list[str]] = []
    rows = 0
    for index in state.select(kind=kind):
        record = state.record(index)
        row = [value(record) for _, value in columns]
        if tsv:
            row = [cell.replace("\t", " ").replace("\r\n", " / ").replace("\n", " / ") for cell in row]
        writer.writerow(row)
        if state.catalog.dirt(index).duplicate:
            pending.append(row)
        rows += 1
        if rows % chunk_rows == 0:
            writer.writerows(pending)
            pending.clear()
            yield buffer.getvalue().encode(ENCODING, errors="replace")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(pending)
    yield buffer.getvalue().encode(ENCODING, errors="replace")


def _validators(state: SourceState, kind: str) -> tuple[str, int]:
    last_modified = state.clock if state.batches else BASE_END
    tag = f"{state.catalog.seed}:{state.catalog.base_size}:{kind}:{state.batches}:{state.fault.mode}"
    return f'"{hashlib.sha1(tag.encode()).hexdigest()[:20]}"', last_modified


async def export(request: web.Request) -> web.StreamResponse:
    """``GET /riken/export/{kind}.{ext}``: the full export of one kind, streamed."""
    kind, ext = request.match_info["kind"], request.match_info["ext"]
    if EXTENSIONS.get(kind) != ext:
        raise web.HTTPNotFound(text=f"no export {kind}.{ext}; exports: " + ", ".join(f"{k}.{e}" for k, e in EXTENSIONS.items()))
    state = request.app[REGISTRY_KEY]["riken"]
    etag, last_modified = _validators(state, kind)
    headers = {"ETag": etag, "Last-Modified": http_date(last_modified), "Cache-Control": "no-cache",
               "Content-Disposition": f'attachment; filename="riken_{kind}.{ext}"'}
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*":
            return web.Response(status=304, headers=headers)
    elif (since := parse_http_date(request.headers.get("If-Modified-Since", ""))) is not None and last_modified <= since:
        return web.Response(status=304, headers=headers)
    mime = "text/tab-separated-values" if ext == "tsv" else "text/csv"
    chunks = render_rows(state, kind, request.app[CONFIG_KEY].csv_chunk_rows)
    return await send_chunks(request, state, chunks, content_type=f"{mime}; charset={DECLARED_CHARSET}", headers=headers)


_DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "カタログ番号 / Catalog No."), ("name", "名称 / Name"), ("name_ja", "和名 / Japanese name"),
    ("synonyms", "別名 / Synonyms"), ("species", "学名 / Scientific name"), ("species_ja", "生物種 / Species"),
    ("taxon_id", "NCBI Taxonomy ID"), ("strain", "株名 / Strain"), ("genotype", "遺伝子型 / Genotype"),
    ("genes", "遺伝子 / Genes"), ("tissue_ja", "由来組織 / Tissue"), ("disease_ja", "疾患名 / Disease (ja)"),
    ("disease_en", "Disease"), ("cellosaurus", "Cellosaurus"), ("other_ids", "他機関番号 / Other collections"),
    ("vector", "ベクター / Vector"), ("description_ja", "概要"), ("description_en", "Description"),
    ("depositor", "寄託者 / Depositor"), ("registered", "登録日 / Registered"), ("updated", "更新日時 / Updated"),
    ("availability", "提供状況 / Availability"),
)


def render_detail(record: Record) -> str:
    """Return the HTML detail page of one record (every value escaped)."""
    rows = []
    for key, label in _DETAIL_FIELDS:
        value = record.get(key)
        if value in (None, "", []):
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append(f'    <dt>{html.escape(label)}</dt>\n    <dd class="{key}">{html.escape(text)}</dd>')
    title = html.escape(f"{record['id'].strip()} {record['name'].strip()}")
    body = "\n".join(rows)
    return (f'<!DOCTYPE html>\n<html lang="ja">\n<head><meta charset="utf-8"><title>{title} | RIKEN BRC</title></head>\n'
            f'<body>\n<header><a href="/riken/">理研バイオリソース研究センター RIKEN BioResource Research Center</a></header>\n'
            f'<main>\n  <h1>{title}</h1>\n  <dl class="resource-detail">\n{body}\n  </dl>\n</main>\n</body>\n</html>\n')


async def detail(request: web.Request) -> web.StreamResponse:
    """``GET /riken/detail/{catalog_id}``: one record's HTML page (404 once deleted)."""
    state = request.app[REGISTRY_KEY]["riken"]
    wanted = unicodedata.normalize("NFKC", request.match_info["catalog_id"]).strip()
    index = state.find(wanted)
    if index is None or state.is_deleted(index):
        raise web.HTTPNotFound(text=f"{wanted} not found")
    page = render_detail(state.record(index))
    return await send_body(request, state, page.encode(), content_type="text/html; charset=utf-8")


def add_routes(app: web.Application) -> None:
    """Register the RIKEN routes."""
    app.router.add_get(r"/riken/export/{kind}.{ext:csv|tsv}", export, name="riken_export")
    app.router.add_get("/riken/detail/{catalog_id}", detail, name="riken_detail")
