"""Character tables applied before NFKC: control/format characters, dashes, wave dashes, quotes.

Built once at import from :mod:`unicodedata` (planes 0-1 and the tag block of plane 14 hold every
control and format character), ~30 ms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["CONTROL_RE", "CONTROL_TABLE", "DASH_SENTINEL", "PUNCT_RE", "PUNCT_TABLE"]

#: Every dash-like character becomes this one before NFKC (which leaves it alone), so the
#: kana-context rule in :mod:`indexer.analysis.normalize` sees a single symbol.
DASH_SENTINEL = "\u2212"

# Dash-like characters that may stand for a long-vowel mark; ASCII "-" is deliberately absent.
_DASHES = "\uff0d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\ufe58\u2043\u207b\u208b\uff70"


def _char_class(codepoints: Iterable[int]) -> str:
    """Compress code points into a regex character-class body made of ranges."""
    parts: list[str] = []
    run_start = prev = -2
    for cp in [*sorted(codepoints), -1]:
        if cp == prev + 1:
            prev = cp
            continue
        if run_start >= 0:
            parts.append(f"\\U{run_start:08x}" if run_start == prev else f"\\U{run_start:08x}-\\U{prev:08x}")
        run_start = prev = cp
    return "".join(parts)


def _control_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for block in (range(0x20000), range(0xE0000, 0xE1000)):
        for cp in block:
            category = unicodedata.category(chr(cp))
            if category == "Cc":
                table[cp] = " "
            elif category == "Cf":
                table[cp] = ""
    for cp in (*range(0xD800, 0xE000), *range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF):
        table[cp] = ""  # lone surrogates cannot even be encoded for Elasticsearch
    table[0x200B] = " "  # zero-width space is a word-break hint
    table[0xFFFD] = " "
    del table[0x09], table[0x0A], table[0x0D]  # plain whitespace, handled by the collapse
    return table


def _punct_table() -> dict[int, str]:
    table = {ord(ch): DASH_SENTINEL for ch in _DASHES}
    table |= {ord(ch): "~" for ch in "\u301c\u3030\uff5e\u2053"}
    table |= {ord(ch): "'" for ch in "\u2018\u2019\u201a\u201b\u2032\uff07"}
    table |= {ord(ch): '"' for ch in "\u201c\u201d\u201e\u201f\u2033\uff02"}
    return table


CONTROL_TABLE = _control_table()
CONTROL_RE = re.compile(f"[{_char_class(CONTROL_TABLE)}]")
PUNCT_TABLE = _punct_table()
PUNCT_RE = re.compile(f"[{_char_class(PUNCT_TABLE)}]")
