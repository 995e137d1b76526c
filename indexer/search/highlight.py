"""Highlighting done in Python on the original text, so it works with pre-analysed fields and never
returns markup: a list of segments the renderer escapes one by one."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from schemas.search import Segment

_HIRA_TO_KATA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


@lru_cache(maxsize=8192)
def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).casefold().translate(_HIRA_TO_KATA)


def fold_needle(needle: str) -> str:
    """A needle folded the way text is folded before matching."""
    return "".join(_fold(ch) for ch in needle).strip()


def fold_needles(needles: Iterable[str]) -> frozenset[str]:
    """Fold a query's needles once per search (not once per highlighted text)."""
    folded = {fold_needle(n) for n in needles}
    return frozenset(n for n in folded if len(n) >= 2 or (n and ord(n[0]) > 0x2E80))


def highlight(text: str, needles: Iterable[str], *, limit: int = 300) -> list[Segment]:
    """Split ``text`` (cut to ``limit`` characters) into segments, marking case/width/kana-insensitive
    occurrences of any needle (pass :func:`fold_needles` output to fold them only once)."""
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    folded_needles = needles if isinstance(needles, frozenset) else fold_needles(needles)
    if text.isascii():
        haystack, origin = text.lower(), range(len(text))
    else:
        folds = [_fold(ch) for ch in text]
        haystack = "".join(folds)
        if len(haystack) == len(text):  # one folded character per character (the usual case)
            origin = range(len(text))
        else:
            origin = [index for index, piece in enumerate(folds) for _ in piece]  # type: ignore[assignment]
    marks = [False] * len(text)
    for needle in folded_needles:
        start = haystack.find(needle)
        while start != -1:
            for pos in range(start, start + len(needle)):
                marks[origin[pos]] = True
            start = haystack.find(needle, start + len(needle))
    if not any(marks):
        return [Segment(text=text, hit=False)] if text else []
    runs: list[tuple[int, bool]] = [(0, marks[0])]  # (start, hit) of each run of equal marks
    runs += [(index, mark) for index, (before, mark) in enumerate(pairwise(marks), 1) if mark != before]
    bounds = [start for start, _ in runs[1:]] + [len(text)]
    # Segment(...) (validated in pydantic-core) costs half of Segment.model_construct (Python).
    return [Segment(text=text[start:end], hit=hit) for (start, hit), end in zip(runs, bounds, strict=True)]
