"""Protocol toolkits: each usable from declarative config (a field mapping) or as a base class."""

from __future__ import annotations

from typing import Any

from adapters.contract import Adapter
from adapters.toolkits.csvexport import CsvConfig, CsvExportAdapter
from adapters.toolkits.dwca import DwcaAdapter, DwcaConfig
from adapters.toolkits.html import HtmlCatalogAdapter, HtmlCatalogConfig
from adapters.toolkits.jsonapi import JsonApiAdapter, JsonApiConfig, Paging
from adapters.toolkits.oaipmh import OaiPmhAdapter, OaiPmhConfig

TOOLKITS: list[type[Adapter[Any]]] = [OaiPmhAdapter, CsvExportAdapter, JsonApiAdapter, HtmlCatalogAdapter, DwcaAdapter]

__all__ = [
    "TOOLKITS", "CsvConfig", "CsvExportAdapter", "DwcaAdapter", "DwcaConfig", "HtmlCatalogAdapter",
    "HtmlCatalogConfig", "JsonApiAdapter", "JsonApiConfig", "OaiPmhAdapter", "OaiPmhConfig", "Paging",
]
