"""Adapters written in Python for sources whose format needs more than a declarative mapping."""

from __future__ import annotations

from typing import Any

from adapters.contract import Adapter

INSTITUTION_ADAPTERS: list[type[Adapter[Any]]] = []
