"""The five simulated institution catalogs: sizes, id schemes, lazy record access."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from demo.generator import builders_other as other
from demo.generator import builders_riken as riken
from demo.generator import dirt
from demo.generator.layout import KindLayout
from demo.generator.records import Builder, Record
from demo.generator.rng import record_random

#: Base datestamps run from BASE_START to BASE_END in catalog order (epoch seconds, UTC).
BASE_START = 978_307_200  # 2001-01-01T00:00:00Z
BASE_END = 1_733_011_200  # 2024-12-01T00:00:00Z
#: Minimum records per institution, so every anchor and injection record always exists.
MIN_PER_INSTITUTION = 60


@dataclass(frozen=True)
class KindSpec:
    """One resource kind of an institution: its weight in the interleaving, builder and id scheme."""

    name: str
    weight: int
    build: Builder
    catalog_id: Callable[[int], str]
    anchors: int


@dataclass(frozen=True)
class InstitutionSpec:
    """A member institution: slug, title, share of the total and its kinds."""

    name: str
    title: str
    share: float
    kinds: tuple[KindSpec, ...]
    duplicates: bool

    @property
    def layout(self) -> KindLayout:
        """The interleaving of this institution's kinds."""
        return KindLayout(tuple((k.name, k.weight) for k in self.kinds))


def _kind(name: str, weight: int, build: Builder, catalog_id: Callable[[int], str], anchors: int) -> KindSpec:
    return KindSpec(name, weight, build, catalog_id, anchors)


INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    InstitutionSpec("riken", "RIKEN BioResource Research Center", 0.40, (
        _kind("mouse", 7, riken.build_mouse, riken.mouse_id, riken.ANCHORS["mouse"]),
        _kind("cell", 2, riken.build_cell, riken.cell_id, riken.ANCHORS["cell"]),
        _kind("dna", 5, riken.build_dna, riken.dna_id, 0),
        _kind("microbe", 4, riken.build_microbe, riken.microbe_id, riken.ANCHORS["microbe"]),
        _kind("plant", 2, riken.build_plant, riken.plant_id, 0),
    ), duplicates=True),
    InstitutionSpec("naro", "NARO Genebank", 0.25, (
        _kind("plant", 3, other.build_naro_plant, other.naro_plant_id, 0),
        _kind("microbe", 2, other.build_maff, other.maff_id, other.ANCHORS["naro"]["microbe"]),
    ), duplicates=False),
    InstitutionSpec("jcrb", "NIBIOHN JCRB Cell Bank", 0.15, (
        _kind("cell", 6, other.build_jcrb_cell, other.jcrb_cell_id, other.ANCHORS["jcrb"]["cell"]),
        _kind("primate", 2, other.build_primate, other.primate_id, 0),
        _kind("medicinal_plant", 2, other.build_medicinal_plant, other.medicinal_plant_id, 0),
    ), duplicates=True),
    InstitutionSpec("nies", "NIES Microbial Culture Collection", 0.15, (
        _kind("alga", 1, other.build_alga, other.nies_id, 0),
    ), duplicates=False),
    InstitutionSpec("tsukuba", "Tsukuba Human Tissue Biobank Center", 0.05, (
        _kind("collection", 1, other.build_collection, other.collection_id, 0),
    ), duplicates=False),
)

SPECS: Mapping[str, InstitutionSpec] = {spec.name: spec for spec in INSTITUTIONS}

#: Injection payloads sit right after the anchors of the first kind (local indices A+1 .. A+3).
INJECTION_OFFSET = 1


def split_total(total: int) -> dict[str, int]:
    """Return the base number of records of each institution for a catalog of ``total`` records."""
    if total < 1:
        raise ValueError("total must be positive")
    return {spec.name: max(MIN_PER_INSTITUTION, math.floor(total * spec.share)) for spec in INSTITUTIONS}


class InstitutionCatalog:
    """The lazily generated catalog of one institution: any record is built on demand."""

    def __init__(self, spec: InstitutionSpec, base_size: int, seed: int) -> None:
        self.spec = spec
        self.name = spec.name
        self.base_size = base_size
        self.seed = seed
        self.layout = spec.layout
        self._kinds = {k.name: k for k in spec.kinds}
        first = spec.kinds[0]
        self._injections = {
            self.layout.global_index(first.name, first.anchors + INJECTION_OFFSET + n): n
            for n in range(len(dirt.INJECTION_PAYLOADS))
        }

    def kind(self, name: str) -> KindSpec:
        """Return the spec of kind ``name``."""
        return self._kinds[name]

    def catalog_id(self, index: int) -> str:
        """Return the clean catalog id of record ``index`` (whatever dirt is served in its place)."""
        kind, local = self.layout.locate(index)
        return self._kinds[kind].catalog_id(local)

    def is_protected(self, index: int) -> bool:
        """Return whether record ``index`` is an anchor or injection record (never dirty, never mutated)."""
        kind, local = self.layout.locate(index)
        return local < self._kinds[kind].anchors or index in self._injections

    def injection(self, index: int) -> int | None:
        """Return the injection payload number planted in record ``index``, if any."""
        return self._injections.get(index)

    @property
    def injection_indices(self) -> tuple[int, ...]:
        """Indices of the records carrying injection payloads."""
        return tuple(self._injections)

    def dirt(self, index: int) -> dirt.Dirt:
        """Return the dirt planted into record ``index``."""
        if self.is_protected(index):
            return dirt.CLEAN
        return dirt.plan(self.seed, self.name, index, self.spec.duplicates)

    def record(self, index: int, version: int = 0) -> Record:
        """Build record ``index`` at ``version`` (0 = as first published), dirt included."""
        kind, local = self.layout.locate(index)
        spec = self._kinds[kind]
        rec = spec.build(record_random(self.seed, self.name, index), local)
        if version:
            rec["description_en"] = f"{rec.get('description_en', '')} (revised {version})".strip()
            rec["description_ja"] = f"{rec.get('description_ja', '')}（改訂{version}）"
            rec["availability"] = ("available", "suspended", "in_preparation")[version % 3]
        which = self._injections.get(index)
        if which is not None:
            return dirt.inject(rec, which)
        if local < spec.anchors:
            return rec
        planted = dirt.plan(self.seed, self.name, index, self.spec.duplicates)
        return rec if planted is dirt.CLEAN else dirt.apply(rec, planted, index)

    def base_datestamp(self, index: int) -> int:
        """Return the datestamp (epoch seconds) of base record ``index``; non-decreasing with ``index``."""
        return BASE_START + index * (BASE_END - BASE_START) // self.base_size

    def first_base_at_or_after(self, timestamp: int) -> int:
        """Return the first base index whose datestamp is ``>= timestamp`` (``base_size`` if none)."""
        return bisect_left(range(self.base_size), timestamp, key=self.base_datestamp)

    def first_base_after(self, timestamp: int) -> int:
        """Return the first base index whose datestamp is ``> timestamp`` (``base_size`` if none)."""
        return self.first_base_at_or_after(timestamp + 1)


class Catalog:
    """All five institution catalogs for ``(total, seed)``; nothing is generated until asked for."""

    def __init__(self, total: int, seed: int = 42) -> None:
        self.total = total
        self.seed = seed
        self.sizes = split_total(total)
        self.institutions: dict[str, InstitutionCatalog] = {
            name: InstitutionCatalog(SPECS[name], size, seed) for name, size in self.sizes.items()
        }

    def __getitem__(self, institution: str) -> InstitutionCatalog:
        return self.institutions[institution]


def generate(total: int, seed: int = 42) -> Catalog:
    """Return the lazy catalogs of all institutions holding about ``total`` records in all."""
    return Catalog(total, seed)
