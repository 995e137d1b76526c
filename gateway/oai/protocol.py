"""OAI-PMH 2.0 requests: verbs, their arguments, datestamps and the protocol's error codes.

A request is checked the way the specification (section 3.6) asks: an unknown or repeated verb is
``badVerb``; an unknown, repeated, missing or malformed argument, or a resumption token given with
anything but the verb, is ``badArgument``. Datestamps are accepted at both granularities the
repository supports (day and second, UTC); ``from`` and ``until`` must share one granularity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from multidict import MultiMapping

from gateway.errors import GatewayError

#: verb → (required arguments, optional arguments). ``resumptionToken`` is exclusive where allowed.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(GatewayError):
    """An OAI-PMH error condition, answered as ``<error code=...>`` (HTTP 200, as the protocol says).
    Raised by this package's request checks and verb handlers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """A checked request: the verb and its arguments (each given once)."""

    verb: str
    args: dict[str, str]

    def get(self, name: str) -> str | None:
        """The argument ``name``, if given."""
        return self.args.get(name)


@dataclass(frozen=True, slots=True)
class DateRange:
    """``from``/``until`` as a half-open interval [since, before)."""

    since: datetime | None
    before: datetime | None


def check_request(params: MultiMapping[str]) -> OaiRequest:
    """The verb and arguments of ``params``; :class:`OaiError` (badVerb / badArgument) otherwise."""
    verbs = params.getall("verb", [])
    if len(verbs) != 1:
        raise OaiError("badVerb", "the verb argument is missing" if not verbs else "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb[:50]!r} is not an OAI-PMH verb")
    required, optional = VERBS[verb]
    args: dict[str, str] = {}
    for key in dict.fromkeys(params.keys()):
        if key == "verb":
            continue
        values = params.getall(key)
        if not all(isinstance(v, str) for v in values):  # a multipart file field
            raise OaiError("badArgument", f"the argument {key[:50]} must be text")
        if key not in required and key not in optional:
            raise OaiError("badArgument", f"{key[:50]!r} is not an argument of {verb}")
        if len(values) > 1:
            raise OaiError("badArgument", f"the argument {key} is repeated")
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
    else:
        missing = sorted(required - args.keys())
        if missing:
            raise OaiError("badArgument", f"{verb} requires {', '.join(missing)}")
    return OaiRequest(verb, args)


def parse_stamp(value: str, name: str) -> tuple[datetime, bool]:
    """A datestamp argument as a UTC datetime, and whether it was given at day granularity."""
    try:
        if _DAY.match(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), True
        if _SECOND.match(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)")


def date_range(since: str | None, until: str | None) -> DateRange:
    """The interval ``from``..``until`` (both inclusive at their granularity) as [since, before)."""
    start = end = None
    day_from = day_until = None
    if since is not None:
        start, day_from = parse_stamp(since, "from")
    if until is not None:
        until_at, day_until = parse_stamp(until, "until")
        end = until_at + (timedelta(days=1) if day_until else timedelta(seconds=1))
    if day_from is not None and day_until is not None and day_from != day_until:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if start is not None and end is not None and start >= end:
        raise OaiError("badArgument", "from is later than until")
    return DateRange(start, end)


def datestamp(value: datetime) -> str:
    """``value`` as an OAI datestamp at second granularity (UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
