"""analyze_for_index / analyze_query: one analysis for documents and queries."""

from __future__ import annotations

from indexer.analysis import analyze_for_index, analyze_query


def test_hela_cells_mixed() -> None:
    doc = analyze_for_index("ＨｅＬａ細胞")
    assert doc.norm == "hela細胞"
    assert doc.ja.split() == ["細胞"]
    assert doc.en.split() == ["hela"]
    assert doc.cjk == "細 胞"


def test_query_and_document_meet() -> None:
    doc = analyze_for_index("糖尿病モデルマウス C57BL/6J mice")
    for query in ("マウス", "まうす", "mouse", "ＭＯＵＳＥ", "糖尿病", "C57BL6J", "c57bl/6j"):
        q = analyze_query(query)
        assert set(q.terms) <= set(doc.ja.split()) | set(doc.en.split()), query


def test_query_fields() -> None:
    q = analyze_query("ヒト肝細胞癌 HeLa cells")
    assert q.ja_words == ("人", "肝細胞癌")
    assert q.en_words == ("hela", "cell")
    assert q.terms == ["人", "肝細胞癌", "肝", "細胞", "癌", "hela", "cell"]
    assert q.as_text() == analyze_for_index("ヒト肝細胞癌 HeLa cells")
    assert not q.is_empty
    assert analyze_query(" 、。!? ").is_empty


def test_tokens_are_whitespace_safe() -> None:
    doc = analyze_for_index("<script>alert('x')</script>\x00ＲＣＢ０００７\u200bヒト\t細胞")
    for value in (doc.norm, doc.ja, doc.en, doc.cjk):
        assert value == " ".join(value.split())
        assert value.isprintable()
    assert "script" not in doc.en


def test_ten_kilobyte_input() -> None:
    text = ("ヒト子宮頸癌由来の細胞株 HeLa (RCB0007)。 Human cervical cancer cells. " * 200)[:10_000]
    doc = analyze_for_index(text)
    assert doc.ja.split().count("子宮頸癌") >= 100
    assert "hela" in doc.en.split()
