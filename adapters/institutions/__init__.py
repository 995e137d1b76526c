"""Adapters written in Python for sources whose format needs more than a declarative mapping.

Each one is a small subclass of a toolkit handling what the toolkit cannot express (several
exports, a deleted-records feed, derived fields); the field mappings live in ``adapters.toml``.
``demo_config(base_url)`` gives the configuration of the five simulated institutions of the demo.
"""

from __future__ import annotations

from typing import Any

from adapters.contract import Adapter
from adapters.institutions.democonfig import DEMO_ADAPTERS_FILE, DEMO_BASE_URL, demo_config
from adapters.institutions.jcrb import JcrbAdapter
from adapters.institutions.naro import NaroGenebankAdapter
from adapters.institutions.nies import NiesAdapter
from adapters.institutions.riken import RikenBrcAdapter
from adapters.institutions.tsukuba import TsukubaBiobankAdapter

INSTITUTION_ADAPTERS: list[type[Adapter[Any]]] = [
    RikenBrcAdapter, JcrbAdapter, TsukubaBiobankAdapter, NaroGenebankAdapter, NiesAdapter,
]

__all__ = [
    "DEMO_ADAPTERS_FILE", "DEMO_BASE_URL", "INSTITUTION_ADAPTERS", "JcrbAdapter", "NaroGenebankAdapter",
    "NiesAdapter", "RikenBrcAdapter", "TsukubaBiobankAdapter", "demo_config",
]
