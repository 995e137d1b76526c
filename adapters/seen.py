"""Compact memory of the ids a run has mapped, for duplicate detection at any catalog size.

A ``dict[int, int]`` of two 64-bit hashes costs about 100 bytes an entry (two int objects and a
hash-table slot); at a million records that is 100 MB in one process. :class:`SeenIds` keeps recent
entries in a small dict and merges them, in batches, into two sorted ``array('q')`` columns: 16 bytes
an entry, looked up by binary search.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

__all__ = ["SeenIds"]


class SeenIds:
    """Id hash → content hash of the first copy of every record seen (64-bit ints, as ``hash()`` gives)."""

    def __init__(self, buffer: int = 65_536) -> None:
        self._buffer = max(1, buffer)
        self._keys = array("q")
        self._digests = array("q")
        self._recent: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)

    def get(self, key: int) -> int | None:
        """The content hash stored for ``key``, or None if it was not seen."""
        recent = self._recent.get(key)
        if recent is not None:
            return recent
        keys = self._keys
        i = bisect_left(keys, key)
        return self._digests[i] if i < len(keys) and keys[i] == key else None

    def add(self, key: int, digest: int) -> None:
        """Remember ``key`` (not already present) with its content hash."""
        self._recent[key] = digest
        if len(self._recent) >= self._buffer:
            self._merge()

    def _merge(self) -> None:
        """Merge the sorted recent keys into the columns: one binary search per recent key, the runs
        of old entries between them copied as array slices."""
        old_keys, old_digests, recent = self._keys, self._digests, self._recent
        keys, digests = array("q"), array("q")
        at = 0
        for key in sorted(recent):
            i = bisect_left(old_keys, key, at)
            keys.extend(old_keys[at:i])
            digests.extend(old_digests[at:i])
            keys.append(key)
            digests.append(recent[key])
            at = i
        keys.extend(old_keys[at:])
        digests.extend(old_digests[at:])
        self._keys, self._digests = keys, digests
        recent.clear()
