"""en_terms: tokenisation of compounds, stop words, stemming, irregular and British forms."""

from __future__ import annotations

import pytest

from indexer.analysis.english import en_stem, en_terms


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cells", "cell"),
        ("mice", "mouse"),
        ("Mice", "MOUSE"),
        ("diabetic", "diabetes"),
        ("diabetics", "diabetes"),
        ("tumours", "tumor"),
        ("leukaemia", "leukemia"),
        ("bacteria", "bacterium"),
        ("algae", "alga"),
        ("naïve", "naive"),
    ],
)
def test_forms_meet(a: str, b: str) -> None:
    assert en_terms(a) == en_terms(b)


def test_stems() -> None:
    assert en_stem("cells") == "cell"
    assert en_stem("mice") == en_stem("mouse") == "mous"
    assert en_stem("diabetic") == en_stem("diabetes") == "diabet"


def test_compounds_emit_parts_and_joined_form() -> None:
    assert en_terms("C57BL/6J") == ["c57bl", "6j", "c57bl6j"]
    assert set(en_terms("C57BL6J")) <= set(en_terms("C57BL/6J"))
    assert en_terms("IL-6") == ["il", "6", "il6"]
    assert en_terms("1.5 mM") == ["1", "5", "mm"]  # no joined form for plain numbers


def test_stop_words_and_possessives() -> None:
    assert en_terms("the cells of the liver") == ["cell", "liver"]
    assert en_terms("Alzheimer's disease") == en_terms("Alzheimer disease")


def test_width_folded_and_japanese_ignored() -> None:
    assert en_terms("ＲＣＢ０００７") == ["rcb0007"]
    assert en_terms("HeLa細胞") == ["hela"]
    assert en_terms("細胞") == []
