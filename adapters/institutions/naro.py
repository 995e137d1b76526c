"""NARO Genebank: OAI-PMH with Simple Darwin Core (``dwc``), sets ``plant`` and ``microorganism``.

Darwin Core has no field for the name a genebank lists an accession under, and the two sets name
theirs differently: a plant accession is its cultivar or landrace name (``dwc:organismName``), a
microorganism is its species plus strain designation (``Escherichia coli K-12``: ``scientificName``
+ ``organismName``). This adapter derives ``name`` (and the microbes' ``strain``) accordingly; the
rest is the declarative mapping in adapters.toml.

A microorganism whose scientific name is not a Latin name (``???``, ``不明``, ``unknown sp.``) has
no usable name: it gets none and is rejected as ``missing_name`` rather than listed under its strain
designation alone.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field
from typing_extensions import override

from adapters.events import RawRecord
from adapters.toolkits.oaipmh import OaiPmhAdapter, OaiPmhConfig
from adapters.toolkits.oaixml import OaiRecord
from schemas.harvest import Deletion

#: A Latin name: capitalised genus, optionally followed by more words (epithet, pathovar, strain).
LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?: [a-z].*)?$")


def _first(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if value else ""


class NaroConfig(OaiPmhConfig):
    """NARO Genebank's OAI-PMH endpoint (``dwc``)."""

    metadata_prefix: str = Field("dwc", description="metadataPrefix: NARO serves oai_dc and dwc; dwc is richer.")
    identifier_space: str = Field(
        r"^([A-Z]+)-(\d+)$",
        description="Regex of an identifier's local part that spells a catalog number's space as '-'.",
    )
    strain_sets: list[str] = Field(
        default_factory=lambda: ["microorganism"],
        description="Sets whose accessions are named species + strain (the others by organismName).",
    )


class NaroGenebankAdapter(OaiPmhAdapter):
    """Harvests NARO Genebank over OAI-PMH (Simple Darwin Core) and derives accession names."""

    name = "naro"
    config_model = NaroConfig
    config: NaroConfig
    default_mapping: ClassVar[dict[str, Any]] = {
        **OaiPmhAdapter.default_mapping,
        "name": "name",
        "strain": "strain",
    }

    @override
    def deletion(self, catalog_id: str, deleted_at: datetime | None = None) -> Deletion:
        """A Deletion under the catalog number (``JP 10001``), not the identifier's spelling (``JP-10001``)."""
        if m := re.match(self.config.identifier_space, catalog_id):
            catalog_id = f"{m.group(1)} {m.group(2)}"
        return super().deletion(catalog_id, deleted_at)

    @override
    def to_raw(self, record: OaiRecord) -> RawRecord:
        raw = super().to_raw(record)
        data = raw.data
        organism = _first(data, "dwc:organismName")
        if set(record.sets) & set(self.config.strain_sets):
            scientific = _first(data, "dwc:scientificName")
            if LATIN_NAME.match(scientific):
                data["name"] = f"{scientific} {organism}".strip()
                if organism:
                    data["strain"] = organism
        elif organism:
            data["name"] = organism
        return raw
