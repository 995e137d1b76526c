"""URLs the pages build from the current query: add or remove a filter, next page, language."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from multidict import MultiMapping

#: Parameters that restart paging when the search changes (``trail``/``paged``: links of older pages).
_PAGING = ("cursor", "page", "trail", "paged")

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
    """Previous / numbered / next links. Within the numbered window every page has a number
    (``?page=N``); beyond it only "First page" and "Next page" (a cursor) remain."""

    current: int | None
    total_pages: int
    previous: str | None = None
    next: str | None = None
    #: Page numbers to show, in order; ``None`` is a gap (…); the current page has no URL.
    pages: list[tuple[int | None, str | None]] = field(default_factory=list)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """``1 … 4 5 [6] 7 8 … 42``: the first and last page, ``around`` pages each side of the current
    one, ``None`` where pages are left out (a gap of one page shows that page instead)."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) == 2:
            out.append(n - 1)
        elif out and n - (out[-1] or 0) > 2:
            out.append(None)
        out.append(n)
    return out


def pager(path: str, query: MultiMapping[str], next_cursor: str | None, page: int | None, last_page: int | None,
          total: int, page_size: int) -> Pager:
    """The pager of the current results page (``page``/``last_page`` as the search service gave them)."""
    base = [(k, v) for k, v in query.items() if k not in _PAGING]

    def page_url(number: int) -> str:
        return _encode(path, base if number == 1 else [*base, ("page", str(number))])

    links = Pager(current=page, total_pages=max(1, math.ceil(total / page_size)) if page_size else 1)
    if next_cursor:
        links.next = _encode(path, [*base, ("cursor", next_cursor)])
    if page is None or last_page is None:
        return links
    links.pages = [(n, None if n == page else page_url(n) if n is not None else None)
                   for n in page_numbers(page, max(page, last_page))]
    if page > 1:
        links.previous = page_url(page - 1)
    return links
