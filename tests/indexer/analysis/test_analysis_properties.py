"""Property tests: analysis never raises and normalisation is idempotent, on any Unicode."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import analyze_for_index, analyze_query, normalize_text

_JA_AND_MARKUP = st.text(
    alphabet=st.sampled_from(list("まうすマウスﾏｳｽ細胞株糖尿病ーｰ－−‐ ＡａＺ09<>&;/#ib\u3000\x00\u200b")),
    max_size=60,
)
_ANY = st.text(max_size=200)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_ANY, _JA_AND_MARKUP))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(_ANY, _JA_AND_MARKUP))
def test_analysis_never_raises_and_is_whitespace_safe(text: str) -> None:
    doc = analyze_for_index(text)
    query = analyze_query(text)
    assert query.as_text() == doc
    for value in (doc.norm, doc.ja, doc.en, doc.cjk):
        assert value == " ".join(value.split())
        value.encode("utf-8")  # no lone surrogates
