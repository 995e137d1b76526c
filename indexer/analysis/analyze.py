"""The two entry points used by the indexer (documents) and the search service (queries).

Both run the same functions, so a document and a query always meet on the same tokens. Every output
string is a sequence of tokens separated by single ASCII spaces, meant for fields whose Elasticsearch
analyzer is ``whitespace`` (or ``standard`` + ``shingle`` for ``norm``/``cjk``); no token contains
whitespace or control characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.analysis.english import en_term_groups
from indexer.analysis.japanese import ja_term_groups
from indexer.analysis.normalize import JA_CHAR_RE, clean_text, fold_kana, has_japanese, normalize_text

__all__ = ["AnalyzedQuery", "AnalyzedText", "analyze_for_index", "analyze_query"]


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """Pre-analysed forms of one text, one per index field.

    Attributes:
        norm: normalised text (width/case/kana/dash folded, markup removed), for a ``standard`` +
            ``shingle`` field, phrase matching and prefix completion.
        ja: Sudachi terms, space-separated: each mode-C normalised form followed by its sub-words.
        en: English stems, space-separated, plus joined forms of compounds (``c57bl6j``).
        cjk: the Japanese characters of ``norm`` one per token, for a ``whitespace`` + ``shingle``
            (bigram) field that finds any substring of two or more characters.
    """

    norm: str
    ja: str
    en: str
    cjk: str


@dataclass(frozen=True, slots=True)
class AnalyzedQuery:
    """A query string analysed exactly like a document, plus what query building needs.

    Attributes:
        norm, ja, en, cjk: as in :class:`AnalyzedText`.
        terms: distinct terms (Japanese first, then English), for highlighting and synonym lookup.
        ja_words: the mode-C Japanese words in order, without sub-words (phrase matching).
        en_words: the English terms in order, as in ``en`` (phrase matching).
    """

    norm: str
    ja: str
    en: str
    cjk: str
    terms: list[str]
    ja_words: tuple[str, ...]
    en_words: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """Whether the query has no term any pre-analysed field can match (e.g. only punctuation)."""
        return not (self.ja or self.en or self.cjk)

    def as_text(self) -> AnalyzedText:
        """Return the field forms alone, as a document would store them."""
        return AnalyzedText(norm=self.norm, ja=self.ja, en=self.en, cjk=self.cjk)


def _cjk_chars(norm: str) -> str:
    return " ".join(JA_CHAR_RE.findall(norm))


def _analyze(text: str) -> tuple[str, str, list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Return ``(norm, cjk, ja_groups, en_groups)`` for ``text``, normalising only once."""
    if not text:
        return "", "", [], []
    if not has_japanese(text):
        norm = normalize_text(text)
        return norm, "", [], en_term_groups(norm, normalized=True)
    cleaned = clean_text(text)
    norm = fold_kana(cleaned)
    return (
        norm,
        _cjk_chars(norm),
        ja_term_groups(cleaned, cleaned=True),
        en_term_groups(norm, normalized=True),
    )


def analyze_for_index(text: str) -> AnalyzedText:
    """Analyse one document field value for indexing. Never raises on any ``str``."""
    norm, cjk, ja_groups, en_groups = _analyze(text)
    return AnalyzedText(
        norm=norm,
        ja=" ".join(t for g in ja_groups for t in g),
        en=" ".join(t for g in en_groups for t in g),
        cjk=cjk,
    )


def analyze_query(text: str) -> AnalyzedQuery:
    """Analyse a user query with the same functions as :func:`analyze_for_index`."""
    norm, cjk, ja_groups, en_groups = _analyze(text)
    ja_all = [t for g in ja_groups for t in g]
    en_all = [t for g in en_groups for t in g]
    return AnalyzedQuery(
        norm=norm,
        ja=" ".join(ja_all),
        en=" ".join(en_all),
        cjk=cjk,
        terms=list(dict.fromkeys([*ja_all, *en_all])),
        ja_words=tuple(g[0] for g in ja_groups),
        en_words=tuple(en_all),
    )
