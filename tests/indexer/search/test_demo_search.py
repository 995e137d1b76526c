"""The issue's queries on the demo catalog: every simulated institution harvested by its real adapter
over loopback into the real Elasticsearch, then searched as a researcher would."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from institutions.demosources import FAST, running_sources

from adapters.registry import Registry, builtin_adapters
from biocross.harvest import SourceSpec, harvest_all
from indexer.search.service import SearchService
from schemas.harvest import HarvestMode
from schemas.search import EntityGroup, SearchQuery
from schemas.settings import Settings


@pytest.fixture(scope="module")
async def demo_service(es: AsyncElasticsearch, settings: Settings) -> SearchService:
    registry = Registry(builtin_adapters())
    prefix = f"{settings.es.index_prefix}-demo"
    async with running_sources(registry, total=2000) as sources:
        specs = [SourceSpec(name, config.model_copy(update=FAST)) for name, config in sources.configs.items()]
        runs = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL)
        assert all(r["outcome"] == "published" for r in runs), [(r["source"], r["outcome"], r.get("errors")) for r in runs]
    await es.indices.refresh(index=f"{prefix}*")
    return SearchService(es, prefix)


Doc = dict[str, Any]


def _resources(groups: list[EntityGroup]) -> list[Doc]:
    return [g.resource for g in groups]


def _has_disease(*words: str) -> Any:
    return lambda r: any(w in d for d in r["diseases"] for w in words)


def _species(name: str) -> Any:
    return lambda r: (r.get("species") or {}).get("scientific_name") == name


def _ips(r: Doc) -> bool:
    return "iPS" in (r["description"].get("en") or "")


@pytest.mark.parametrize(("q", "relevant"), [
    ("human lung cancer", _has_disease("lung adenocarcinoma", "肺腺癌")),
    ("ヒト 肺がん", _has_disease("lung adenocarcinoma", "肺腺癌")),
    ("肺腺癌", _has_disease("lung adenocarcinoma", "肺腺癌")),
    ("cynomolgus", _species("Macaca fascicularis")),
    ("カニクイザル", _species("Macaca fascicularis")),
    ("Macaca fascicularis", _species("Macaca fascicularis")),
    ("iPS", _ips),
    ("iPS細胞", _ips),
    ("ヒトiPS細胞", _ips),
    ("疾患特異的iPS細胞", lambda r: _ips(r) and bool(r["diseases"])),
    ("パーキンソン病 iPS", lambda r: _ips(r) and "Parkinson disease" in r["diseases"]),
])
async def test_issue_queries_find_what_they_should_in_the_top_3(demo_service: SearchService, q: str,
                                                                 relevant: Any) -> None:
    result = await demo_service.search(SearchQuery(q=q, page_size=5))
    top = _resources(result.groups[:3])
    assert any(relevant(r) for r in top), (q, [g.title for g in result.groups[:5]], result.dropped_terms)
    assert result.dropped_terms == []


async def test_disease_facet_is_one_value_per_concept_in_the_ui_language(demo_service: SearchService) -> None:
    result = await demo_service.search(SearchQuery(q="", page_size=1))
    buckets = result.facets["disease"]
    labels_ja = [b.label_ja for b in buckets]
    assert len(labels_ja) == len(set(labels_ja)), labels_ja  # 子宮頸癌 and its English name are one value
    assert not any(b.value.startswith("text:") for b in buckets), [b.value for b in buckets if b.value.startswith("text:")]
    lung = next(b for b in buckets if b.value == "BX:disease:lung-adenocarcinoma")
    assert (lung.label_ja, lung.label_en) == ("肺腺癌", "lung adenocarcinoma")
    narrowed = await demo_service.search(SearchQuery(q="", disease=[lung.value], page_size=1))
    assert narrowed.total_holdings == lung.count


async def test_autocomplete_from_japanese_and_in_display_case(demo_service: SearchService) -> None:
    assert any(s.startswith("マウス") for s in await demo_service.suggest("マウス"))
    assert any(s.startswith("糖尿") for s in await demo_service.suggest("糖尿"))
    assert "C57BL/6J" in await demo_service.suggest("c57bl/6j")


async def test_every_demo_value_has_a_concept(demo_service: SearchService) -> None:
    """Species, diseases, tissues and sample types of the whole demo catalog are in the vocabulary."""
    resp = await demo_service.es.search(index=demo_service.alias, size=0,
                                        aggs={"gaps": {"terms": {"field": "unmapped", "size": 50}}})
    gaps = [(b["key"], b["doc_count"]) for b in resp["aggregations"]["gaps"]["buckets"]]
    assert gaps == [], "; ".join(f"{k} ({n})" for k, n in gaps)


@pytest.mark.parametrize(("q", "catalog_id"), [
    ("RCB0032", "RCB0032"), ("rcb 32", "RCB0032"), ("RCB-00032", "RCB0032"),
    ("JCRB9004", "JCRB9004"), ("CVCL_0030", "RCB0007"), ("RRID:CVCL_0030", "RCB0007"),
])
async def test_demo_identifiers_rank_first(demo_service: SearchService, q: str, catalog_id: str) -> None:
    result = await demo_service.search(SearchQuery(q=q, page_size=3))
    assert catalog_id in {h.catalog_id for h in result.groups[0].holdings}, [g.title for g in result.groups]
