"""The synonym groups' data and their matching against an analysed query (used by
:mod:`indexer.analysis.synonyms`, which loads, reloads and merges the groups)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.analysis.analyze import AnalyzedQuery, AnalyzedText

__all__ = ["Groups", "SynonymAlternative", "SynonymEntry"]

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SynonymEntry:
    """One written form of a group, with its analysis and its match keys."""

    text: str
    analyzed: AnalyzedText
    ja_key: tuple[str, ...]
    en_key: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SynonymAlternative:
    """A synonym group hit by a query, with the group's other forms ready to OR into the query.

    Attributes:
        group: the group's label (its first entry as written in the file).
        matched: the query phrases that hit the group, as analysed text (``"mous"``, ``"マウス"``).
        forms: the group's distinct analysed forms other than the matched ones; put
            ``form.ja`` against the Japanese field and ``form.en`` against the English field (as
            phrases when they hold several tokens).
    """

    group: str
    matched: tuple[str, ...]
    forms: tuple[AnalyzedText, ...]
    concept: str | None = None


@dataclass(frozen=True, slots=True)
class _Match:
    group: int
    entry: SynonymEntry
    ja_span: Span | None
    en_span: Span | None

    @property
    def size(self) -> int:
        return len(self.entry.ja_key) + len(self.entry.en_key)

    def inside(self, other: _Match) -> bool:
        """Whether every span of this match lies within the corresponding span of ``other``."""
        for mine, theirs in ((self.ja_span, other.ja_span), (self.en_span, other.en_span)):
            if mine is not None and (theirs is None or not (theirs[0] <= mine[0] and mine[1] <= theirs[1])):
                return False
        return True


def _find(seq: Sequence[str], key: tuple[str, ...], start: int = 0) -> int:
    """Position of ``key`` as a contiguous run in ``seq`` from ``start``, or -1."""
    n = len(key)
    for i in range(start, len(seq) - n + 1):
        if seq[i] == key[0] and tuple(seq[i : i + n]) == key:
            return i
    return -1


class Groups:
    """An immutable, indexed set of groups: what a reload swaps in one assignment."""

    def __init__(self, groups: list[tuple[SynonymEntry, ...]], concept_ids: list[str | None] | None = None) -> None:
        self.groups = groups
        self.concept_ids = concept_ids or [None] * len(groups)
        self.by_ja: dict[str, list[tuple[int, SynonymEntry]]] = {}
        self.by_en: dict[str, list[tuple[int, SynonymEntry]]] = {}
        for gid, entries in enumerate(groups):
            for entry in entries:
                index, key = (self.by_ja, entry.ja_key) if entry.ja_key else (self.by_en, entry.en_key)
                index.setdefault(key[0], []).append((gid, entry))

    def matches(self, query: AnalyzedQuery) -> list[_Match]:
        found: list[_Match] = []
        for words, index, is_ja in ((query.ja_words, self.by_ja, True), (query.en_words, self.by_en, False)):
            for i, word in enumerate(words):
                for gid, entry in index.get(word, ()):
                    key = entry.ja_key if is_ja else entry.en_key
                    if tuple(words[i : i + len(key)]) != key:
                        continue
                    span = (i, i + len(key))
                    other: Span | None = None
                    if is_ja and entry.en_key:
                        pos = _find(query.en_words, entry.en_key)
                        if pos < 0:
                            continue
                        other = (pos, pos + len(entry.en_key))
                    found.append(_Match(gid, entry, span, other) if is_ja else _Match(gid, entry, None, span))
        return found

    def expand(self, query: AnalyzedQuery) -> list[SynonymAlternative]:
        kept: list[_Match] = []
        for match in sorted(self.matches(query), key=lambda m: -m.size):
            if not any(k.group != match.group and k.size > match.size and match.inside(k) for k in kept):
                kept.append(match)
        by_group: dict[int, list[_Match]] = {}
        for match in sorted(kept, key=_position):
            by_group.setdefault(match.group, []).append(match)
        result: list[SynonymAlternative] = []
        for gid, group_matches in by_group.items():
            matched_keys = {(m.entry.ja_key, m.entry.en_key) for m in group_matches}
            forms: dict[tuple[tuple[str, ...], tuple[str, ...]], AnalyzedText] = {}
            for entry in self.groups[gid]:
                key = (entry.ja_key, entry.en_key)
                if key not in matched_keys and key not in forms:
                    forms[key] = entry.analyzed
            matched = tuple(
                dict.fromkeys(" ".join((*m.entry.ja_key, *m.entry.en_key)) for m in group_matches)
            )
            result.append(SynonymAlternative(self.groups[gid][0].text, matched, tuple(forms.values()),
                                             self.concept_ids[gid]))
        return result


def _position(match: _Match) -> tuple[int, int]:
    span = match.ja_span or match.en_span or (0, 0)
    return (0 if match.ja_span else 1, span[0])
