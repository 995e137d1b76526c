"""Stateless resumption tokens: the position in a listing, signed with the gateway secret key.

A token carries the verb, metadata format, set, date range, the ``search_after`` values of the last
record sent and how many were sent before (the ``cursor``). Nothing is stored on the server, so any
gateway process answers any token; the signature (itsdangerous, HMAC over a timestamped payload,
its own salt) means a client can neither forge nor alter one, and the timestamp makes it expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from gateway.oai.protocol import OaiError

_SALT = "biocross-oai-resumption"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a listing stands: what was asked and how far it has gone."""

    verb: str
    prefix: str
    set_spec: str | None
    since: str | None
    before: str | None
    after: list[Any]
    cursor: int


class ResumptionTokens:
    """Signs and reads resumption tokens; each is valid for ``lifetime``."""

    def __init__(self, secrets: list[str], lifetime: timedelta) -> None:
        """``secrets``: the current signing key first, then keys being rotated out (they still verify)."""
        self.serializer = URLSafeTimedSerializer(list(reversed(secrets)), salt=_SALT)
        self.lifetime = lifetime

    def issue(self, position: Position) -> tuple[str, datetime]:
        """A token for ``position`` and when it expires."""
        token = self.serializer.dumps({"v": position.verb, "p": position.prefix, "s": position.set_spec,
                                       "f": position.since, "b": position.before, "a": position.after,
                                       "c": position.cursor})
        return token, datetime.now(UTC).replace(microsecond=0) + self.lifetime

    def read(self, token: str, verb: str) -> Position:
        """The position of ``token``; ``badResumptionToken`` when it is forged, damaged, expired or
        belongs to another verb."""
        try:
            data = self.serializer.loads(token, max_age=int(self.lifetime.total_seconds()))
        except SignatureExpired as exc:
            raise OaiError("badResumptionToken", "the resumptionToken has expired; start the list again") from exc
        except BadSignature as exc:
            raise OaiError("badResumptionToken", "the resumptionToken is not valid") from exc
        if not isinstance(data, dict) or data.get("v") != verb or not isinstance(data.get("a"), list) \
                or not isinstance(data.get("c"), int) or not isinstance(data.get("p"), str):
            raise OaiError("badResumptionToken", f"the resumptionToken does not belong to {verb}")
        return Position(verb=verb, prefix=data["p"], set_spec=data.get("s"), since=data.get("f"),
                        before=data.get("b"), after=data["a"], cursor=data["c"])
