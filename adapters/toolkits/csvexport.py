"""CSV/TSV bulk-export toolkit: streamed from the HTTP body row by row, whatever the encoding.

* UTF-8, UTF-8 with BOM, CP932/Shift_JIS (configured, or ``auto``-detected on the first 64 KiB);
* quoted fields spanning lines, header aliases (several spellings → one field), multi-valued cells;
* incremental: ``If-None-Match``/``If-Modified-Since`` from the checkpoint; ``304`` = nothing changed.
  A changed export is re-read in full (the indexer skips unchanged content by its hash);
* a body cut off mid-stream is re-fetched and the rows already delivered are skipped (if the
  re-fetched export has another ETag the run fails rather than mix two versions);
* a truncated export is never a catalog: a file ending inside a quoted field, a last row cut short,
  or fewer rows than the export declares (``row_count_header``, ``trailer``) fail the run;
* record boundaries are checked: a quoted field that is never closed before a line that is a whole
  record on its own is a broken row. It is quarantined with its line number, and the rows it would
  have swallowed are read as the records they are. Rows with undecodable bytes are kept (U+FFFD) and
  reported one by one with their line.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Literal

from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from adapters.config import AdapterConfig
from adapters.contract import Adapter
from adapters.errors import ProtocolError, TruncatedPayloadError
from adapters.events import HarvestItem, RawRecord
from adapters.http import StreamResponse
from adapters.toolkits.textstream import (
    CsvRecord,
    CsvRecordReader,
    CsvTruncatedError,
    decoded_lines,
    gunzip,
    normalise_encoding,
)
from adapters.transforms import check_regex
from schemas.harvest import Checkpoint, Rejection, RejectionReason


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
    row_count_header: str | None = Field(None, description="Response header declaring the number of data rows "
                                         "(e.g. X-Total-Count); fewer rows read fails the run as truncated.")
    trailer: str | None = Field(None, description="Regex of the export's last line declaring its row count in group 1 "
                                "(e.g. '^# (\\d+) records'); that line is no record, and a missing trailer or fewer "
                                "rows fails the run as truncated.")

    @field_validator("trailer")
    @classmethod
    def _trailer_group(cls, value: str | None) -> str | None:
        if value is not None and re.compile(check_regex(value)).groups < 1:
            raise ValueError("trailer needs one capturing group (the row count)")
        return value

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

    _width: int | None = None
    _reader: CsvRecordReader

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

    async def _rows(self, resp: StreamResponse, info: dict[str, str | None]) -> AsyncIterator[CsvRecord]:
        info.update(status=str(resp.status), etag=resp.headers.get("ETag"), modified=resp.headers.get("Last-Modified"))
        if self.config.row_count_header:
            info["declared"] = resp.headers.get(self.config.row_count_header)
        if resp.status == 304:
            return
        undecodable = [0]
        self._detected: list[str] = []
        lines = decoded_lines(self._body(resp), self.config.encoding, undecodable, self._detected)
        self._reader = CsvRecordReader(delimiter=self.config.delimiter, quotechar=self.config.quotechar or None)
        self._reader.width = self._width
        try:
            async for record in self._reader.records(lines):
                yield record
        except zlib.error as exc:
            kind = TruncatedPayloadError if "cut off" in str(exc) else ProtocolError
            raise kind(f"corrupt gzip stream: {exc}", adapter=self.source, url=resp.url) from exc
        except CsvTruncatedError as exc:
            raise TruncatedPayloadError(f"truncated export: {exc}", adapter=self.source, url=resp.url) from exc
        if undecodable[0]:
            self.warn("undecodable_characters", undecodable[0])

    def broken_row(self, record: CsvRecord) -> Rejection:
        """The quarantine entry of a row whose quoted field never closed (it would swallow what follows)."""
        text = "".join(record.lines)
        return self.quarantine(
            RejectionReason.MALFORMED,
            f"line {record.line}: a quoted field opened on this line is not closed before the next line that is a "
            f"whole record ({len(record.lines)} line(s) quarantined; the rows after it were read on their own)",
            {"line": record.line, "lines": len(record.lines), "text": text[:4000]}, record=f"line:{record.line}")

    def _damage(self, raw: RawRecord, record: CsvRecord) -> None:
        damaged = [str(name) for name, value in raw.data.items()
                   if (isinstance(value, str) and "\ufffd" in value)
                   or (isinstance(value, list) and any("\ufffd" in v for v in value))]
        if damaged:
            encoding = self._detected[-1] if self._detected else self.config.encoding
            self.notice("undecodable_bytes", f"line {record.line}: bytes that are not {encoding} text were "
                        f"replaced by U+FFFD in {', '.join(damaged)} (record kept)", record=raw.source_id,
                        line=record.line)

    @override
    async def harvest(self, checkpoint: Checkpoint | None) -> AsyncGenerator[HarvestItem, None]:
        headers = {}
        if checkpoint and checkpoint.etag:
            headers["If-None-Match"] = checkpoint.etag
        if checkpoint and checkpoint.last_modified:
            headers["If-Modified-Since"] = checkpoint.last_modified
        info: dict[str, str | None] = {}
        names = list(self.config.columns) if not self.config.header else None
        self._width = len(names) if names else None
        trailer = re.compile(self.config.trailer) if self.config.trailer else None
        declared: int | None = None
        number = data_rows = 0
        rows = self.http.replay(
            self.config.endpoint, self.policy, lambda resp: self._rows(resp, info), headers=headers,
            ok=frozenset({200, 304}),
        )
        async with aclosing(rows) as stream:
            async for record in stream:
                number += 1
                if number <= self.config.skip_lines:
                    continue
                if record.broken:
                    data_rows += 1
                    yield self.broken_row(record)
                    continue
                row = record.cells
                if not row or all(not cell.strip() for cell in row):
                    continue
                if names is None:
                    names = self.header_names(row)
                    self._width = self._reader.width = len(names)
                    continue
                if declared is not None:
                    raise ProtocolError(f"line {record.line}: rows after the trailer line", adapter=self.source,
                                        url=self.config.endpoint)
                if trailer is not None and (m := trailer.search("".join(record.lines).strip())):
                    declared = int(m.group(1))
                    continue
                data_rows += 1
                raw = self.to_raw(names, row, number)
                raw.line = record.line
                self._damage(raw, record)
                yield raw
        if info.get("status") != "304":
            self._check_complete(data_rows, declared, trailer is not None, info.get("declared"))
        if info.get("status") == "304" and checkpoint is not None:
            yield checkpoint
        else:
            yield Checkpoint(etag=info.get("etag"), last_modified=info.get("modified"))

    def _check_complete(self, rows: int, trailer_count: int | None, wants_trailer: bool, header: str | None) -> None:
        """Fewer rows than the export declares means it was cut off: fail rather than withdraw the rest."""
        if wants_trailer and trailer_count is None:
            raise TruncatedPayloadError("truncated export: its trailer line (row count) is missing", adapter=self.source,
                                        url=self.config.endpoint)
        declared = [("trailer", trailer_count)]
        if self.config.row_count_header:
            if header is None or not header.strip().isdigit():
                raise ProtocolError(f"the {self.config.row_count_header} header (row count) is missing or not a number",
                                    adapter=self.source, url=self.config.endpoint)
            declared.append((self.config.row_count_header, int(header)))
        for where, count in declared:
            if count is not None and rows < count:
                raise TruncatedPayloadError(f"truncated export: {rows} rows read, {count} declared by {where}",
                                            adapter=self.source, url=self.config.endpoint)
            if count is not None and rows > count:
                self.warn("more_rows_than_declared")
