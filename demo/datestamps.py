"""Parsing and formatting of the timestamps the sources accept and emit."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class BadTimestampError(ValueError):
    """Raised when a request carries a timestamp the source does not understand."""


def parse_oai(value: str) -> tuple[int, str]:
    """Parse an OAI-PMH ``from``/``until`` value; return epoch seconds and its granularity."""
    if _DAY.match(value):
        granularity = "day"
        fmt = "%Y-%m-%d"
    elif _SECONDS.match(value):
        granularity = "seconds"
        fmt = "%Y-%m-%dT%H:%M:%SZ"
    else:
        raise BadTimestampError(f"illegal datestamp {value!r}")
    try:
        return int(datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()), granularity
    except ValueError as exc:
        raise BadTimestampError(f"illegal datestamp {value!r}") from exc


def parse_iso(value: str) -> int:
    """Parse an ISO 8601 date or date-time (``Z`` or an offset; naive means UTC) into epoch seconds."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+") if "T" in value else value.strip())
    except ValueError as exc:
        raise BadTimestampError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def http_date(timestamp: int) -> str:
    """Return an epoch timestamp as an RFC 9110 HTTP date."""
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def parse_http_date(value: str) -> int | None:
    """Parse an HTTP date; None if it is malformed (the header is then ignored, as RFC 9110 says)."""
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, IndexError):
        return None
