"""Adapters for community standards any biobank or collection may publish (MIABIS/BBMRI, FHIR)."""

from __future__ import annotations

from typing import Any

from adapters.contract import Adapter
from adapters.standards.bbmri import BbmriDirectoryAdapter, FhirCollectionAdapter

STANDARD_ADAPTERS: list[type[Adapter[Any]]] = [BbmriDirectoryAdapter, FhirCollectionAdapter]

__all__ = ["STANDARD_ADAPTERS", "BbmriDirectoryAdapter", "FhirCollectionAdapter"]
