"""Identifier normalisation: the same id however a researcher or a catalog typed it."""

from __future__ import annotations

import pytest

from schemas.identifiers import (
    canonical_id,
    curie_key,
    display_id,
    identifier_candidates,
    identifier_keys,
    whole_query_keys,
)


@pytest.mark.parametrize(
    ("variants", "key", "shown"),
    [
        (["RBRC00001", "rbrc 1", "RBRC-00001", "ＲＢＲＣ００００１", "rbrc_0001"], "RBRC1", "RBRC00001"),
        (["JCM 1234", "JCM1234", "jcm-1234"], "JCM1234", "JCM 1234"),
        (["NIES-1234", "NIES 1234", "nies1234"], "NIES1234", "NIES-1234"),
        (["RCB0007", "rcb 7", "ＲＣＢ０００７"], "RCB7", "RCB0007"),
        (["CVCL_0030", "RRID:CVCL_0030", "cvcl 0030"], "CVCL_0030", "CVCL_0030"),
        (["MAFF 123456", "maff123456"], "MAFF123456", "MAFF 123456"),
        (["TBB-COL-0001", "tbb-col 1"], "TBB-COL1", "TBB-COL-0001"),
    ],
)
def test_variants_share_one_key_and_display_form(variants: list[str], key: str, shown: str) -> None:
    assert {canonical_id(v) for v in variants} == {key}
    assert {display_id(v) for v in variants} == {shown}


@pytest.mark.parametrize("text", ["HeLa", "C57BL/6J", "diabetic mouse", "", "*", "x" * 500, "2019"])
def test_non_identifiers_are_not_keys(text: str) -> None:
    assert canonical_id(text) is None


def test_candidates_found_inside_free_text() -> None:
    found = identifier_candidates("HeLa rcb 7 or JCM 1234?")
    assert found[1:3] == ["RCB7", "JCM1234"] and "X:7" not in found  # a lone digit is no catalog number


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("1035", ["1035", "01035"]),
        ("110a", ["110a", "110A", "110 a"]),
        ("hdl:1765/9", ["hdl:1765/9", "1765/9", "http://hdl.handle.net/1765/9", "HDL 1765/9"]),
        ("10.5281/zenodo.8435696", ["doi:10.5281/zenodo.8435696", "https://doi.org/10.5281/Zenodo.8435696",
                                    "10.5281/ZENODO.8435696", "http://dx.doi.org/10.5281/zenodo.8435696"]),
        ("bbmri-eric:ID:CZ_MMCI:collection:LTS", ["bbmri-eric:ID:CZ_MMCI:collection:LTS", "BBMRI-ERIC:ID:CZ_MMCI:COLLECTION:LTS"]),
        ("CAS 37109", ["CAS 37109", "cas37109", "CAS-37109"]),
    ],
)
def test_identifiers_of_every_style_meet_in_a_key(stored: str, typed: list[str]) -> None:
    keys = set(identifier_keys(stored))
    for text in typed:
        assert keys & set(whole_query_keys(text)), text


def test_unknown_schemes_keep_the_institutions_spelling() -> None:
    assert display_id("CAS 37109") == "CAS 37109" and canonical_id("CAS 37109") == "CAS37109"
    assert display_id("rbrc 1") == "RBRC00001"


@pytest.mark.parametrize(("db", "local", "typed"), [
    ("MGI", "MGI:1857469", ["MGI:1857469", "mgi 1857469", "MGI:1857469 "]),
    ("NCBI_Taxonomy", "9606", ["NCBITaxon:9606", "taxid:9606", "NCBITaxon 9606"]),
    ("Cellosaurus", "CVCL_0030", ["cellosaurus:CVCL_0030"]),
])
def test_registry_prefixes_and_their_synonyms_meet_in_a_key(db: str, local: str, typed: list[str]) -> None:
    """Prefixes, synonyms and patterns come from the Bioregistry's data, not from a hand-written table."""
    key = curie_key(db, local)
    assert key is not None
    for text in typed:
        assert key in whole_query_keys(text), text


def test_a_local_id_must_fit_its_registry_pattern() -> None:
    assert curie_key("MGI", "not a number") is None and curie_key("nosuchregistry", "1") is None
