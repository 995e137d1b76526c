"""Text normalisation shared by every analysed field, at index time and at query time.

``normalize_text`` is the one folding function: everything else in this package (Sudachi terms,
English stems, synonym keys) is derived from its output or folded by it, so a document and a query
that differ only in width, case, kana script, dash style or HTML escaping meet on the same tokens.

Decisions:

* Unicode NFKC, then casefold: full-width ASCII becomes ASCII, half-width katakana becomes full-width,
  compatibility characters (①, ㍻, ﬁ) decompose, ``ＨｅＬａ`` becomes ``hela``.
* Hiragana folds to katakana (``まうす`` == ``マウス``); :func:`clean_text` is the same pipeline without
  that step, for the morphological analyser, which needs real hiragana to find particles.
* Dashes: a run of dash-like characters (``－ ‐ ‑ ‒ – — ― − ｰ ー``) right after kana is a long-vowel
  mark and becomes ``ー`` (legacy Shift_JIS data writes ``デ－タ``); anywhere else it becomes ASCII
  ``-``. The ASCII hyphen-minus itself is never turned into ``ー``. Wave dashes become ``~``,
  typographic quotes ASCII quotes.
* HTML: entities are unescaped and real HTML tags removed (see :mod:`indexer.analysis.markup`),
  repeated until stable so that doubly-escaped input keeps the function idempotent.
* Control characters become spaces; format characters (zero-width, BOM, bidi marks, soft hyphen),
  noncharacters and lone surrogates are removed; whitespace runs collapse to one ASCII space; ends
  are stripped.

The function is idempotent and never raises on any ``str``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indexer.analysis.charmaps import CONTROL_RE, CONTROL_TABLE, DASH_SENTINEL, PUNCT_RE, PUNCT_TABLE
from indexer.analysis.markup import strip_markup_once

__all__ = [
    "JA_CHARS",
    "JA_CHAR_RE",
    "JA_RUN_RE",
    "clean_text",
    "fold_kana",
    "has_japanese",
    "normalize_term",
    "normalize_text",
]

#: Character class (regex body) of the scripts handed to the Japanese analyser.
JA_CHARS = (
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana and ー (not the ・ separator)
    "\u31f0-\u31ff"  # small katakana extension
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003134f"  # CJK extensions B..G
)
JA_CHAR_RE = re.compile(f"[{JA_CHARS}]")
JA_RUN_RE = re.compile(f"[{JA_CHARS}]+")
# Raw-text gate: anything that may *become* Japanese after NFKC (half-width katakana, ㍻, ㈱, 🈁).
_MAYBE_JA_RE = re.compile(
    "[\u3000-\u9fff\uf900-\ufaff\uff66-\uff9f\U0001f200-\U0001f2ff\U00020000-\U0003134f]"
)

_KANA_RE = re.compile("[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fd\u30fe\u31f0-\u31ff]")
_DASH_RUN_RE = re.compile(f"[{DASH_SENTINEL}\u30fc]+")
_HIRAGANA_RE = re.compile("[\u3041-\u3096\u309d\u309e]+")
_HIRA_TO_KATA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)} | {0x309D: 0x30FD, 0x309E: 0x30FE}
_MAX_MARKUP_PASSES = 8  # bounds the work on adversarial nesting such as "&amp;amp;amp;..."


def _replace_control(m: re.Match[str]) -> str:
    return CONTROL_TABLE[ord(m.group())]


def _replace_punct(m: re.Match[str]) -> str:
    return PUNCT_TABLE[ord(m.group())]


def _replace_dash_run(m: re.Match[str]) -> str:
    start = m.start()
    after_kana = start > 0 and _KANA_RE.match(m.string, start - 1) is not None
    return ("\u30fc" if after_kana else "-") * (m.end() - start)


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_HIRA_TO_KATA)


def _clean_once(s: str) -> str:
    """One pass of the character-level pipeline (no markup, no kana folding, no whitespace collapse)."""
    if s.isascii():
        if not s.isprintable() and CONTROL_RE.search(s):
            s = CONTROL_RE.sub(_replace_control, s)
        return s.lower()
    if not s.isprintable() and CONTROL_RE.search(s):
        s = CONTROL_RE.sub(_replace_control, s)
    if PUNCT_RE.search(s):
        s = PUNCT_RE.sub(_replace_punct, s)
    s = unicodedata.normalize("NFKC", s).casefold()
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)  # casefolding can leave decomposed sequences
        if _DASH_RUN_RE.search(s):
            s = _DASH_RUN_RE.sub(_replace_dash_run, s)
    return s


def _clean(s: str) -> str:
    s = _clean_once(s)
    for _ in range(_MAX_MARKUP_PASSES):
        if ("&" not in s and "<" not in s) or (stripped := strip_markup_once(s)) == s:
            break
        # Unescaping can reveal full-width text, control characters or more markup: start again.
        s = _clean_once(stripped)
    return s


def clean_text(s: str) -> str:
    """Normalise ``s`` like :func:`normalize_text` but keep hiragana as hiragana.

    This is the input for the morphological analyser; index and query both use it the same way.
    """
    if not s:
        return ""
    return " ".join(_clean(s).split())


def fold_kana(s: str) -> str:
    """Fold hiragana to katakana (``ま`` → ``マ``, ``ゝ`` → ``ヽ``); everything else is unchanged."""
    if _HIRAGANA_RE.search(s) is None:
        return s
    return _HIRAGANA_RE.sub(_fold_run, s)


def normalize_text(s: str) -> str:
    """Return the canonical search form of ``s``: width/case/kana/dash folded, markup-free, one-spaced.

    Idempotent: ``normalize_text(normalize_text(x)) == normalize_text(x)`` for every string.
    """
    if not s:
        return ""
    if s.isascii() and s.isprintable() and "&" not in s and "<" not in s and "  " not in s:
        return s.lower().strip()
    return " ".join(fold_kana(_clean(s)).split())


@lru_cache(maxsize=50_000)
def normalize_term(term: str) -> str:
    """Normalise one analyser output term and make it safe as a whitespace-separated token."""
    return "".join(normalize_text(term).split())


def has_japanese(s: str) -> bool:
    """Whether ``s`` (raw or normalised) may hold text for the Japanese analyser.

    A cheap gate: it may say yes for text whose Japanese-looking characters normalise away.
    """
    return not s.isascii() and _MAYBE_JA_RE.search(s) is not None
