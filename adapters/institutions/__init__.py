"""Adapters written in Python for sources whose format needs more than a declarative mapping.

Each one is a small subclass of a toolkit handling what the toolkit cannot express (several
exports, a deleted-records feed, derived fields); the field mappings live in ``adapters.toml``
(``adapters/institutions/example.toml`` is an example configuration of all five).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from adapters.contract import Adapter
from adapters.institutions.jcrb import JcrbAdapter
from adapters.institutions.naro import NaroGenebankAdapter
from adapters.institutions.nies import NiesAdapter
from adapters.institutions.riken import RikenBrcAdapter
from adapters.institutions.tsukuba import TsukubaBiobankAdapter

INSTITUTION_ADAPTERS: list[type[Adapter[Any]]] = [
    RikenBrcAdapter, JcrbAdapter, TsukubaBiobankAdapter, NaroGenebankAdapter, NiesAdapter,
]


def example_config() -> str:
    """The example ``adapters.toml`` of the five institution adapters (sources at ``https://catalog.example.org``)."""
    return files(__package__).joinpath("example.toml").read_text(encoding="utf-8")


__all__ = [
    "INSTITUTION_ADAPTERS", "JcrbAdapter", "NaroGenebankAdapter", "NiesAdapter", "RikenBrcAdapter",
    "TsukubaBiobankAdapter", "example_config",
]
