"""``/robots.txt`` and ``/sitemap.xml``: every live detail page, for search engines and dataset crawlers.

``/sitemap.xml`` is a sitemap index; each chunk (``/sitemaps/resources.xml?after=<id>``) lists up to
:data:`CHUNK` detail pages in id order, starting after the given id, so a chunk is one query and the
index needs no state. Withdrawn records keep their page but leave the sitemap.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from aiohttp import web
from lxml import etree

from gateway.keys import INSTITUTIONS, SETTINGS
from indexer.search.catalog import CatalogFeed

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: URLs per chunk (the protocol allows 50,000).
CHUNK = 10_000
SITEMAP_FEED = web.AppKey("sitemap_feed", CatalogFeed)
#: URLs per chunk of this app (CHUNK unless set before the app starts).
SITEMAP_CHUNK = web.AppKey("sitemap_chunk", int)
#: Paths crawlers should leave alone: personal pages, forms, staff areas, bulk downloads.
DISALLOW = ("/api/", "/cart", "/requests/", "/portal", "/admin", "/metrics")


def _xml(root: etree._Element) -> web.Response:
    return web.Response(body=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                        content_type="application/xml", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


def _lastmod(value: str | None) -> str | None:
    if not value:
        return None
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def robots_txt(request: web.Request) -> web.Response:
    """``GET /robots.txt``: the sitemap's address and the paths that are not for crawlers."""
    public = request.app[SETTINGS].gateway.public_url.rstrip("/")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOW), "Allow: /", "",
             f"Sitemap: {public}/sitemap.xml", ""]
    return web.Response(text="\n".join(lines), content_type="text/plain",
                        headers={"Cache-Control": "public, max-age=3600"})


async def sitemap_index(request: web.Request) -> web.Response:
    """``GET /sitemap.xml``: the home and institution pages' sitemap, then one chunk per CHUNK records."""
    public = request.app[SETTINGS].gateway.public_url.rstrip("/")
    feed, chunk = request.app[SITEMAP_FEED], request.app[SITEMAP_CHUNK]
    root = etree.Element(f"{{{SITEMAP}}}sitemapindex", nsmap={None: SITEMAP})
    etree.SubElement(etree.SubElement(root, f"{{{SITEMAP}}}sitemap"), f"{{{SITEMAP}}}loc").text = \
        f"{public}/sitemaps/pages.xml"
    after: str | None = None
    while True:
        ids = await feed.live_ids(after, chunk)
        if not ids:
            break
        entry = etree.SubElement(root, f"{{{SITEMAP}}}sitemap")
        query = f"?{urlencode({'after': after})}" if after is not None else ""
        etree.SubElement(entry, f"{{{SITEMAP}}}loc").text = f"{public}/sitemaps/resources.xml{query}"
        after = ids[-1][0]
        if len(ids) < chunk:
            break
    return _xml(root)


async def sitemap_pages(request: web.Request) -> web.Response:
    """``GET /sitemaps/pages.xml``: the home page and the institution pages."""
    public = request.app[SETTINGS].gateway.public_url.rstrip("/")
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    for path in ["/", "/institutions", *(f"/institutions/{slug}" for slug in request.app[INSTITUTIONS].registry)]:
        etree.SubElement(etree.SubElement(root, f"{{{SITEMAP}}}url"), f"{{{SITEMAP}}}loc").text = public + path
    return _xml(root)


async def sitemap_chunk(request: web.Request) -> web.Response:
    """``GET /sitemaps/resources.xml?after=<id>``: up to CHUNK detail pages after ``after``."""
    public = request.app[SETTINGS].gateway.public_url.rstrip("/")
    after = request.query.get("after") or None
    ids = await request.app[SITEMAP_FEED].live_ids(after[:500] if after else None, request.app[SITEMAP_CHUNK])
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    for holding_id, changed in ids:
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = f"{public}/resources/{quote(holding_id, safe='')}"
        if (lastmod := _lastmod(changed)) is not None:
            etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod
    return _xml(root)
