"""One small bilingual sample catalog, served by every toolkit's sample server in its own format.

``SampleCatalog.mutate()`` changes one record and deletes another, with a datestamp after the
catalog's clock moved on, so that incremental harvests have exactly that to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web

T0 = datetime(2024, 4, 1, tzinfo=UTC)


@dataclass
class SampleItem:
    """A catalog entry."""

    catalog_id: str
    name_ja: str
    name_en: str
    kind_ja: str
    species: str
    updated: datetime
    deleted: bool = False


@dataclass
class SampleCatalog:
    """The catalog and its clock."""

    prefix: str = "NIES"
    separator: str = "-"
    size: int = 12
    now: datetime = field(default_factory=lambda: T0 + timedelta(days=30))
    items: list[SampleItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.items:
            self.items = [
                SampleItem(f"{self.prefix}{self.separator}{100 + i}", f"ミクロキスティス 株{i}", f"Microcystis strain {i}",
                           "藻類" if i % 3 else "微生物", "Microcystis aeruginosa", T0 + timedelta(days=i))
                for i in range(self.size)
            ]

    @property
    def changed_id(self) -> str:
        """The id ``mutate()`` changes."""
        return self.items[2].catalog_id

    @property
    def deleted_id(self) -> str:
        """The id ``mutate()`` deletes."""
        return self.items[5].catalog_id

    def live(self) -> list[SampleItem]:
        """Entries not deleted."""
        return [item for item in self.items if not item.deleted]

    def mutate(self) -> None:
        """Advance the clock a day, rename one entry and delete another."""
        self.now += timedelta(days=1)
        changed, gone = self.items[2], self.items[5]
        changed.name_ja, changed.updated = "ミクロキスティス 株2 (改訂)", self.now
        gone.deleted, gone.updated = True, self.now


CATALOG = web.AppKey("catalog", SampleCatalog)


def catalog_of(app: web.Application) -> SampleCatalog:
    """The catalog an app serves."""
    return app[CATALOG]
