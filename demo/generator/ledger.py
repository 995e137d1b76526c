"""What the generator planted, so tests and adapters can be checked against it exactly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from demo.generator.registry import SourceRegistry
from demo.generator.state import SourceState


@dataclass(frozen=True, slots=True)
class Rejection:
    """A served record an adapter must reject.

    ``catalog_id`` is the id the record would have had; ``served_id`` what is served in its place
    (blank for ``missing_id``, garbage for ``invalid_id``, the real id for ``missing_name``).
    """

    index: int
    kind: str
    catalog_id: str
    served_id: str
    reason: str


@dataclass
class Ledger:
    """Everything planted in one institution's catalog as currently served.

    ``served`` counts distinct live records (rejects included, duplicates once, deleted ones not);
    ``valid`` is what a correct adapter publishes.
    """

    institution: str
    served: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    cosmetic: dict[str, list[str]] = field(default_factory=dict)
    injection: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> int:
        """Number of live records a correct adapter accepts."""
        return self.served - len(self.rejected)

    def reasons(self) -> Counter[str]:
        """Return the number of rejects per reason."""
        return Counter(r.reason for r in self.rejected)

    def rejected_ids(self) -> set[str]:
        """Return the clean catalog ids of the rejected records."""
        return {r.catalog_id for r in self.rejected}


def expected_dirt(institution: str, state: SourceRegistry | SourceState) -> Ledger:
    """Return the ledger of ``institution`` as served by ``state`` now (iterates ids lazily)."""
    source = state[institution] if isinstance(state, SourceRegistry) else state
    if source.name != institution:
        raise ValueError(f"state is {source.name!r}, not {institution!r}")
    cat = source.catalog
    ledger = Ledger(institution, deleted=list(source.log.deleted), added=list(source.log.added),
                    updated=list(source.log.updated))
    ledger.injection = [cat.catalog_id(i) for i in cat.injection_indices]
    for kind in cat.spec.kinds:
        ledger.anchors.extend(kind.catalog_id(j) for j in range(kind.anchors))
    deleted = {i for i, o in source.overrides.items() if o.deleted}
    cosmetic: dict[str, list[str]] = {}
    for index in range(source.size):
        if index in deleted:
            continue
        ledger.served += 1
        planted = cat.dirt(index)
        if planted.reject is None and not planted.duplicate and planted.cosmetic is None:
            continue
        catalog_id = cat.catalog_id(index)
        if planted.reject is not None:
            kind, _ = cat.layout.locate(index)
            served_id = source.record(index)["id"]
            ledger.rejected.append(Rejection(index, kind, catalog_id, served_id, planted.reject))
        if planted.duplicate:
            ledger.duplicates.append(catalog_id)
        if planted.cosmetic is not None:
            cosmetic.setdefault(planted.cosmetic, []).append(catalog_id)
    ledger.cosmetic = cosmetic
    return ledger
