"""The resource model: stable ids, entity keys, cleaning of dirty harvested text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from schemas.resource import CrossRef, Provenance, Resource, Species


def make_resource(**overrides: Any) -> Resource:
    fields: dict[str, Any] = {
        "institution": "riken-brc", "catalog_id": "RCB0007", "resource_type": "cell_line", "name": "HeLa",
        "species": Species(taxon_id=9606, scientific_name="Homo sapiens"), "provenance": Provenance(source="riken"),
    }
    fields.update(overrides)
    return Resource(**fields)


def test_id_is_stable_across_spellings_of_the_catalog_id() -> None:
    assert make_resource(catalog_id="rcb 7").id == make_resource(catalog_id="RCB-0007").id == "riken-brc:RCB7"
    assert make_resource(catalog_id="rcb 7").catalog_id == "RCB0007"


def test_shared_cellosaurus_reference_groups_two_institutions() -> None:
    riken = make_resource(xrefs=[CrossRef(db="Cellosaurus", id="CVCL_0030")])
    jcrb = make_resource(institution="jcrb", catalog_id="JCRB9004", xrefs=[CrossRef(db="RRID", id="RRID:CVCL_0030")])
    assert riken.entity_key == jcrb.entity_key == "cellosaurus:CVCL_0030"


def test_name_and_species_rule_without_xrefs() -> None:
    a = make_resource(resource_type="mouse_strain", name="C57BL/6J", catalog_id="RBRC00001",
                      species=Species(taxon_id=10090, scientific_name="Mus musculus"))
    b = make_resource(institution="jcrb", resource_type="mouse_strain", name="c57bl/6j ", catalog_id="JCRB0001",
                      species=Species(taxon_id=10090, scientific_name="Mus musculus"))
    assert a.entity_key == b.entity_key


def test_name_that_is_only_the_species_stands_alone() -> None:
    ecoli = Species(taxon_id=562, scientific_name="Escherichia coli")
    one = make_resource(resource_type="microbe", name="Escherichia coli", catalog_id="JCM 1649", species=ecoli)
    two = make_resource(resource_type="microbe", name="Escherichia  coli", catalog_id="JCM 20135", species=ecoli)
    assert one.entity_key != two.entity_key


def test_dirty_text_is_cleaned_and_lists_deduplicated() -> None:
    r = make_resource(name="  HeLa\u0007  cells ", synonyms=["Hela", " Hela ", "", "HELA"])
    assert r.name == "HeLa cells"
    assert r.synonyms == ["Hela", "HELA"]


def test_content_hash_ignores_provenance_but_not_content() -> None:
    a = make_resource(provenance=Provenance(source="riken", harvest_run="1"))
    b = make_resource(provenance=Provenance(source="riken", harvest_run="2"))
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != make_resource(name="HeLa S3").content_hash()


def test_unknown_fields_and_bad_types_are_refused() -> None:
    with pytest.raises(ValidationError):
        make_resource(resource_type="spaceship")
    with pytest.raises(ValidationError):
        make_resource(colour="blue")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "//evil", "ftp://x"])
def test_only_http_source_urls_survive(url: str) -> None:
    assert make_resource(source_url=url).source_url is None


def test_http_source_url_is_kept() -> None:
    assert make_resource(source_url="https://cell.brc.riken.jp/en/rcb/RCB0007").source_url.startswith("https://")
