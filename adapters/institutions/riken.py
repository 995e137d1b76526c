"""RIKEN BRC: one bulk export per resource kind (CSV or TSV, CP932 declared as Shift_JIS), HTML detail pages.

Each export (``exports.<kind>``) is read with the CSV toolkit; the kinds' columns differ, so each
export may add header aliases to the shared ones (the cell export's ``和名`` is the line's Japanese
name, the microbe export's the species' Japanese name). Every row gets two derived fields: ``export``
(the kind, which the mapping turns into a resource type) and ``detail_url`` (the record's HTML page,
from ``detail_url`` with the normalised catalog number).

Incremental harvests send each export's ETag / Last-Modified; an export answering ``304`` yields
nothing, a changed one is re-read whole. Each export's validators are one part of the checkpoint
(``parts[kind]``; the checkpoint's ``etag`` stands for all of them); after each export a mid-run
checkpoint lists the exports done, so a crashed run resumes with the next one.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import AsyncGenerator
from contextlib import aclosing
from urllib.parse import quote, urljoin

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import override

from adapters.contract import Adapter
from adapters.events import HarvestItem, RawRecord
from adapters.toolkits.csvexport import CsvConfig, CsvExportAdapter
from schemas.harvest import Checkpoint


class RikenExport(BaseModel):
    """One export file of one resource kind."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="URL of the export, relative to the adapter's endpoint.")
    delimiter: str = Field(",", description="Field separator; 'tab' for TSV.")
    header_aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Aliases of this export only; they replace shared ones of the same field or spelling.",
    )

    @field_validator("delimiter", mode="before")
    @classmethod
    def _tab(cls, value: object) -> object:
        return "\t" if value in ("tab", "\\t") else value


class RikenConfig(CsvConfig):
    """RIKEN BRC's exports: ``endpoint`` is their base URL."""

    exports: dict[str, RikenExport] = Field(min_length=1, description="Resource kind → its export file.")
    detail_url: str | None = Field(
        None, description="Template of a record's HTML page; {id} is the catalog number."
    )


def _legacy_parts(checkpoint: Checkpoint) -> dict[str, Checkpoint]:
    """Parts of a checkpoint written before checkpoints had parts (the validators as JSON objects)."""
    def validators(text: str | None) -> dict[str, str]:
        if not text or not text.startswith("{"):
            return {}
        try:
            found = orjson.loads(text)
        except orjson.JSONDecodeError:
            return {}
        return {str(k): str(v) for k, v in found.items() if v} if isinstance(found, dict) else {}

    etags, modified = validators(checkpoint.etag), validators(checkpoint.last_modified)
    return {kind: Checkpoint(etag=etags.get(kind), last_modified=modified.get(kind)) for kind in {*etags, *modified}}


def _source_etag(parts: dict[str, Checkpoint]) -> str | None:
    """One validator of all exports together (changes when any export's does), or None without any."""
    validators = {kind: [p.etag, p.last_modified] for kind, p in sorted(parts.items()) if p.etag or p.last_modified}
    if not validators:
        return None
    return hashlib.sha256(orjson.dumps(validators, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


class RikenBrcAdapter(Adapter[RikenConfig]):
    """Harvests every RIKEN BRC export, one after the other, through the CSV toolkit."""

    name = "riken-brc"
    config_model = RikenConfig
    supports_incremental = True

    def export_adapter(self, kind: str) -> CsvExportAdapter:
        """A CSV toolkit adapter reading the export of ``kind`` (same HTTP client, source and policy)."""
        export = self.config.exports[kind]
        aliases = {**self.config.header_aliases, **export.header_aliases}
        claimed = {spelling for spellings in export.header_aliases.values() for spelling in spellings}
        aliases = {field: [s for s in spellings if s not in claimed or field in export.header_aliases]
                   for field, spellings in aliases.items()}
        config = self.config.model_copy(update={
            "type": CsvExportAdapter.name, "endpoint": urljoin(self.config.endpoint, export.path),
            "delimiter": export.delimiter, "header_aliases": aliases,
        })
        return CsvExportAdapter(config, http=self.http, source=self.source)

    def enrich(self, raw: RawRecord, kind: str) -> RawRecord:
        """Add the derived fields ``export`` and ``detail_url`` to a row."""
        raw.data["export"] = kind
        raw.source_id = f"{kind}:{raw.source_id}"
        catalog_id = raw.data.get("catalog_no")
        if self.config.detail_url and isinstance(catalog_id, str):
            clean = unicodedata.normalize("NFKC", catalog_id).strip()
            if clean:
                raw.data["detail_url"] = self.config.detail_url.format(id=quote(clean, safe=""))
        return raw

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        # One checkpoint part per export: its validators. A part with ``extra`` was read by the run
        # being resumed; one without is an earlier run's change marker (a full run ignores those).
        parts: dict[str, Checkpoint] = {}
        if checkpoint is not None:
            parts = dict(checkpoint.parts) or _legacy_parts(checkpoint)
        extra = checkpoint.extra if checkpoint else {}
        done = [k for k in extra.get("done", "").split(",") if k]
        remaining = [kind for kind in self.config.exports if kind not in done]
        for kind in remaining:
            reader = self.export_adapter(kind)
            part = parts.get(kind)
            since = Checkpoint(etag=part.etag, last_modified=part.last_modified) if part else None
            last: Checkpoint | None = None
            try:
                async with aclosing(reader.harvest(since)) as items:
                    async for item in items:
                        if isinstance(item, RawRecord):
                            yield self.enrich(item, kind)
                        elif isinstance(item, Checkpoint):
                            last = item
                        else:
                            yield item
            finally:
                self.stats.warnings.update(reader.stats.warnings)
                self.stats.notices += reader.stats.notices
            if last is not None:
                parts.pop(kind, None)
                if last.etag or last.last_modified:
                    parts[kind] = Checkpoint(etag=last.etag, last_modified=last.last_modified, extra={"read": "1"})
            done.append(kind)
            if kind != remaining[-1]:
                yield Checkpoint(parts=parts, extra={"done": ",".join(done)})
        final = {kind: part.model_copy(update={"extra": {}}) for kind, part in parts.items()}
        yield Checkpoint(etag=_source_etag(final), parts=final)
