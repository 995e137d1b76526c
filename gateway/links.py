"""URLs the pages build from the current query: add or remove a filter, next page, language."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from multidict import MultiMapping

#: Parameters that restart paging when the search changes.
_PAGING = ("cursor", "trail", "paged")
#: Most earlier-page cursors a page link carries (beyond that, page numbers are no longer shown).
MAX_TRAIL = 20


def _encode(path: str, items: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(items)}" if items else path


def with_filter(path: str, query: MultiMapping[str], name: str, value: str) -> str:
    """``path`` with the current search plus ``name=value`` (back to the first page)."""
    items = [(k, v) for k, v in query.items() if k not in _PAGING and not (k == name and v == value)]
    return _encode(path, [*items, (name, value)])


def without_filter(path: str, query: MultiMapping[str], name: str, value: str) -> str:
    """``path`` with the current search minus ``name=value`` (back to the first page)."""
    return _encode(path, [(k, v) for k, v in query.items() if k not in _PAGING and not (k == name and v == value)])


def with_params(path: str, query: MultiMapping[str], **params: str) -> str:
    """``path`` with the current query, each of ``params`` replacing any previous value."""
    items = [(k, v) for k, v in query.items() if k not in params]
    return _encode(path, [*items, *params.items()])


def export_link(query: MultiMapping[str], fmt: str) -> str:
    """The export of the current search in ``fmt``: every match, so the page's own paging and
    language are left out (the export would ignore them anyway)."""
    items = [(k, v) for k, v in query.items() if k not in (*_PAGING, "page_size", "lang", "format", "limit")]
    return _encode("/api/export", [*items, ("format", fmt)])


def selected(query: MultiMapping[str], name: str) -> set[str]:
    """The values of ``name`` currently selected."""
    return set(query.getall(name, []))


def local_target(value: str | None, default: str) -> str:
    """``value`` if it is a path on this site (no open redirects), else ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default



@dataclass
class Pager:
    """Previous / numbered / next links for cursor paging. A page link carries the cursors of the
    pages before it (``trail``), so every page already seen can be reached by number."""

    current: int | None
    total_pages: int
    previous: str | None = None
    next: str | None = None
    pages: list[tuple[int, str | None]] = field(default_factory=list)


def pager(path: str, query: MultiMapping[str], next_cursor: str | None, total: int, page_size: int) -> Pager:
    """The pager of the current results page."""
    base = [(k, v) for k, v in query.items() if k not in _PAGING]
    cursor = query.get("cursor")
    trail = list(query.getall("trail", []))[:MAX_TRAIL]
    known = cursor is None or query.get("paged") != "far"
    current = (len(trail) + 2 if cursor else 1) if known else None

    def page_url(number: int) -> str:
        if number == 1:
            return _encode(path, base)
        return _encode(path, [*base, *(("trail", c) for c in trail[:number - 2]), ("cursor", trail[number - 2])])

    links = Pager(current=current, total_pages=max(1, math.ceil(total / page_size)) if page_size else 1)
    if next_cursor:
        carry = [*trail, cursor] if cursor and known else []
        far = [("paged", "far")] if len(carry) > MAX_TRAIL or not known else []
        carry = [] if far else carry
        links.next = _encode(path, [*base, *(("trail", c) for c in carry), *far, ("cursor", next_cursor)])
    if current is None:
        return links
    reachable = list(range(1, current))
    shown = sorted({1, *reachable[-3:]}) if reachable else []
    links.pages = [(n, page_url(n)) for n in shown] + [(current, None)]
    if current > 1:
        links.previous = page_url(current - 1)
    if links.next:
        links.pages.append((current + 1, links.next))
    return links
