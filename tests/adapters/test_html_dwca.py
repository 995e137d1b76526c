"""HTML catalog (robots.txt, Crawl-delay, pagination, rows mode) and Darwin Core Archives (real GBIF files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from adapters.errors import ProtocolError
from adapters.testing import build_adapter, collect
from adapters.toolkits.dwca import DwcaAdapter
from adapters.toolkits.html import HtmlCatalogAdapter
from fixtures.samples.contracts import html_fixture
from fixtures.samples.servers import html_app

REALDATA = Path(__file__).resolve().parents[1] / "data" / "realdata"


async def test_html_catalog_obeys_robots_and_crawl_delay(http, server) -> None:
    url = await server(html_app())
    config = html_fixture().config(url)
    adapter = build_adapter(HtmlCatalogAdapter, http, "nies-mcc", **config)
    out = await collect(adapter.run())
    assert out.finished.ok and len(out.resources) == 12
    assert out.finished.stats.warnings["robots_disallowed"] == 1
    assert http.gate(url, adapter.policy).min_interval == pytest.approx(0.01)
    first = out.resources[0]
    assert first.name.startswith("ミクロキスティス") and first.source_url == f"{url}/strain/NIES-100"
    assert first.species is not None and first.species.scientific_name == "Microcystis aeruginosa"


async def test_html_rows_mode_and_forbidden_list_page(http, server) -> None:
    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: biocross\nDisallow: /forbidden\n")

    async def table(request: web.Request) -> web.Response:
        rows = "".join(f"<tr><td>NIES-{i}</td><td>藻 {i}</td></tr>" for i in range(3))
        return web.Response(text=f"<table id='t'>{rows}</table>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/list", table)
    app.router.add_get("/forbidden", table)
    url = await server(app)
    mapping = {"catalog_id": "id", "name": "name", "resource_type": {"const": "algae"}}
    rows = build_adapter(HtmlCatalogAdapter, http, "nies", institution="nies", endpoint=f"{url}/list",
                         rows="//table[@id='t']/tr", fields={"id": "td[1]", "name": "td[2]"}, mapping=mapping)
    out = await collect(rows.run())
    assert out.ids == ["NIES-0", "NIES-1", "NIES-2"]
    forbidden = build_adapter(HtmlCatalogAdapter, http, "nies", institution="nies", endpoint=f"{url}/forbidden",
                              rows="//tr", fields={"id": "td[1]", "name": "td[2]"}, mapping=mapping)
    out = await collect(forbidden.run())
    assert isinstance(out.finished.error, ProtocolError) and "robots" in str(out.finished.error)


def zip_app(path: Path) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/dwca.zip", handle)
    return app


async def test_real_pontaurus_occurrence_archive(http, server) -> None:
    """BGBM PonTaurus herbarium specimens: pre-standard capitalised terms, archive in a subfolder."""
    url = await server(zip_app(REALDATA / "dwca-io/archive-occ.zip"))
    mapping = {"catalog_id": "catalogNumber", "name": "scientificName", "species.scientific_name": "scientificName",
               "resource_type": {"const": "plant"}, "created": {"from": "earliestDateCollected", "transforms": ["date"]}}
    adapter = build_adapter(DwcaAdapter, http, "bgbm-pontaurus", institution="naro", endpoint=f"{url}/dwca.zip",
                            mapping=mapping)
    out = await collect(adapter.run())
    assert out.finished.ok, out.finished.error
    assert out.finished.stats.seen == 1534 and len(out.resources) + len(out.rejections) == 1534
    assert len(out.resources) > 1400 and out.resources[0].species is not None


async def test_real_archive_with_two_extensions(http, server) -> None:
    url = await server(zip_app(REALDATA / "python-dwca-reader/dwca-2extensions.zip"))
    mapping = {"catalog_id": "id", "name": "genus", "resource_type": {"const": "other_animal"},
               "synonyms": {"from": "VernacularName.vernacularName", "combine": "all"},
               "description.en": "Description.description"}
    adapter = build_adapter(DwcaAdapter, http, "gbif-sample", institution="naro", endpoint=f"{url}/dwca.zip",
                            mapping=mapping)
    out = await collect(adapter.run())
    assert out.finished.ok and out.resources
    assert len(out.resources) == 4 and any(r.synonyms for r in out.resources)
    assert out.resources[0].description.en == "This is a BIG bird" and out.resources[3].description.en


async def test_spider_cryobank_checklist_semicolons_and_bom(http, server) -> None:
    url = await server(zip_app(REALDATA / "dwca-io/checklist_980.zip"))
    binomial = {"from": ["genus", "specificEpithet"], "combine": "all", "join": " "}
    mapping = {"catalog_id": "taxonID", "name": binomial, "resource_type": {"const": "other_animal"},
               "species.scientific_name": binomial}
    adapter = build_adapter(DwcaAdapter, http, "spider-cryobank", institution="naro", endpoint=f"{url}/dwca.zip",
                            mapping=mapping)
    out = await collect(adapter.run())
    assert out.finished.ok and out.finished.stats.seen == 356 and len(out.resources) >= 300
    assert out.resources[0].name == "Agelena labyrinthica" and out.finished.stats.reasons["missing_name"] >= 1


async def test_not_a_zip_is_a_protocol_error(http, server) -> None:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=b"PK\x03\x04 not really")

    app = web.Application()
    app.router.add_get("/dwca.zip", handle)
    url = await server(app)
    adapter = build_adapter(DwcaAdapter, http, "bad", institution="naro", endpoint=f"{url}/dwca.zip",
                            mapping={"catalog_id": "id", "name": "id", "resource_type": {"const": "plant"}})
    out = await collect(adapter.run())
    assert isinstance(out.finished.error, ProtocolError)
