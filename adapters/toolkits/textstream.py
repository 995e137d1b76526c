"""Bytes → text → CSV rows, incrementally: never the whole file in memory.

Encodings: configured (``utf-8``, ``utf-8-sig``, ``cp932``/``shift_jis``...) or ``auto``: a BOM means
UTF-8 with BOM, a sample that decodes as UTF-8 is UTF-8, otherwise charset-normalizer decides
(Shift_JIS family results are read as CP932, its Windows superset that real exports use).
"""

from __future__ import annotations

import codecs
import csv
import zlib
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes

SAMPLE = 64 * 1024
#: Lines an open quoted field may run past a line that is a whole record before it counts as broken.
MAX_SWALLOW = 1000
_SJIS = {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "ms932", "sjis"}


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file from its first bytes (cut at a line end by the caller)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4 and not _utf8_with_damage(sample[:-4]):
            best = from_bytes(sample, cp_isolation=["cp932", "euc_jp", "utf_8", "cp1252", "latin_1"]).best()
            name = best.encoding.lower() if best else "cp932"
            return "cp932" if name.replace("-", "_") in _SJIS else name
    return "utf-8"


def _utf8_with_damage(sample: bytes) -> bool:
    """UTF-8 text with a few invalid bytes: plenty of valid multi-byte characters and at most a handful
    of bad sequences. Read as UTF-8, the damage shows as U+FFFD and is reported per record, where a
    legacy encoding guessed from the whole sample would silently garble every accent and kana."""
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = sum(1 for char in text if ord(char) > 127) - bad
    return 0 < bad <= 8 and valid >= 10 * bad


def normalise_encoding(name: str) -> str:
    """Canonical codec name; any Shift_JIS spelling reads as CP932."""
    codec = codecs.lookup(name).name
    return "cp932" if codec.replace("-", "_") in _SJIS else codec


async def decoded_lines(chunks: AsyncIterator[bytes], encoding: str, counter: list[int],
                        detected: list[str] | None = None) -> AsyncIterator[str]:
    """Lines (with their ends) of a byte stream; undecodable bytes become U+FFFD, counted in ``counter``;
    the codec used (configured or detected) is appended to ``detected``."""
    buffered = b""
    decoder: codecs.IncrementalDecoder | None = None
    if encoding != "auto":
        decoder = codecs.getincrementaldecoder(normalise_encoding(encoding))(errors="replace")
        if detected is not None:
            detected.append(normalise_encoding(encoding))
    pending = ""
    async for chunk in chunks:
        if decoder is None:
            buffered += chunk
            if len(buffered) < SAMPLE:
                continue
            cut = buffered.rfind(b"\n") + 1 or len(buffered)
            name = detect_encoding(buffered[:cut])
            decoder = codecs.getincrementaldecoder(name)(errors="replace")
            if detected is not None:
                detected.append(name)
            chunk, buffered = buffered, b""
        decoded = decoder.decode(chunk)
        counter[0] += decoded.count("\ufffd")
        text = pending + decoded
        # split on LF only: CR LF ends stay intact, and U+2028 or form feeds inside fields do not break rows
        *lines, pending = text.split("\n")
        for line in lines:
            yield line + "\n"
    if decoder is None:
        name = detect_encoding(buffered)
        decoder = codecs.getincrementaldecoder(name)(errors="replace")
        if detected is not None:
            detected.append(name)
        decoded = decoder.decode(buffered)
        counter[0] += decoded.count("\ufffd")
        pending += decoded
    text = decoder.decode(b"", final=True)
    counter[0] += text.count("\ufffd")
    *lines, last = (pending + text).split("\n")
    for line in lines:
        yield line + "\n"
    if last:
        yield last


@dataclass(slots=True)
class CsvRecord:
    """One CSV record: its cells, the number of its first physical line (1-based) and its lines.

    ``broken`` marks lines that are not a record: a quoted field opened on ``line`` that never closed
    before lines that are complete records on their own (those are yielded after it, recovered).
    """

    cells: list[str]
    line: int
    lines: list[str]
    broken: bool = False


class CsvTruncatedError(ValueError):
    """The text ends inside a quoted field or in the middle of a row: the file was cut off."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class CsvRecordReader:
    """Records of CSV text (quoted fields may span lines), with record-boundary checks.

    Set ``width`` (the header's column count) once it is known: from then on a line that is a complete
    record on its own while a quoted field is still open ends that field's record as ``broken``, so a
    stray quote cannot swallow the rows after it. The end of the text inside an open quote, or a last
    line without its end and with fewer cells than ``width``, raises ``CsvTruncatedError``.
    """

    def __init__(self, *, delimiter: str = ",", quotechar: str | None = '"') -> None:
        self.delimiter, self.quotechar = delimiter, quotechar
        self.width: int | None = None
        self._replay: deque[tuple[int, str]] = deque()
        self._number = 0
        self._last = ""
        self._reset()

    def _parse(self, lines: list[str]) -> list[list[str]]:
        if self.quotechar:
            reader = csv.reader(lines, delimiter=self.delimiter, quotechar=self.quotechar, doublequote=True, strict=False)
        else:
            reader = csv.reader(lines, delimiter=self.delimiter, quoting=csv.QUOTE_NONE)
        return list(reader)

    def _still_open(self, line: str, inside: bool) -> bool:
        """Whether a quoted field is open after ``line``, given whether one was open before it.

        As ``csv`` reads with ``strict=False``: a quote opens a field only at the field's start, a
        doubled quote inside one is a literal quote, and quotes in unquoted fields are literal."""
        quote, delimiter = self.quotechar, self.delimiter
        if not quote or quote not in line:
            return inside
        at_start = not inside
        i, end = 0, len(line)
        while i < end:
            char = line[i]
            if inside:
                if char == quote:
                    if i + 1 < end and line[i + 1] == quote:
                        i += 1
                    else:
                        inside = False
            elif char == quote and at_start:
                inside = True
            at_start = char in (delimiter, "\n", "\r") and not inside
            i += 1
        return inside

    def _whole_record(self, line: str) -> bool:
        """Whether ``line`` alone is a complete record of ``width`` cells."""
        if self.width is None or self.width < 2 or not line.strip():
            return False
        if self.quotechar and self._still_open(line, False):
            return False
        rows = self._parse([line])
        return len(rows) == 1 and len(rows[0]) == self.width

    def _reset(self) -> None:
        self._pending: list[tuple[int, str]] = []
        self._candidate: int | None = None
        self._inside = False

    def _broken(self) -> CsvRecord:
        """The pending lines before the candidate are one broken row; reading resumes at the candidate."""
        assert self._candidate is not None
        pending, candidate = self._pending, self._candidate
        self._replay.extendleft(reversed(pending[candidate:]))
        self._reset()
        return CsvRecord([], pending[0][0], [text for _n, text in pending[:candidate]], broken=True)

    def _step(self, item: tuple[int, str]) -> Iterator[CsvRecord]:
        if self._pending and self._candidate is None and self._whole_record(item[1]):
            self._candidate = len(self._pending)
        self._pending.append(item)
        if self.quotechar:
            self._inside = self._still_open(item[1], self._inside)
            if self._inside and not (self._candidate is not None and len(self._pending) - self._candidate > MAX_SWALLOW):
                return
        texts = [text for _n, text in self._pending]
        rows = self._parse(texts)
        if self._candidate is not None and (self._inside or len(rows) != 1 or len(rows[0]) != self.width):
            yield self._broken()
            return
        first = self._pending[0][0]
        self._reset()
        for offset, row in enumerate(rows):  # several rows only when csv splits the lines itself
            yield CsvRecord(row, first + offset, texts)

    def _drain(self) -> Iterator[CsvRecord]:
        while self._replay:
            yield from self._step(self._replay.popleft())

    def feed(self, line: str) -> Iterator[CsvRecord]:
        """The records complete with ``line`` (one physical line, with its end)."""
        self._number += 1
        self._last = line
        self._replay.append((self._number, line))
        yield from self._drain()

    def end(self) -> Iterator[CsvRecord]:
        """The records left at the end of the text; ``CsvTruncatedError`` if it was cut off."""
        yield from self._drain()
        while self._pending:
            if self._candidate is None:
                first = self._pending[0][0]
                raise CsvTruncatedError(f"the text ends inside a quoted field opened on line {first}: "
                                        "the file is cut off", first)
            yield self._broken()
            yield from self._drain()
        last, number = self._last, self._number
        if last and not last.endswith(("\n", "\r")) and self.width is not None and number > 1:
            rows = self._parse([last])
            if rows and len(rows[-1]) < self.width:
                raise CsvTruncatedError(f"the last line ({number}) has {len(rows[-1])} of {self.width} cells and no "
                                        "line end: the file is cut off", number)

    def iter_records(self, lines: Iterable[str]) -> Iterator[CsvRecord]:
        """The records of ``lines`` (synchronous: ``zipfile`` members)."""
        for line in lines:
            yield from self.feed(line)
        yield from self.end()

    async def records(self, lines: AsyncIterator[str]) -> AsyncIterator[CsvRecord]:
        """The records of ``lines`` (each with its line end, as ``decoded_lines`` yields them).

        A quoted field may span lines. While one is open, the first following line that is a whole
        record on its own is remembered; if the field then closes into a record of ``width`` cells,
        that line was just text (prose with many commas), otherwise (or if the text ends first, or
        ``MAX_SWALLOW`` lines later) the lines before it are one broken row and reading resumes at it.
        """
        async for line in lines:
            for record in self.feed(line):
                yield record
        for record in self.end():
            yield record


async def gunzip(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Decompress a gzip stream chunk by chunk (for ``.csv.gz`` exports served without Content-Encoding)."""
    inflater = zlib.decompressobj(wbits=31)
    async for chunk in chunks:
        if out := inflater.decompress(chunk, SAMPLE * 16):
            yield out
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, SAMPLE * 16)
    if tail := inflater.flush():
        yield tail
    if not inflater.eof:
        raise zlib.error("the gzip stream ends before its end marker: the file is cut off")
