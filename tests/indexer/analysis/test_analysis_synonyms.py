"""SynonymTable: matching on analysed forms, phrases, longest match, reload on change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.analysis import SynonymFileError, SynonymTable, analyze_query
from indexer.analysis.concepts import ConceptIndex


@pytest.fixture(scope="module")
def table() -> SynonymTable:
    return SynonymTable.load()


def groups(table: SynonymTable, query: str) -> list[str]:
    return [alt.group for alt in table.expand(analyze_query(query))]


def test_packaged_file_has_enough_groups(table: SynonymTable) -> None:
    assert table.group_count >= 40


@pytest.mark.parametrize("query", ["Mice", "mice", "mouse", "ＭＯＵＳＥ", "マウス", "まうす", "Mus musculus"])
def test_mouse_variants_hit_the_mouse_group(table: SynonymTable, query: str) -> None:
    assert groups(table, query) == ["マウス"]


def test_bilingual_queries_overlap(table: SynonymTable) -> None:
    english = set(groups(table, "diabetic mouse"))
    japanese = set(groups(table, "マウス 糖尿病"))
    assert english == japanese == {"マウス", "糖尿病"}


def test_alternatives_are_analysed_forms(table: SynonymTable) -> None:
    (alt,) = table.expand(analyze_query("mice"))
    assert alt.matched == ("mous",)
    assert any(form.ja == "マウス" for form in alt.forms)
    assert any(form.en == "mus musculus" for form in alt.forms)
    assert all(form.en != "mous" for form in alt.forms)  # the matched form is not repeated


def test_phrases_match_only_as_phrases(table: SynonymTable) -> None:
    assert groups(table, "diabetes mellitus") == ["糖尿病"]
    assert "マウス" not in groups(table, "musculus")
    assert groups(table, "E. coli") == groups(table, "E.coli") == ["大腸菌"]


def test_longest_match_wins(table: SynonymTable) -> None:
    assert groups(table, "breast cancer") == ["乳癌"]
    assert groups(table, "乳がん") == ["乳癌"]
    assert groups(table, "cancer") == ["がん"]


def test_from_lines_and_errors() -> None:
    table = SynonymTable.from_lines(["# comment", "", "foo, bar", "リンゴ\tapple"])
    assert groups(table, "bars") == ["foo"]
    assert groups(table, "りんご") == ["リンゴ"]
    assert groups(table, "apples") == ["リンゴ"]
    with pytest.raises(SynonymFileError) as info:
        SynonymTable.from_lines(["lonely", "x, !!!"])
    assert len(info.value.problems) == 3


def test_reload_on_change(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.tsv"
    path.write_text("マウス\tmouse\n", encoding="utf-8")
    table = SynonymTable.load(path, check_interval=0, concepts=ConceptIndex([]))  # the file alone
    assert groups(table, "rat") == []
    path.write_text("マウス\tmouse\nラット\trat\n", encoding="utf-8")
    os.utime(path, ns=(0, 10**18))
    assert groups(table, "rats") == ["ラット"]
    path.write_text("broken\n", encoding="utf-8")  # a bad edit keeps the previous table
    os.utime(path, ns=(0, 2 * 10**18))
    assert groups(table, "rats") == ["ラット"]


def test_concept_names_expand_queries_with_the_concept_id() -> None:
    """The packaged vocabulary: 肺がん, 肺ガン and "lung cancer" are ICD-10 C34; がん/癌/ガン fold into one concept."""
    table = SynonymTable.load()
    for q in ("肺がん", "肺ガン", "肺癌", "lung cancer"):
        assert [a.concept for a in table.expand(analyze_query(q))] == ["ICD10:C34"], q
    assert {a.concept for q in ("がん", "癌", "ガン") for a in table.expand(analyze_query(q))} == {"ICD10:C00-C97"}
    assert [a.concept for a in table.expand(analyze_query("cynomolgus"))] == ["NCBITaxon:9541"]
