"""CSV/TSV bulk-export toolkit: streamed from the HTTP body row by row, whatever the encoding.

* UTF-8, UTF-8 with BOM, CP932/Shift_JIS (configured, or ``auto``-detected on the first 64 KiB);
* quoted fields spanning lines, header aliases (several spellings → one field), multi-valued cells;
* incremental: ``If-None-Match``/``If-Modified-Since`` from the checkpoint; ``304`` = nothing changed.
  A changed export is re-read in full (the indexer skips unchanged content by its hash);
* a body cut off mid-stream is re-fetched and the rows already delivered are skipped (if the
  re-fetched export has another ETag the run fails rather than mix two versions).
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Literal

from pydantic import Field, field_validator, model_validator

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError
from adapters.events import HarvestItem, RawRecord
from adapters.fixtures import ContractFixture
from adapters.http import StreamResponse
from adapters.toolkits.textstream import csv_rows, decoded_lines, gunzip, normalise_encoding
from schemas.harvest import Checkpoint


def fold_header(name: str) -> str:
    """Compare header spellings loosely: NFKC, case, surrounding and inner whitespace."""
    return " ".join(unicodedata.normalize("NFKC", name).replace("\ufeff", "").casefold().split())


class CsvConfig(AdapterConfig):
    """A CSV or TSV export."""

    encoding: str = Field("auto", description="auto, utf-8, utf-8-sig, cp932, shift_jis, ...")
    delimiter: str = Field(",", description="Field separator; 'tab' or '\\t' for TSV.")
    quotechar: str = Field('"', description="Quote character; empty for none.")
    compression: Literal["none", "gzip"] = Field("none", description="gzip for .csv.gz served as is.")
    header: bool = Field(True, description="Whether the first row names the columns.")
    columns: list[str] = Field(default_factory=list, description="Column names when there is no header row.")
    skip_lines: int = Field(0, ge=0, description="Rows to skip before the header (preambles).")
    header_aliases: dict[str, list[str]] = Field(
        default_factory=dict, description="Field name → header spellings that mean it."
    )
    multi_valued: dict[str, list[str]] = Field(
        default_factory=dict, description="Field name → separators splitting its cells into lists."
    )
    record_id_column: str | None = Field(None, description="Column used as the source record id (else row:N).")

    @field_validator("delimiter", mode="before")
    @classmethod
    def _tab(cls, value: object) -> object:
        return "\t" if value in ("tab", "\\t") else value

    @field_validator("encoding")
    @classmethod
    def _known(cls, value: str) -> str:
        return value if value == "auto" else normalise_encoding(value)

    @model_validator(mode="after")
    def _columns(self) -> CsvConfig:
        if not self.header and not self.columns:
            raise ValueError("without a header row, list the columns")
        if len(self.delimiter) != 1 or len(self.quotechar) > 1:
            raise ValueError("delimiter and quotechar are single characters")
        return self


class CsvExportAdapter(Adapter[CsvConfig]):
    """Harvests a CSV/TSV export file over HTTP."""

    name = "csv"
    config_model = CsvConfig
    supports_incremental = True

    @classmethod
    def contract_fixture(cls) -> ContractFixture:
        """The sample catalog served by this toolkit's sample server."""
        from adapters.samples.contracts import csv_fixture

        return csv_fixture()

    def _aliases(self) -> dict[str, str]:
        out = {}
        for canonical, spellings in self.config.header_aliases.items():
            for spelling in [canonical, *spellings]:
                out[fold_header(spelling)] = canonical
        return out

    def header_names(self, row: list[str]) -> list[str]:
        """Canonical field names of a header row."""
        aliases = self._aliases()
        names = []
        for cell in row:
            clean = cell.replace("\ufeff", "").strip()
            names.append(aliases.get(fold_header(clean), clean))
        return names

    def to_raw(self, names: list[str], row: list[str], number: int) -> RawRecord:
        """One data row as a raw record (override to add derived fields)."""
        if len(row) > len(names):
            self.warn("extra_cells")
        data: dict[str, str | list[str] | None] = {}
        for i, name in enumerate(names):
            value = row[i] if i < len(row) else None
            seps = self.config.multi_valued.get(name)
            if seps and value:
                parts = [value]
                for sep in seps:
                    parts = [p for part in parts for p in part.split(sep)]
                data[name] = [p.strip() for p in parts if p.strip()]
            else:
                data[name] = value
        column = self.config.record_id_column
        source_id = str(data.get(column) or f"row:{number}") if column else f"row:{number}"
        return RawRecord(dict(data), source_id=source_id)

    def _body(self, resp: StreamResponse) -> AsyncIterator[bytes]:
        return gunzip(resp.chunks()) if self.config.compression == "gzip" else resp.chunks()

    async def _rows(self, resp: StreamResponse, info: dict[str, str | None]) -> AsyncIterator[list[str]]:
        info.update(status=str(resp.status), etag=resp.headers.get("ETag"), modified=resp.headers.get("Last-Modified"))
        if resp.status == 304:
            return
        undecodable = [0]
        lines = decoded_lines(self._body(resp), self.config.encoding, undecodable)
        try:
            async for row in csv_rows(lines, delimiter=self.config.delimiter, quotechar=self.config.quotechar or None):
                yield row
        except zlib.error as exc:
            raise ProtocolError(f"corrupt gzip stream: {exc}", adapter=self.source, url=resp.url) from exc
        if undecodable[0]:
            self.warn("undecodable_characters", undecodable[0])

    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncIterator[HarvestItem]:
        headers = {}
        if checkpoint and checkpoint.etag:
            headers["If-None-Match"] = checkpoint.etag
        if checkpoint and checkpoint.last_modified:
            headers["If-Modified-Since"] = checkpoint.last_modified
        info: dict[str, str | None] = {}
        names = list(self.config.columns) if not self.config.header else None
        number = 0
        rows = self.http.replay(
            self.config.endpoint, self.policy, lambda resp: self._rows(resp, info), headers=headers,
            ok=frozenset({200, 304}),
        )
        async with aclosing(rows) as stream:  # type: ignore[type-var]  # an async generator
            async for row in stream:
                number += 1
                if number <= self.config.skip_lines:
                    continue
                if not row or all(not cell.strip() for cell in row):
                    continue
                if names is None:
                    names = self.header_names(row)
                    continue
                yield self.to_raw(names, row, number)
        if info.get("status") == "304" and checkpoint is not None:
            yield checkpoint
        else:
            yield Checkpoint(etag=info.get("etag"), last_modified=info.get("modified"))
