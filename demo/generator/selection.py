"""Lazy views over an institution's index space: filter by datestamp window, kind and deletion.

A selection never materialises the catalog: base records have datestamps that grow with their index,
so a datestamp window is one contiguous index range; the few mutated records (kept in a small dict
of overrides) are merged in by index.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from demo.generator.layout import KindLayout


@dataclass(frozen=True, slots=True)
class Override:
    """A mutated record: the tick of its last change, its version and whether it is deleted."""

    tick: int
    version: int
    deleted: bool


class Selection:
    """The records matching a window, in index order; counted and paged without building a list."""

    def __init__(self, *, layout: KindLayout, lo: int, hi: int, overrides: Mapping[int, Override],
                 override_keys: Sequence[int], since: int | None, until: int | None, kind: str | None,
                 include_deleted: bool, limit: int | None = None) -> None:
        self._layout, self._lo, self._hi = layout, lo, hi
        self._overrides, self._keys = overrides, override_keys
        self._since, self._until, self._kind = since, until, kind
        self._include_deleted = include_deleted
        # Overrides inside the base range that the range would count but that do not match.
        self._excluded = [k for k in override_keys[bisect_left(override_keys, lo):bisect_left(override_keys, hi)]
                          if (kind is None or layout.kind_of(k) == kind) and not self._override_matches(k)]
        self._below = [k for k in override_keys[:bisect_left(override_keys, lo)] if self._override_matches(k)]
        self._above = [k for k in override_keys[bisect_left(override_keys, hi):] if self._override_matches(k)]
        full = len(self._below) + self._range_count() + len(self._above)
        self.limit = full if limit is None else min(limit, full)

    def _override_matches(self, index: int) -> bool:
        o = self._overrides[index]
        if o.deleted and not self._include_deleted:
            return False
        if self._kind is not None and self._layout.kind_of(index) != self._kind:
            return False
        return (self._since is None or o.tick >= self._since) and (self._until is None or o.tick <= self._until)

    def __len__(self) -> int:
        return self.limit

    def _range_indices(self, start: int) -> Iterator[int]:
        begin = max(start, self._lo)
        if self._kind is None:
            candidates: Iterator[int] = iter(range(begin, self._hi))
        else:
            layout, kind = self._layout, self._kind
            first, last = layout.count_below(kind, begin), layout.count_below(kind, self._hi)
            candidates = (layout.global_index(kind, j) for j in range(first, last))
        excluded = set(self._excluded)
        for index in candidates:
            if index not in excluded:
                yield index

    def iter_from(self, start: int = 0) -> Iterator[int]:
        """Yield matching indices ``>= start`` in ascending order (the ``limit`` is not applied here)."""
        yield from self._below[bisect_left(self._below, start):]
        yield from self._range_indices(start)
        yield from self._above[bisect_left(self._above, start):]

    def __iter__(self) -> Iterator[int]:
        for n, index in enumerate(self.iter_from(0)):
            if n >= self.limit:
                return
            yield index

    def nth(self, k: int) -> int | None:
        """Return the ``k``-th matching index (0-based), or None past the end or the limit."""
        if k < 0 or k >= self.limit:
            return None
        if k < len(self._below):
            return self._below[k]
        k -= len(self._below)
        in_range = self._range_count()
        if k >= in_range:
            return self._above[k - in_range]
        excluded = self._excluded
        if self._kind is None:
            i = self._lo + k
            while True:
                nxt = self._lo + k + bisect_right(excluded, i)
                if nxt == i:
                    return i
                i = nxt
        # Kind-filtered: work in the kind's local numbering, where the range is contiguous too.
        layout, kind = self._layout, self._kind
        base = layout.count_below(kind, self._lo)
        j = base + k
        while True:
            nxt = base + k + bisect_right(excluded, layout.global_index(kind, j))
            if nxt == j:
                return layout.global_index(kind, j)
            j = nxt

    def _range_count(self) -> int:
        if self._kind is None:
            return self._hi - self._lo - len(self._excluded)
        layout, kind = self._layout, self._kind
        return layout.count_below(kind, self._hi) - layout.count_below(kind, self._lo) - len(self._excluded)
