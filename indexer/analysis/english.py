"""English (and other Latin-script) terms: tokenise, drop stop words, fold irregular forms, stem.

Tokenisation works on normalised text. A *compound* is a run of letters/digits joined by ``- / . : + _ '``
without spaces (``c57bl/6j``, ``il-6``, ``e.coli``, ``t-cells``). Each part is a term, and when a
compound has several parts the joined form is a term too (``c57bl/6j`` → ``c57bl 6j c57bl6j``), so
``C57BL/6J``, ``C57BL6J`` and ``C57BL 6J`` meet. Parts are stemmed with Snowball English (PyStemmer)
after an irregular-plural table (``mice`` → ``mouse``, ``bacteria`` → ``bacterium``); stems are then
mapped from British to American spelling (``tumour`` → ``tumor``). Snowball already makes ``diabetic``,
``diabetes`` and ``diabetics`` meet on ``diabet``. Japanese characters are separators here.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

from indexer.analysis.english_lexicon import BRITISH_TO_AMERICAN, IRREGULAR_SINGULARS, STOP_WORDS
from indexer.analysis.normalize import normalize_text

__all__ = ["en_stem", "en_term_groups", "en_terms"]

_WORD = r"[0-9a-z\u00df-\u00f6\u00f8-\u024f\u0370-\u03ff]+"
_COMPOUND_RE = re.compile(rf"{_WORD}(?:[-/.:+_']+{_WORD})*")
_WORD_RE = re.compile(_WORD)
_POSSESSIVE_RE = re.compile(r"'s\b")
_MAX_TERM_CHARS = 100

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("english")
        _local.stemmer = stemmer
    return stemmer


def _strip_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def en_stem(word: str) -> str:
    """Stem one lower-case word: irregular table, Snowball English, then British → American."""
    if word.isdigit():  # numbers (catalog numbers, years) have no stem; skipping Snowball saves a lot
        return word
    word = _strip_accents(word)
    word = IRREGULAR_SINGULARS.get(word, word)
    stem: str = _stemmer().stemWord(word)
    return _STEM_ALIASES.get(stem, stem)


def _build_stem_aliases() -> dict[str, str]:
    stemmer = Stemmer.Stemmer("english")
    return {stemmer.stemWord(gb): stemmer.stemWord(us) for gb, us in BRITISH_TO_AMERICAN.items()}


_STEM_ALIASES = _build_stem_aliases()


@lru_cache(maxsize=50_000)
def _compound_terms(token: str) -> tuple[str, ...]:
    """Terms of one compound token: stemmed parts minus stop words, then the stemmed joined form."""
    if len(token) > _MAX_TERM_CHARS:
        token = token[:_MAX_TERM_CHARS]
    parts = _WORD_RE.findall(token)
    terms = [en_stem(p) for p in parts if p not in STOP_WORDS]
    if len(parts) > 1 and not all(p.isdigit() for p in parts):
        joined = en_stem("".join(parts))
        if joined not in terms:
            terms.append(joined)
    return tuple(terms)


def en_term_groups(s: str, *, normalized: bool = False) -> list[tuple[str, ...]]:
    """Return, per compound token of ``s``, ``(stemmed parts..., joined form)`` with stop words dropped.

    The joined form is present only for compounds of several parts that are not all digits.
    ``normalized=True`` skips :func:`normalize_text` when the caller already applied it.
    """
    text = s if normalized else normalize_text(s)
    if "'" in text:
        text = _POSSESSIVE_RE.sub("", text)
    return [terms for token in _COMPOUND_RE.findall(text) if (terms := _compound_terms(token))]


def en_terms(s: str, *, normalized: bool = False) -> list[str]:
    """English index/query terms of ``s`` in text order (see :func:`en_term_groups`)."""
    return [term for group in en_term_groups(s, normalized=normalized) for term in group]
