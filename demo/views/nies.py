"""NIES Microbial Culture Collection: paginated HTML catalog pages, detail pages, robots.txt."""

from __future__ import annotations

import html
import unicodedata
from urllib.parse import quote

from aiohttp import web

from demo.delivery import send_body
from demo.generator.records import Record
from demo.generator.state import SourceState
from demo.keys import CONFIG_KEY, REGISTRY_KEY

_E = html.escape
_WINDOW = 3


def _page(title: str, main: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{_E(title)} | NIES Collection</title>'
            '<link rel="stylesheet" href="/nies/static/style.css"></head>\n<body>\n'
            '<header><a href="/nies/strains">NIES Collection 微生物系統保存施設</a></header>\n'
            f"<main>\n{main}\n</main>\n<footer>National Institute for Environmental Studies</footer>\n</body>\n</html>\n")


def _strain_href(served_id: str) -> str | None:
    clean = served_id.strip()
    return f"/nies/strains/{quote(clean, safe='')}" if clean else None


def _row(record: Record) -> str:
    href = _strain_href(record["id"])
    number = f'<a href="{_E(href)}">{_E(record["id"])}</a>' if href else _E(record["id"])
    return (f'<tr><td class="strain-no">{number}</td><td class="scientific-name"><i>{_E(record["species"])}</i></td>'
            f'<td class="japanese-name">{_E(record.get("name_ja") or "")}</td>'
            f'<td class="class">{_E(record.get("class_name") or "")}</td>'
            f'<td class="strain">{_E("; ".join(record.get("synonyms") or []))}</td>'
            f'<td class="updated">{_E(record["updated"])}</td></tr>')


def _pagination(page: int, pages: int) -> str:
    shown = sorted({1, pages, *range(max(1, page - _WINDOW), min(pages, page + _WINDOW) + 1)})
    links: list[str] = []
    if page > 1:
        links.append(f'<a rel="prev" href="/nies/strains?page={page - 1}">&laquo; Prev</a>')
    previous = 0
    for n in shown:
        if n - previous > 1:
            links.append('<span class="gap">…</span>')
        links.append(f'<span class="current">{n}</span>' if n == page else f'<a class="page" href="/nies/strains?page={n}">{n}</a>')
        previous = n
    if page < pages:
        links.append(f'<a rel="next" href="/nies/strains?page={page + 1}">Next &raquo;</a>')
    return '<nav class="pagination">' + " ".join(links) + "</nav>"


async def strains(request: web.Request) -> web.StreamResponse:
    """``GET /nies/strains?page=N``: one list page (``nies_page_size`` strains, default 50)."""
    state: SourceState = request.app[REGISTRY_KEY]["nies"]
    per_page = request.app[CONFIG_KEY].nies_page_size
    raw = request.query.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise web.HTTPBadRequest(text="page must be a positive integer")
    page = int(raw)
    selection = state.select()
    total = len(selection)
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise web.HTTPNotFound(text=f"page {page} is beyond the last page {pages}")
    rows: list[str] = []
    first = selection.nth((page - 1) * per_page)
    if first is not None:
        for index in selection.iter_from(first):
            if len(rows) == min(per_page, total - (page - 1) * per_page):
                break
            rows.append(_row(state.record(index)))
    main = (f'<h1>Strain list 株リスト</h1>\n<p class="count">{total} strains, page {page} of {pages}</p>\n'
            '<table class="strains">\n<thead><tr><th>NIES No.</th><th>Scientific name</th><th>和名</th><th>Class</th>'
            '<th>Other collection no.</th><th>Updated</th></tr></thead>\n<tbody>\n' + "\n".join(rows)
            + "\n</tbody>\n</table>\n" + _pagination(page, pages))
    return await send_body(request, state, _page(f"Strain list page {page}", main).encode(),
                           content_type="text/html; charset=utf-8")


_DETAIL: tuple[tuple[str, str], ...] = (
    ("id", "Strain number"), ("species", "Scientific name"), ("name_ja", "Japanese name / 和名"),
    ("taxon_id", "NCBI Taxonomy ID"), ("class_name", "Class"), ("group", "Group"),
    ("synonyms", "Other collection numbers"), ("locality_en", "Locality"), ("locality_ja", "採集地"),
    ("isolator", "Isolator"), ("collected", "Date of isolation"), ("medium", "Culture medium"),
    ("temperature", "Temperature (°C)"), ("light", "Light"), ("axenic", "Axenic"), ("description_en", "Remarks"),
    ("description_ja", "備考"), ("registered", "Date of accession"), ("updated", "Last updated"),
    ("availability", "Availability"),
)


async def strain(request: web.Request) -> web.StreamResponse:
    """``GET /nies/strains/{NIES-1234}``: one strain's detail page (404 once deleted)."""
    state: SourceState = request.app[REGISTRY_KEY]["nies"]
    wanted = unicodedata.normalize("NFKC", request.match_info["strain_id"]).strip()
    index = state.find(wanted)
    if index is None or state.is_deleted(index):
        raise web.HTTPNotFound(text=f"{wanted} not found")
    record = state.record(index)
    rows = []
    for key, label in _DETAIL:
        value = record.get(key)
        if value in (None, "", []):
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        content = f"<i>{_E(text)}</i>" if key == "species" else _E(text)
        rows.append(f'<tr><th>{_E(label)}</th><td class="{key}">{content}</td></tr>')
    main = (f'<h1>{_E(record["id"].strip())} <i>{_E(record["species"])}</i></h1>\n<table class="strain-detail">\n'
            + "\n".join(rows) + '\n</table>\n<p><a href="/nies/strains">Back to the list</a></p>')
    return await send_body(request, state, _page(record["id"].strip(), main).encode(), content_type="text/html; charset=utf-8")


async def private(request: web.Request) -> web.Response:
    """``GET /nies/private/...``: disallowed by robots.txt; every hit is counted as a violation."""
    request.app[REGISTRY_KEY]["nies"].private_hits += 1
    return web.Response(text=_page("Staff only", "<h1>Staff only</h1><p>Internal stock records.</p>"), content_type="text/html")


async def robots(request: web.Request) -> web.Response:
    """``GET /robots.txt``: keep crawlers out of ``/nies/private/`` and ask for a crawl delay."""
    delay = request.app[CONFIG_KEY].crawl_delay
    shown = str(int(delay)) if float(delay).is_integer() else str(delay)
    return web.Response(text=f"User-agent: *\nCrawl-delay: {shown}\nDisallow: /nies/private/\nDisallow: /_control/\n")


def add_routes(app: web.Application) -> None:
    """Register the NIES routes and robots.txt."""
    app.router.add_get("/nies/strains", strains, name="nies_strains")
    app.router.add_get("/nies/strains/{strain_id}", strain, name="nies_strain")
    app.router.add_get("/nies/private/{tail:.*}", private, name="nies_private")
    app.router.add_get("/robots.txt", robots, name="robots")
