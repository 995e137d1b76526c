"""Mutable state of one simulated source between harvests: additions, updates, deletions, faults.

The sources live in simulated time: base records carry datestamps up to 2024-12-01, the source clock
starts at 2025-01-01T00:00:00Z and every mutation batch advances it by one hour. Responses report this
clock (OAI-PMH ``responseDate``, ``Last-Modified``...), so incremental harvests are deterministic.
Which records a batch touches is a pure function of ``(seed, institution, batch number)``.
"""

from __future__ import annotations

import math
from bisect import insort
from dataclasses import dataclass, field
from datetime import UTC, datetime

from demo.generator.catalog import InstitutionCatalog
from demo.generator.records import Record
from demo.generator.rng import record_random
from demo.generator.selection import Override, Selection

CLOCK_START = 1_735_689_600  # 2025-01-01T00:00:00Z
TICK_SECONDS = 3600
SHRINK_SHARE = 0.2

#: Fault modes a source can be broken with.
FAULT_MODES: tuple[str, ...] = ("none", "http503", "slow", "truncate", "drop", "badtoken", "shrink")


class UnknownFaultError(ValueError):
    """Raised by ``SourceState.set_fault`` for a mode not in ``FAULT_MODES``."""


@dataclass
class Fault:
    """How a source is currently broken; ``remaining`` counts affected responses (None = until cleared)."""

    mode: str = "none"
    remaining: int | None = None
    delay: float = 2.0
    retry_after: int = 1

    def as_dict(self) -> dict[str, object]:
        """Return the fault as JSON-ready data."""
        return {"mode": self.mode, "remaining": self.remaining, "delay": self.delay, "retry_after": self.retry_after}


@dataclass
class MutationLog:
    """Catalog ids touched by every mutation batch, in order."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def iso(timestamp: int) -> str:
    """Return an epoch timestamp as ``YYYY-MM-DDThh:mm:ssZ``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SourceState:
    """One institution's catalog as currently served: base records plus mutations and a fault mode."""

    def __init__(self, catalog: InstitutionCatalog) -> None:
        self.catalog = catalog
        self.name = catalog.name
        self.size = catalog.base_size
        self.clock = CLOCK_START
        self.batches = 0
        self.overrides: dict[int, Override] = {}
        self.override_keys: list[int] = []
        self.fault = Fault()
        self.log = MutationLog()
        self.private_hits = 0

    # -- reading -----------------------------------------------------------------------------------

    def datestamp(self, index: int) -> int:
        """Return the current datestamp (epoch seconds) of record ``index``."""
        o = self.overrides.get(index)
        return o.tick if o is not None else self.catalog.base_datestamp(index)

    def is_deleted(self, index: int) -> bool:
        """Return whether record ``index`` has been deleted."""
        o = self.overrides.get(index)
        return o is not None and o.deleted

    def record(self, index: int) -> Record:
        """Return record ``index`` as served now, with ``updated`` (ISO datestamp) and ``deleted``."""
        o = self.overrides.get(index)
        rec = self.catalog.record(index, o.version if o is not None else 0)
        rec["updated"] = iso(o.tick if o is not None else self.catalog.base_datestamp(index))
        rec["deleted"] = o is not None and o.deleted
        return rec

    def find(self, catalog_id: str) -> int | None:
        """Return the index of the live-or-deleted record whose clean id is ``catalog_id``, if any."""
        digits = len(catalog_id) - len(catalog_id.rstrip("0123456789"))
        if not digits:
            return None
        number = int(catalog_id[-digits:])
        for kind in self.catalog.spec.kinds:
            candidates = set(range(kind.anchors))
            for sample in (kind.anchors, kind.anchors + 10_000):
                sample_id = kind.catalog_id(sample)
                tail = len(sample_id) - len(sample_id.rstrip("0123456789"))
                candidates.add(number - (int(sample_id[-tail:]) - sample))
            for local in sorted(c for c in candidates if c >= 0):
                if kind.catalog_id(local) == catalog_id:
                    index = self.catalog.layout.global_index(kind.name, local)
                    return index if index < self.size else None
        return None

    def select(self, *, since: int | None = None, until: int | None = None, kind: str | None = None,
               include_deleted: bool = False) -> Selection:
        """Return the records whose datestamp is within ``[since, until]``, in index order."""
        cat = self.catalog
        lo = 0 if since is None else cat.first_base_at_or_after(since)
        hi = cat.base_size if until is None else cat.first_base_after(until)
        full = Selection(layout=cat.layout, lo=lo, hi=max(lo, hi), overrides=self.overrides,
                         override_keys=self.override_keys, since=since, until=until, kind=kind,
                         include_deleted=include_deleted)
        if self.fault.mode == "shrink":
            full.limit = math.ceil(full.limit * SHRINK_SHARE)
        return full

    # -- mutating ----------------------------------------------------------------------------------

    def _set(self, index: int, override: Override) -> None:
        if index not in self.overrides:
            insort(self.override_keys, index)
        self.overrides[index] = override

    def _mutable(self, index: int) -> bool:
        o = self.overrides.get(index)
        if o is not None and o.deleted:
            return False
        return not self.catalog.is_protected(index) and self.catalog.dirt(index).reject is None

    def _pick(self, count: int, salt: int) -> list[int]:
        rng = record_random(self.catalog.seed, self.name, self.batches, salt)
        chosen: list[int] = []
        seen: set[int] = set()
        attempts = 0
        while len(chosen) < count and attempts < count * 50 + 1000:
            attempts += 1
            index = rng.randrange(self.size)
            if index not in seen and self._mutable(index):
                seen.add(index)
                chosen.append(index)
        return sorted(chosen)

    def mutate(self, *, add: int = 0, update: int = 0, delete: int = 0) -> int:
        """Apply one deterministic batch of changes and return its tick (epoch seconds)."""
        if min(add, update, delete) < 0:
            raise ValueError("mutation counts must be >= 0")
        self.batches += 1
        self.clock += TICK_SECONDS
        tick = self.clock
        for index in self._pick(update, 1):
            o = self.overrides.get(index)
            self._set(index, Override(tick, (o.version if o else 0) + 1, False))
            self.log.updated.append(self.catalog.catalog_id(index))
        for index in self._pick(delete, 2):
            o = self.overrides.get(index)
            self._set(index, Override(tick, o.version if o else 0, True))
            self.log.deleted.append(self.catalog.catalog_id(index))
        for index in range(self.size, self.size + add):
            self._set(index, Override(tick, 0, False))
            self.log.added.append(self.catalog.catalog_id(index))
        self.size += add
        return tick

    def set_fault(self, mode: str, *, count: int | None = None, delay: float | None = None,
                  retry_after: int | None = None) -> None:
        """Break the source with ``mode`` for ``count`` responses (None = until set back to ``none``)."""
        if mode not in FAULT_MODES:
            raise UnknownFaultError(f"unknown fault mode {mode!r}; expected one of {', '.join(FAULT_MODES)}")
        self.fault = Fault(mode, count if mode != "badtoken" or count is not None else 1,
                           delay if delay is not None else 2.0, retry_after if retry_after is not None else 1)

    def consume_fault(self, *modes: str) -> bool:
        """Return whether the current fault is one of ``modes`` and count one affected response."""
        fault = self.fault
        if fault.mode not in modes:
            return False
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.fault = Fault()
        return True

    def summary(self) -> dict[str, object]:
        """Return the state as JSON-ready data (for ``GET /_control/state``)."""
        return {
            "institution": self.name, "base_size": self.catalog.base_size, "size": self.size,
            "live": self.size - sum(1 for o in self.overrides.values() if o.deleted),
            "clock": iso(self.clock), "batches": self.batches, "fault": self.fault.as_dict(),
            "added": len(self.log.added), "updated": len(self.log.updated), "deleted": len(self.log.deleted),
            "private_hits": self.private_hits,
        }
