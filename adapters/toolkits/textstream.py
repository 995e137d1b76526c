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
from collections.abc import AsyncIterator, Iterator

from charset_normalizer import from_bytes

SAMPLE = 64 * 1024
_SJIS = {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "ms932", "sjis"}


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file from its first bytes (cut at a line end by the caller)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not merely a character cut at the end of the sample
            best = from_bytes(sample, cp_isolation=["cp932", "euc_jp", "utf_8", "cp1252", "latin_1"]).best()
            name = best.encoding.lower() if best else "cp932"
            return "cp932" if name.replace("-", "_") in _SJIS else name
    return "utf-8"


def normalise_encoding(name: str) -> str:
    """Canonical codec name; any Shift_JIS spelling reads as CP932."""
    codec = codecs.lookup(name).name
    return "cp932" if codec.replace("-", "_") in _SJIS else codec


async def decoded_lines(chunks: AsyncIterator[bytes], encoding: str, counter: list[int]) -> AsyncIterator[str]:
    """Lines (with their ends) of a byte stream; undecodable bytes become U+FFFD, counted in ``counter``."""
    buffered = b""
    decoder: codecs.IncrementalDecoder | None = None
    if encoding != "auto":
        decoder = codecs.getincrementaldecoder(normalise_encoding(encoding))(errors="replace")
    pending = ""
    async for chunk in chunks:
        if decoder is None:
            buffered += chunk
            if len(buffered) < SAMPLE:
                continue
            cut = buffered.rfind(b"\n") + 1 or len(buffered)
            decoder = codecs.getincrementaldecoder(detect_encoding(buffered[:cut]))(errors="replace")
            chunk, buffered = buffered, b""
        decoded = decoder.decode(chunk)
        counter[0] += decoded.count("\ufffd")
        text = pending + decoded
        # split on LF only: CR LF ends stay intact, and U+2028 or form feeds inside fields do not break rows
        *lines, pending = text.split("\n")
        for line in lines:
            yield line + "\n"
    if decoder is None:
        decoder = codecs.getincrementaldecoder(detect_encoding(buffered))(errors="replace")
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


class _Feed:
    """The line iterator a persistent ``csv.reader`` pulls from; filled one record at a time."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if not self.lines:
            raise StopIteration
        return self.lines.popleft()


async def csv_rows(
    lines: AsyncIterator[str], *, delimiter: str = ",", quotechar: str | None = '"'
) -> AsyncIterator[list[str]]:
    """Rows of CSV text; quoted fields may span lines. Only complete records reach ``csv.reader``."""
    feed = _Feed()
    if quotechar:
        reader = csv.reader(feed, delimiter=delimiter, quotechar=quotechar, doublequote=True, strict=False)
    else:
        reader = csv.reader(feed, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    open_quotes = 0
    async for line in lines:
        feed.lines.append(line)
        if quotechar:
            open_quotes += line.count(quotechar)
            if open_quotes % 2:
                continue
            open_quotes = 0
        while feed.lines:  # normally one record; more if a stray quote sat in an unquoted field
            row = next(reader, None)
            if row is None:
                break
            yield row
    if feed.lines:  # an unterminated quote at the end of the file: let csv make what it can of it
        feed.lines.append(quotechar or "")
        for row in reader:
            yield row


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
