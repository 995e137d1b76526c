"""Contract fixtures of the built-in toolkits: the sample catalog served in each format + a config."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.fixtures import ContractFixture
from adapters.samples.catalog import SampleCatalog, catalog_of
from adapters.samples.servers import csv_app, dwca_app, html_app, json_app, oai_app

KINDS = {"lookup": {"藻類": "algae", "微生物": "microbe"}, "default": "other"}
SPECIES = {"species.scientific_name": "organism"}
JAPANESE = "ミクロキスティス 株"


def _mutate(app: web.Application) -> None:
    catalog_of(app).mutate()


def _fixture(make_app: Any, config: Any, *, deletions: bool, granularity: str = "record") -> ContractFixture:
    sample = SampleCatalog()
    return ContractFixture(
        make_app=make_app, config=config, japanese=JAPANESE, deletions=deletions, mutate=_mutate,
        changed_ids={sample.changed_id}, deleted_ids={sample.deleted_id} if deletions else set(),
        change_granularity=granularity,
    )


def oaipmh_fixture() -> ContractFixture:
    """OAI-PMH (oai_dc) with deletions and datestamps."""
    return _fixture(oai_app, lambda url: {
        "institution": "nies", "endpoint": f"{url}/oai",
        "mapping": {"catalog_id": "header.local_id", "name": "dc:title", "description.en": "dc:title@en",
                    "resource_type": {"from": "dc:type", "transforms": [KINDS]},
                    "species.scientific_name": "dc:subject"},
    }, deletions=True)


def csv_fixture() -> ContractFixture:
    """CP932 CSV with ETag (a changed export is re-read whole)."""
    return _fixture(csv_app, lambda url: {
        "institution": "nies", "endpoint": f"{url}/export.csv", "encoding": "auto",
        "header_aliases": {"id": ["株番号"], "name": ["和名"], "name_en": ["英名"], "kind": ["分類"], "organism": ["学名"]},
        "mapping": {"catalog_id": "id", "name": "name", "description.en": "name_en", **SPECIES,
                    "resource_type": {"from": "kind", "transforms": [KINDS]},
                    "updated": {"from": "更新日", "transforms": ["date"]}},
    }, deletions=False, granularity="source")


def jsonapi_fixture() -> ContractFixture:
    """Offset-paged JSON with updated_since and deleted flags."""
    return _fixture(json_app, lambda url: {
        "institution": "nies", "endpoint": f"{url}/api/strains", "records_path": "items",
        "paging": {"style": "offset", "page_size": 5, "total_path": "total"}, "id_path": "id",
        "updated_since_param": "updated_since", "deleted_field": "deleted",
        "mapping": {"catalog_id": "id", "name": "name.ja", "description.en": "name.en", **SPECIES,
                    "resource_type": {"from": "type", "transforms": [KINDS]}},
    }, deletions=True)


def html_fixture() -> ContractFixture:
    """HTML list + Shift_JIS detail pages, robots.txt (no incremental)."""
    return _fixture(html_app, lambda url: {
        "institution": "nies", "endpoint": f"{url}/strains", "item_links": "css:a.strain",
        "next_page": "//a[@rel='next']/@href",
        "fields": {"id": "css:td.id", "name": "//h1[@id='name']", "name_en": "css:td.en",
                   "kind": "//th[.='分類']/following-sibling::td", "organism": "//th[.='学名']/following-sibling::td"},
        "mapping": {"catalog_id": "id", "name": "name", "description.en": "name_en", **SPECIES,
                    "resource_type": {"from": "kind", "transforms": [KINDS]}, "source_url": "page_url"},
    }, deletions=False, granularity="source")


def dwca_fixture() -> ContractFixture:
    """Darwin Core Archive with a vernacular-name extension and ETag."""
    return _fixture(dwca_app, lambda url: {
        "institution": "nies", "endpoint": f"{url}/dwca.zip",
        "mapping": {"catalog_id": "catalogNumber",
                    "name": "VernacularName.vernacularName",
                    "species.scientific_name": "scientificName", "resource_type": {"const": "algae"},
                    "synonyms": {"from": "VernacularName.vernacularName", "combine": "all"}},
    }, deletions=False, granularity="source")
