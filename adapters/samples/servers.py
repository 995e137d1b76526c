"""Sample servers over ``SampleCatalog``: OAI-PMH, CP932 CSV, paged JSON, HTML catalog, DwC-A zip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from html import escape

from aiohttp import web

from adapters.samples.catalog import CATALOG, SampleCatalog, catalog_of
from adapters.samples.oairepo import OaiRepository, SampleRecord


def _app(catalog: SampleCatalog) -> web.Application:
    app = web.Application()
    app[CATALOG] = catalog
    return app


class _CatalogRecords:
    """OAI records as a live view of the catalog (so ``mutate()`` shows up)."""

    def __init__(self, catalog: SampleCatalog) -> None:
        self.catalog = catalog

    def __len__(self) -> int:
        return len(self.catalog.items)

    def __getitem__(self, i: int) -> SampleRecord:
        item = self.catalog.items[i]
        return SampleRecord(
            f"oai:nies.example:{item.catalog_id}", item.updated,
            {"dc:title": [item.name_ja], "dc:title@en": [item.name_en], "dc:type": [item.kind_ja],
             "dc:subject": [item.species]},
            deleted=item.deleted,
        )


def oai_app(catalog: SampleCatalog | None = None) -> web.Application:
    """OAI-PMH over the catalog (day granularity, 5 records per page)."""
    catalog = catalog or SampleCatalog()
    repo = OaiRepository(_CatalogRecords(catalog), page_size=5)  # type: ignore[arg-type]

    async def handle(request: web.Request) -> web.StreamResponse:
        repo.now = catalog.now
        return await repo.handle(request)

    app = _app(catalog)
    app.router.add_get("/oai", handle)
    return app


def csv_body(catalog: SampleCatalog) -> bytes:
    """The catalog as a CP932 CSV export with Japanese headers."""
    lines = ["株番号,和名,英名,分類,学名,更新日"]
    lines += [f'{i.catalog_id},"{i.name_ja}",{i.name_en},{i.kind_ja},{i.species},{i.updated:%Y/%m/%d}'
              for i in catalog.live()]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def csv_app(catalog: SampleCatalog | None = None) -> web.Application:
    """``/export.csv`` with an ETag; ``If-None-Match`` gets 304."""
    catalog = catalog or SampleCatalog()

    async def handle(request: web.Request) -> web.Response:
        body = csv_body(catalog)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "text/csv; charset=Shift_JIS"})

    app = _app(catalog)
    app.router.add_get("/export.csv", handle)
    return app


def json_app(catalog: SampleCatalog | None = None) -> web.Application:
    """``/api/strains?offset=&limit=&updated_since=`` with deleted entries flagged."""
    catalog = catalog or SampleCatalog()

    async def handle(request: web.Request) -> web.Response:
        since = request.query.get("updated_since", "")
        rows = [i for i in catalog.items if not since or i.updated.strftime("%Y-%m-%dT%H:%M:%SZ") >= since]
        rows = [i for i in rows if not i.deleted or since]
        offset, limit = int(request.query.get("offset", "0")), int(request.query.get("limit", "5"))
        page = [{"id": i.catalog_id, "name": {"ja": i.name_ja, "en": i.name_en}, "type": i.kind_ja,
                 "organism": i.species, "updated": i.updated.isoformat(), "deleted": i.deleted}
                for i in rows[offset:offset + limit]]
        date = catalog.now.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return web.json_response({"total": len(rows), "items": page}, headers={"Date": date})

    app = _app(catalog)
    app.router.add_get("/api/strains", handle)
    return app


def html_app(catalog: SampleCatalog | None = None, *, per_page: int = 5) -> web.Application:
    """``/strains?page=N`` list pages linking ``/strain/<id>`` detail pages (Shift_JIS), robots.txt."""
    catalog = catalog or SampleCatalog()

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\nCrawl-delay: 0.01\n")

    async def listing(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        items = catalog.live()[(page - 1) * per_page: page * per_page]
        links = "".join(f'<li><a class="strain" href="/strain/{escape(i.catalog_id)}">{escape(i.catalog_id)}</a></li>'
                        for i in items)
        nxt = f'<a rel="next" href="/strains?page={page + 1}">次へ</a>' if page * per_page < len(catalog.live()) else ""
        if page == 1:
            links += '<li><a class="strain" href="/private/secret">secret</a></li>'
        return web.Response(text=f"<html><body><ul>{links}</ul>{nxt}</body></html>", content_type="text/html")

    async def detail(request: web.Request) -> web.Response:
        ident = request.match_info["ident"]
        item = next((i for i in catalog.live() if i.catalog_id == ident), None)
        if item is None:
            raise web.HTTPNotFound()
        html = (f"<html><head><title>{escape(ident)}</title></head><body><h1 id='name'>{escape(item.name_ja)}</h1>"
                f"<table><tr><th>株番号</th><td class='id'>{escape(ident)}</td></tr>"
                f"<tr><th>英名</th><td class='en'>{escape(item.name_en)}</td></tr>"
                f"<tr><th>分類</th><td>{escape(item.kind_ja)}</td></tr>"
                f"<tr><th>学名</th><td><i>{escape(item.species)}</i></td></tr></table></body></html>")
        return web.Response(body=html.encode("shift_jis"), headers={"Content-Type": "text/html; charset=Shift_JIS"})

    app = _app(catalog)
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/strains", listing)
    app.router.add_get("/strain/{ident}", detail)
    return app


META = """<?xml version="1.0" encoding="UTF-8"?>
<archive xmlns="http://rs.tdwg.org/dwc/text/">
  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy=""
        ignoreHeaderLines="1" rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
    <field index="1" term="http://rs.tdwg.org/dwc/terms/catalogNumber"/>
    <field index="2" term="http://rs.tdwg.org/dwc/terms/scientificName"/>
    <field index="3" term="http://purl.org/dc/terms/modified"/>
    <field term="http://rs.tdwg.org/dwc/terms/institutionCode" default="NIES"/>
  </core>
  <extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy=""
        ignoreHeaderLines="1" rowType="http://rs.gbif.org/terms/1.0/VernacularName">
    <files><location>vernacular.txt</location></files>
    <coreid index="0"/>
    <field index="1" term="http://rs.tdwg.org/dwc/terms/vernacularName"/>
    <field index="2" term="http://purl.org/dc/terms/language"/>
  </extension>
</archive>
"""


def dwca_bytes(catalog: SampleCatalog) -> bytes:
    """The catalog as a Darwin Core Archive (Occurrence core + VernacularName extension)."""
    core = ["id\tcatalogNumber\tscientificName\tmodified"]
    ext = ["coreid\tvernacularName\tlanguage"]
    for n, item in enumerate(catalog.live()):
        core.append(f"occ{n}\t{item.catalog_id}\t{item.species}\t{item.updated:%Y-%m-%d}")
        ext += [f"occ{n}\t{item.name_ja}\tja", f"occ{n}\t{item.name_en}\ten"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("meta.xml", META), ("occurrence.txt", "\n".join(core) + "\n"),
                           ("vernacular.txt", "\n".join(ext) + "\n")):
            # fixed timestamps: the same content must give the same bytes (and ETag)
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def dwca_app(catalog: SampleCatalog | None = None) -> web.Application:
    """``/dwca.zip`` with an ETag."""
    catalog = catalog or SampleCatalog()

    async def handle(request: web.Request) -> web.Response:
        body = dwca_bytes(catalog)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/zip"})

    app = _app(catalog)
    app.router.add_get("/dwca.zip", handle)
    return app


__all__ = ["catalog_of", "csv_app", "dwca_app", "html_app", "json_app", "oai_app"]
