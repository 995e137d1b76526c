"""Harvest adapters: one contract, shared protocol toolkits, one HTTP layer. See docs/adapters.md.

Public API: ``Adapter`` (subclass it), ``AdapterConfig``, the run events (``ResourceMapped``,
``RecordRejected``, ``RecordDeleted``, ``CheckpointAdvanced``, ``HarvestFinished``), ``RawRecord``,
``HttpClient``, ``Registry``/``load_registry``, the errors, and the toolkits in ``adapters.toolkits``.
"""

from __future__ import annotations

from adapters.config import AdapterConfig, Credentials, load_adapters_file, parse_adapters_toml
from adapters.contract import Adapter, HarvestRun
from adapters.errors import (
    AdapterConfigError,
    AdapterError,
    MappingError,
    ProtocolError,
    SourceUnreachableError,
)
from adapters.events import (
    CheckpointAdvanced,
    HarvestEvent,
    HarvestFinished,
    HarvestStats,
    RawRecord,
    RecordDeleted,
    RecordRejected,
    ResourceMapped,
)
from adapters.http import HttpClient, RequestPolicy
from adapters.registry import ENTRY_POINT_GROUP, Registry, load_registry

__all__ = [
    "ENTRY_POINT_GROUP", "Adapter", "AdapterConfig", "AdapterConfigError", "AdapterError", "CheckpointAdvanced",
    "Credentials", "HarvestEvent", "HarvestFinished", "HarvestRun", "HarvestStats", "HttpClient", "MappingError",
    "ProtocolError", "RawRecord", "RecordDeleted", "RecordRejected", "Registry", "RequestPolicy", "ResourceMapped",
    "SourceUnreachableError", "load_adapters_file", "load_registry", "parse_adapters_toml",
]
