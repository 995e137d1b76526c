"""What to try next when a search finds nothing: spellings close to each word of the query, taken
from the catalog's own names (the autocomplete index) and the controlled vocabulary."""

from __future__ import annotations

import asyncio
import difflib
import re

from indexer.search.service import SearchService
from schemas.vocab import AVAILABILITY_LABELS, RESOURCE_TYPE_LABELS

MAX_SUGGESTIONS = 5
_WORD = re.compile(r"\w+", re.UNICODE)


def _vocabulary() -> set[str]:
    words: set[str] = set()
    for labels in (*RESOURCE_TYPE_LABELS.values(), *AVAILABILITY_LABELS.values()):
        for label in labels:
            words.update(w.lower() for w in _WORD.findall(label or ""))
    return words


VOCABULARY = frozenset(_vocabulary())


async def alternatives(search: SearchService, q: str) -> list[str]:
    """Queries close to ``q`` (one word respelled each), most likely first; [] when nothing is close."""
    words = _WORD.findall(q)[:6]
    if not words:
        return []
    names = await asyncio.gather(*(search.suggest(w[:2], size=20) for w in words if len(w) >= 3))
    known = set(VOCABULARY)
    for found in names:
        for name in found:
            known.update(w.lower() for w in _WORD.findall(name))
            known.add(name.lower())
    out: list[str] = []
    for word in words:
        if len(word) < 3 or word.lower() in known:
            continue
        for candidate in difflib.get_close_matches(word.lower(), known, n=3, cutoff=0.7):
            suggestion = q.replace(word, candidate, 1)
            if suggestion.lower() != q.lower() and suggestion not in out:
                out.append(suggestion)
    return out[:MAX_SUGGESTIONS]
