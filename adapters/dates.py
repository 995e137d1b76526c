"""Reading dates as catalogs write them (ISO, ``2020/4/1``, ``2020年4月1日``, ranges)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_JA_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m", "%Y/%m", "%Y", "%d %b %Y", "%b %d, %Y")


def parse_date(text: str, formats: tuple[str, ...] | list[str] = DATE_FORMATS) -> date | None:
    """A date from tolerant formats (ISO, ``2020/4/1``, ``2020年4月1日``, ranges ``a/b`` take ``a``)."""
    text = unicodedata.normalize("NFKC", text).strip()
    if m := _JA_DATE.match(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return None
    for candidate in (text, text.split("/")[0] if text.count("-") >= 2 else text):
        try:
            return datetime.fromisoformat(candidate.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        for fmt in formats:
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None
