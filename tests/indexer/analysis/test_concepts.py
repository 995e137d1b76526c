"""The concept vocabulary: lookups of harvested values, the ICD-10 hierarchy, one concept per value."""

from __future__ import annotations

import pytest

from indexer.analysis.concepts import default_concepts
from indexer.documents import concept_fields
from schemas.resource import Provenance, Resource, Species


@pytest.mark.parametrize(("kind", "value", "concept"), [
    ("disease", "C34.9", "ICD10:C34.9"),
    ("disease", "urn:miriam:icd:C34", "ICD10:C34"),
    ("disease", "II", "ICD10:II"),
    ("disease", "C00-C97", "ICD10:C00-C97"),
    ("disease", "lung adenocarcinoma", "BX:disease:lung-adenocarcinoma"),
    ("disease", "肺腺癌", "BX:disease:lung-adenocarcinoma"),
    ("disease", "ORPHA:93560", "ORPHA:93560"),
    ("sample_type", "血清 serum", "BX:sample_type:serum"),
    ("sample_type", "SERUM", "BX:sample_type:serum"),
    ("tissue", "uterine cervix", "BX:tissue:uterine-cervix"),
    ("species", "Macaca fascicularis", "NCBITaxon:9541"),
])
def test_harvested_values_find_their_concept(kind: str, value: str, concept: str) -> None:
    assert default_concepts().lookup(kind, value) == concept


def test_icd_hierarchy_and_labels_in_both_languages() -> None:
    concepts = default_concepts()
    assert concepts.ancestors("BX:disease:lung-adenocarcinoma")[:2] == ("ICD10:C34", "ICD10:C30-C39")
    assert concepts.ancestors("ICD10:C34.9")[-1] == "ICD10:II"
    assert (concepts.label("ICD10:C34", "ja"), concepts.label("ICD10:C34", "en")) == ("肺癌", "lung cancer")
    assert concepts.label("ICD10:II", "en") == "neoplasms" and concepts.label("ICD10:II", "ja") == "新生物"
    assert "Malignant neoplasm of bronchus and lung" in concepts.by_id["ICD10:C34"].synonyms  # WHO's own label
    assert "WHO ICD-10" in concepts.by_id["ICD10:C34"].source and "curated" in concepts.by_id["ICD10:C34"].source


def _resource(**fields: object) -> Resource:
    return Resource.model_validate({"institution": "riken-brc", "catalog_id": "RCB0007", "resource_type": "cell_line",
                                    "name": "HeLa", "provenance": Provenance(source="t"), **fields})


def test_one_value_per_concept_and_gaps_reported_not_dropped() -> None:
    fields = concept_fields(_resource(diseases=["子宮頸癌", "cervical adenocarcinoma", "no such disease"],
                                      species=Species(taxon_id=9606, scientific_name="Homo sapiens")))
    # 子宮頸癌 (C53) is the parent of cervical adenocarcinoma: the record is filed under the narrower one
    assert fields["disease_ids"] == ["BX:disease:cervical-adenocarcinoma", "text:no such disease"]
    assert "ICD10:C53" in fields["concepts"] and "ICD10:II" in fields["concepts"]
    assert fields["species_ids"] == ["NCBITaxon:9606"] and "NCBITaxon:9443" in fields["concepts"]
    assert fields["unmapped"] == ["disease:no such disease"]


@pytest.mark.parametrize(("name", "concept", "parent"), [
    ("Achillea falcata L.", "NAME:Achillea falcata", "NAME:Achillea"),
    ("Poa bulbosa agg. L.", "NAME:Poa bulbosa", "NAME:Poa"),
    ("Medicago x varia Martyn", "NAME:Medicago × varia", "NAME:Medicago"),
])
def test_an_organism_without_taxon_id_is_its_latin_binomial_under_its_genus(name: str, concept: str, parent: str) -> None:
    concepts = default_concepts()
    assert concepts.species_id(None, name) == concept and concepts.ancestors(concept) == (parent,)
    assert concepts.species_id(None, "noch unbestimmt !!!") is None  # "not determined yet" names no organism


def test_icd_labels_in_japanese_everywhere() -> None:
    """Curated names of the Japanese ICD-10 edition; a subcategory without one shows its nearest named
    ancestor with its own code, so a Japanese facet never falls back to English."""
    concepts = default_concepts()
    assert concepts.label("ICD10:C67", "ja") == "膀胱の悪性新生物" and concepts.lookup("disease", "膀胱癌") == "ICD10:C67"
    assert concepts.label("ICD10:C18.9", "ja") == "結腸癌（C18.9）"
    assert concepts.label("ICD10:XXI", "ja").startswith("健康状態")
