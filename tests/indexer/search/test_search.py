"""The search service against real Elasticsearch and the fixture corpus: the issue's acceptance."""

from __future__ import annotations

from collections import Counter

import pytest

from indexer.errors import InvalidSearchError
from indexer.search.catalog import CatalogFeed
from indexer.search.service import SearchService
from schemas.resource import Resource
from schemas.search import SearchQuery


@pytest.mark.parametrize("q", ["HeLa", "HeLa細胞", "hela cells", "Hela", "RCB0007", "rcb 7", "JCRB9004", "CVCL_0030",
                               "ＨｅＬａ", "RRID:CVCL_0030"])
async def test_every_way_of_asking_for_hela_finds_the_entity_first(service: SearchService, q: str) -> None:
    result = await service.search(SearchQuery(q=q))
    top = result.groups[0]
    assert top.entity_key == "cellosaurus:CVCL_0030"
    assert {(h.institution, h.catalog_id) for h in top.holdings} == {("riken-brc", "RCB0007"), ("jcrb", "JCRB9004")}


async def test_japanese_and_english_diabetic_mouse_agree(service: SearchService) -> None:
    ja = await service.search(SearchQuery(q="マウス 糖尿病", page_size=10))
    en = await service.search(SearchQuery(q="diabetic mouse", page_size=10))
    ja_ids = {g.resource["catalog_id"] for g in ja.groups}
    en_ids = {g.resource["catalog_id"] for g in en.groups}
    diabetic_models = {"RBRC00004", "RBRC00006", "RBRC00007", "RBRC00008"}
    assert diabetic_models <= ja_ids and diabetic_models <= en_ids
    assert all(g.resource_type == "mouse_strain" for g in ja.groups + en.groups)


async def test_facet_counts_are_exact_against_a_hand_count(service: SearchService, corpus: list[Resource]) -> None:
    result = await service.search(SearchQuery(q=""))
    assert result.total_holdings == len(corpus)
    counted = {b.value: b.count for b in result.facets["institution"]}
    assert counted == dict(Counter(r.institution for r in corpus))
    types = {b.value: b.count for b in result.facets["resource_type"]}
    assert types == dict(Counter(str(r.resource_type) for r in corpus))


async def test_facets_respect_the_other_filters_but_not_their_own(service: SearchService, corpus: list[Resource]) -> None:
    result = await service.search(SearchQuery(q="", institution=["riken-brc"], resource_type=["cell_line"]))
    riken_types = Counter(str(r.resource_type) for r in corpus if r.institution == "riken-brc")
    cell_insts = Counter(r.institution for r in corpus if r.resource_type == "cell_line")
    assert {b.value: b.count for b in result.facets["resource_type"]} == dict(riken_types)
    assert {b.value: b.count for b in result.facets["institution"]} == dict(cell_insts)
    assert result.total_holdings == sum(1 for r in corpus if r.institution == "riken-brc" and r.resource_type == "cell_line")
    assert all(h.institution for g in result.groups for h in g.holdings)


async def test_cursor_paging_returns_each_entity_exactly_once(service: SearchService, corpus: list[Resource]) -> None:
    for q in ["", "cell", "マウス", "Escherichia coli"]:
        seen: list[str] = []
        cursor = None
        for _ in range(200):
            page = await service.search(SearchQuery(q=q, page_size=7, cursor=cursor))
            seen += [g.entity_key for g in page.groups]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)), f"duplicates while paging {q!r}"
        assert len(seen) == page.total_entities, q
        if q == "":
            assert set(seen) == {r.entity_key for r in corpus}


async def test_a_cursor_of_another_search_is_refused(service: SearchService) -> None:
    page = await service.search(SearchQuery(q="cell", page_size=5))
    assert page.next_cursor
    with pytest.raises(InvalidSearchError, match="different search"):
        await service.search(SearchQuery(q="mouse", cursor=page.next_cursor))
    with pytest.raises(InvalidSearchError, match="malformed"):
        await service.search(SearchQuery(q="cell", cursor="not-a-cursor!"))


@pytest.mark.parametrize("q", ['"unbalanced', "*", "(", "a OR", "\x00\x07\x1b[31m", '{"query": {"match_all": {}}}',
                               "field:value AND (x", "\\", "~~~", "x" * 1000, "糖尿病 " * 150])
async def test_malformed_queries_return_results_never_errors(service: SearchService, q: str) -> None:
    result = await service.search(SearchQuery(q=q))
    assert result.total_holdings >= 0


def test_ten_kilobytes_of_query_is_a_validation_error() -> None:
    with pytest.raises(ValueError, match="at most 1000 characters"):
        SearchQuery(q="x" * 10_000)


async def test_typos_in_names_still_find_them(service: SearchService) -> None:
    for typo, expected in [("Jurkatt", "Jurkat"), ("HepG3", "HepG2"), ("Koshihikar", "Koshihikari")]:
        result = await service.search(SearchQuery(q=typo, page_size=3))
        assert expected in [g.title for g in result.groups], typo


async def test_highlight_marks_query_words_and_keeps_text_literal(service: SearchService) -> None:
    result = await service.search(SearchQuery(q="RBRC09001 strain"))
    group = result.groups[0]
    assert "".join(s.text for s in group.highlight["name"]) == "<script>alert(1)</script> strain"
    assert [s.text for s in group.highlight["name"] if s.hit] == ["strain"]


async def test_autocomplete(service: SearchService) -> None:
    assert "HeLa" in await service.suggest("he")  # display case, not the folded key
    assert any(s.startswith("C57BL/6") for s in await service.suggest("c57"))
    assert await service.suggest("") == []


async def test_autocomplete_from_japanese_input(service: SearchService) -> None:
    assert "マウス" in await service.suggest("マウ")
    assert any(s.startswith("糖尿病") for s in await service.suggest("糖尿"))
    assert "マウス" in await service.suggest("まう")  # hiragana completes katakana


async def test_resource_detail_lists_other_holdings(service: SearchService) -> None:
    resource, withdrawn, others = await service.get_resource("riken-brc:RCB7")
    assert resource["name"] == "HeLa" and not withdrawn
    assert [h.catalog_id for h in others] == ["JCRB9004"]


async def test_generations_come_from_the_versioned_template(es: object, search_prefix: str) -> None:
    from elasticsearch import AsyncElasticsearch

    from indexer.mappings.resources import RESOURCES_MAPPING_VERSION
    from indexer.names import resources_alias

    assert isinstance(es, AsyncElasticsearch)
    template = await es.indices.get_index_template(name=f"{search_prefix}-resources-v{RESOURCES_MAPPING_VERSION}")
    assert template["index_templates"][0]["index_template"]["version"] == RESOURCES_MAPPING_VERSION
    aliased = await es.indices.get_alias(name=resources_alias(search_prefix))
    assert aliased and all(f"-resources-v{RESOURCES_MAPPING_VERSION}-" in name for name in aliased.body)
    mapping = await es.indices.get_mapping(index=resources_alias(search_prefix))
    assert all(m["mappings"]["_meta"]["biocross_mapping_version"] == RESOURCES_MAPPING_VERSION for m in mapping.body.values())


def _catalog_ids(result: object) -> list[set[str]]:
    return [{h.catalog_id for h in g.holdings} for g in result.groups]  # type: ignore[attr-defined]


@pytest.mark.parametrize("q", ["human lung cancer", "ヒト 肺がん", "lung cancer", "肺癌 細胞株"])
async def test_a_concept_finds_resources_filed_under_a_narrower_one(service: SearchService, q: str) -> None:
    """A549 is filed under lung adenocarcinoma (肺腺癌); lung cancer (ICD-10 C34) is its parent."""
    result = await service.search(SearchQuery(q=q))
    assert any("RCB0098" in ids for ids in _catalog_ids(result)[:3]), [g.title for g in result.groups[:5]]


async def test_a_term_matching_nothing_is_dropped_openly(service: SearchService) -> None:
    """No iPS line in this corpus: 'iPS細胞' does not silently become 細胞; the response says so."""
    for q in ("iPS細胞", "iPS"):
        result = await service.search(SearchQuery(q=q))
        assert result.total_holdings == 0 or result.dropped_terms, (q, [g.title for g in result.groups[:3]])
    result = await service.search(SearchQuery(q="HeLa iPS"))
    assert result.dropped_terms == ["iPS"] and "RCB0007" in _catalog_ids(result)[0]
    strict = await service.search(SearchQuery(q="HeLa 細胞"))
    assert strict.dropped_terms == [] and "RCB0007" in _catalog_ids(strict)[0]


async def test_disease_facet_has_one_value_per_concept_in_both_languages(service: SearchService) -> None:
    result = await service.search(SearchQuery(q="HeLa"))
    cervical = [b for b in result.facets["disease"] if "cervical" in (b.label_en or "")]
    assert len(cervical) == 1, result.facets["disease"]
    bucket = cervical[0]
    assert bucket.value == "BX:disease:cervical-adenocarcinoma" and bucket.label_ja == "子宮頸部腺癌"
    selected = await service.search(SearchQuery(q="HeLa", disease=[bucket.value]))
    assert selected.total_holdings == bucket.count
    parent = await service.search(SearchQuery(q="", disease=["ICD10:C53"]))
    assert parent.total_holdings >= bucket.count  # selecting C53 includes its narrower concepts


async def test_a_dropped_term_comes_with_a_suggestion_from_the_vocabulary(service: SearchService) -> None:
    result = await service.search(SearchQuery(q="HeLa cynomolgos"))
    assert result.dropped_terms == ["cynomolgos"] and "RCB0007" in _catalog_ids(result)[0]
    assert any("cynomolgus" in s for s in result.suggestions), result.suggestions


@pytest.mark.parametrize("q", ["NCBIGene:7157", "GeneID:7157", "ncbigene 7157"])
async def test_a_cross_reference_is_found_in_its_registry_forms(service: SearchService, q: str) -> None:
    """RDB00001 cites NCBI_Gene 7157 (TP53); the Bioregistry knows NCBIGene and GeneID as that space."""
    result = await service.search(SearchQuery(q=q))
    assert "RDB00001" in _catalog_ids(result)[0]


async def test_species_facet_by_concept_labelled_in_both_languages(service: SearchService) -> None:
    result = await service.search(SearchQuery(q="HeLa"))
    human = next(b for b in result.facets["species"] if b.value == "NCBITaxon:9606")
    assert (human.label_en, human.label_ja) == ("Homo sapiens", "ヒト")
    by_id = await service.search(SearchQuery(q="HeLa", species=["NCBITaxon:9606"]))
    by_name = await service.search(SearchQuery(q="HeLa", species=["Homo sapiens"]))
    assert by_id.total_holdings == by_name.total_holdings == human.count
    primates = await service.search(SearchQuery(q="", species=["NCBITaxon:9443"]))  # Primates: humans and macaques
    assert {g.species for g in primates.groups} >= {"Homo sapiens"} and primates.total_holdings > human.count


async def test_a_search_that_finds_nothing_suggests_a_vocabulary_name(service: SearchService) -> None:
    result = await service.search(SearchQuery(q="kanikuizaru cynomolgos"))
    assert result.total_holdings == 0 and result.dropped_terms == []  # nothing to relax to: every word is unknown
    result = await service.search(SearchQuery(q="cynomolgos"))
    assert result.total_holdings == 0 and "cynomolgus" in result.suggestions


async def test_export_of_a_relaxed_search_exports_what_the_page_shows(service: SearchService, search_prefix: str) -> None:
    shown = await service.search(SearchQuery(q="HeLa cynomolgos", page_size=100))
    query = SearchQuery(q="HeLa cynomolgos")
    feed = CatalogFeed(service.es, search_prefix, service.synonyms)
    exported = [r async for r in feed.export(query, await service.relaxation(query))]
    assert shown.dropped_terms and len(exported) == shown.total_holdings > 0


async def test_when_no_resource_has_every_word_the_least_specific_one_is_dropped_openly(service: SearchService) -> None:
    """Each word exists, but no resource has them all: the most common word goes, and the page says so."""
    result = await service.search(SearchQuery(q="HeLa mouse"))
    assert result.dropped_terms == ["mouse"] and "RCB0007" in _catalog_ids(result)[0]
