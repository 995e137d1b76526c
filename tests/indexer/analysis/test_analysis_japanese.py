"""ja_terms: Sudachi normalised forms, part-of-speech filter, compound sub-words, chunking."""

from __future__ import annotations

import threading

from indexer.analysis.japanese import MAX_CHUNK_CHARS, ja_term_groups, ja_terms


def test_compound_is_split() -> None:
    terms = ja_terms("糖尿病モデルマウス")
    assert {"糖尿病", "モデル", "マウス"} <= set(terms)


def test_hela_cells_gives_cell_term_only_for_japanese_part() -> None:
    assert ja_terms("HeLa細胞") == ["細胞"]


def test_normalised_forms_and_kana_folding() -> None:
    assert ja_terms("まうす") == ja_terms("マウス") == ["マウス"]
    assert ja_terms("乳がん") == ja_terms("乳癌") == ["乳癌"]
    assert ja_terms("ｼﾛｲﾇﾅｽﾞﾅ") == ["シロイヌナズナ"]
    assert ja_terms("㈱") == ["株"]


def test_particles_auxiliaries_and_punctuation_are_dropped() -> None:
    terms = ja_terms("マウスの細胞株を用いた。")
    assert not {"ノ", "ヲ", "タ"} & set(terms)
    assert {"マウス", "細胞", "株"} <= set(terms)


def test_sub_words_follow_their_compound() -> None:
    groups = ja_term_groups("ヒト肝細胞癌由来")
    assert ("肝細胞癌", "肝", "細胞", "癌") in groups
    assert [g[0] for g in groups] == ["人", "肝細胞癌", "由来"]


def test_ascii_fast_path() -> None:
    assert ja_terms("HeLa cells, C57BL/6J") == []
    assert ja_terms("") == []


def test_input_beyond_sudachi_limit_is_chunked() -> None:
    text = "糖尿病モデルマウス。" * (MAX_CHUNK_CHARS // 5)  # ~24k chars, ~72 kB: over Sudachi's 49 kB
    terms = ja_terms(text)
    assert terms.count("マウス") == MAX_CHUNK_CHARS // 5


def test_one_tokenizer_per_thread() -> None:
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(50):
            results.append(ja_terms("糖尿病モデルマウスの細胞"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 200
    assert all(r == results[0] for r in results)
