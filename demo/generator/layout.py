"""Interleaving of resource kinds inside one institution's index space.

An institution's records are numbered 0, 1, 2, ... in one index space (the order its catalog lists
them). Kinds are interleaved by a fixed period, so the kind of record ``i``, its position among the
records of its kind and the number of records of a kind below any index are all O(1) arithmetic:
no table of the catalog is ever built.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KindLayout:
    """The fixed interleaving of kinds with integer ``weights`` (records per period)."""

    weights: tuple[tuple[str, int], ...]
    pattern: tuple[str, ...] = field(init=False)
    positions: dict[str, tuple[int, ...]] = field(init=False)

    def __post_init__(self) -> None:
        period = sum(w for _, w in self.weights)
        # Spread each kind evenly over the period (largest remainder), so small catalogs hold every kind.
        slots: list[tuple[float, int, str]] = []
        for order, (kind, weight) in enumerate(self.weights):
            slots.extend(((n + 0.5) / weight, order, kind) for n in range(weight))
        pattern = tuple(kind for _, _, kind in sorted(slots))
        assert len(pattern) == period
        positions = {kind: tuple(p for p, k in enumerate(pattern) if k == kind) for kind, _ in self.weights}
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "positions", positions)

    @property
    def period(self) -> int:
        """Number of records in one period of the pattern."""
        return len(self.pattern)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds in declaration order."""
        return tuple(kind for kind, _ in self.weights)

    def kind_of(self, index: int) -> str:
        """Return the kind of the record at ``index``."""
        return self.pattern[index % len(self.pattern)]

    def locate(self, index: int) -> tuple[str, int]:
        """Return ``(kind, local_index)`` of the record at ``index``."""
        period = len(self.pattern)
        cycle, offset = divmod(index, period)
        kind = self.pattern[offset]
        pos = self.positions[kind]
        return kind, cycle * len(pos) + bisect_left(pos, offset)

    def global_index(self, kind: str, local: int) -> int:
        """Return the institution index of the ``local``-th record of ``kind``."""
        pos = self.positions[kind]
        cycle, offset = divmod(local, len(pos))
        return cycle * len(self.pattern) + pos[offset]

    def count_below(self, kind: str, index: int) -> int:
        """Return how many records of ``kind`` have an institution index below ``index``."""
        pos = self.positions[kind]
        cycle, offset = divmod(index, len(self.pattern))
        return cycle * len(pos) + bisect_left(pos, offset)
