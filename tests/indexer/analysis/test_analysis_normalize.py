"""normalize_text: width, case, kana, dash, markup and control-character folding."""

from __future__ import annotations

import pytest

from indexer.analysis.normalize import clean_text, fold_kana, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＨｅＬａ", "hela"),
        ("ＲＣＢ０００７", "rcb0007"),
        ("ｼﾛｲﾇﾅｽﾞﾅ", "シロイヌナズナ"),
        ("まうす", "マウス"),
        ("マウス", "マウス"),
        ("ﾏｳｽ", "マウス"),
        ("Ｃ５７ＢＬ／６Ｊ", "c57bl/6j"),
        ("  Mus\u3000musculus \n", "mus musculus"),
        ("①", "1"),
    ],
)
def test_folds_width_case_and_kana(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("デ－タベース", "データベース"),  # full-width hyphen used as a long-vowel mark
        ("デ−タ", "データ"),  # minus sign after kana
        ("ら－めん", "ラーメン"),
        ("ノックアウト-マウス", "ノックアウト-マウス"),  # an ASCII hyphen stays a hyphen
        ("IL－6", "il-6"),
        ("A—B–C", "a-b-c"),
        ("ー", "-"),  # a long-vowel mark after nothing is a dash
        ("10〜20", "10~20"),
        ("Alzheimer’s", "alzheimer's"),
    ],
)
def test_dashes_quotes_and_waves(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("&lt;i&gt;Mus musculus&lt;/i&gt;", "mus musculus"),
        ("<i>E. coli</i> K-12", "e. coli k-12"),
        ("H<sub>2</sub>O", "h2o"),
        ("a<br>b<p>c</p>", "a b c"),
        ("x<script>alert('x')</script>y", "x y"),
        ("<script>alert(1)", "alert(1)"),
        ("Tom &amp; Jerry", "tom & jerry"),
        ("&amp;lt;b&amp;gt;bold", "bold"),  # doubly escaped
        ("Lepr<db>", "lepr<db>"),  # genotype notation, not a tag
        ("a < b > c", "a < b > c"),
        ("<!-- note -->text", "text"),
    ],
)
def test_markup(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_control_and_format_characters() -> None:
    raw = "a\x00b\x1fc\u200bd\u200de\ufefff\u00adg\td\ud800"
    out = normalize_text(raw)
    assert out == "a b c defg d"
    assert out.isprintable()


def test_clean_text_keeps_hiragana() -> None:
    assert clean_text("まうすの ＨｅＬａ") == "まうすの hela"
    assert fold_kana(clean_text("まうすの ＨｅＬａ")) == normalize_text("まうすの ＨｅＬａ")


def test_empty_and_ascii_fast_path() -> None:
    assert normalize_text("") == ""
    assert normalize_text("   ") == ""
    assert normalize_text("HeLa Cells") == "hela cells"


def test_long_input() -> None:
    raw = ("ＨｅＬａ細胞 まうす <b>x</b> &amp; " * 400)[:10_000]
    out = normalize_text(raw)
    assert "hela細胞 マウス x &" in out
    assert normalize_text(out) == out


@pytest.mark.parametrize(
    "raw",
    ["ＨｅＬａ", "&amp;amp;amp;", "<<b>i>x</<b>i>", "ΐ ǅ ẞ ﬃ", "ｶﾞｰ－ｰ", "&#xff21;&#1;", "ア\u2212\u30fc-ー"],
)
def test_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
