"""Typed application keys of the simulated sources app."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from demo.generator.registry import SourceRegistry


@dataclass(frozen=True)
class SourcesConfig:
    """Serving options: OAI-PMH page size, NIES page size and the robots.txt crawl delay."""

    oai_page_size: int = 500
    nies_page_size: int = 50
    crawl_delay: float = 1.0
    csv_chunk_rows: int = 500


REGISTRY_KEY = web.AppKey("registry", SourceRegistry)
CONFIG_KEY = web.AppKey("config", SourcesConfig)
