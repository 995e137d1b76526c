"""Deterministic, lazy generator of the five simulated institution catalogs.

Record ``i`` of an institution is a pure function of ``(seed, institution, i)``; nothing builds a
whole catalog, so a million records cost no memory until they are rendered.
"""

from __future__ import annotations

from demo.generator.catalog import INSTITUTIONS, SPECS, Catalog, InstitutionCatalog, generate, split_total
from demo.generator.ledger import Ledger, Rejection, expected_dirt
from demo.generator.records import Record
from demo.generator.registry import SourceRegistry, UnknownInstitutionError
from demo.generator.selection import Selection
from demo.generator.state import FAULT_MODES, SourceState, UnknownFaultError, iso

__all__ = [
    "FAULT_MODES", "INSTITUTIONS", "SPECS", "Catalog", "InstitutionCatalog", "Ledger", "Record", "Rejection",
    "Selection", "SourceRegistry", "SourceState", "UnknownFaultError", "UnknownInstitutionError",
    "expected_dirt", "generate", "iso", "split_total",
]
