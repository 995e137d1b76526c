"""Identifier normalisation: the same id however a researcher or a catalog typed it."""

from __future__ import annotations

import pytest

from schemas.identifiers import canonical_id, display_id, identifier_candidates


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
    assert identifier_candidates("HeLa rcb 7 or JCM 1234?") == ["RCB7", "JCM1234"]
