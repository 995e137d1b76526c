"""What pages show instead of raw values: numbers and times in the reader's locale and time zone, and
codes (roles, MTA types, harvest outcomes and modes, rejection reasons, languages) named in words.

The words are message-catalog entries (``locale/<lang>/LC_MESSAGES/messages.po``); the English
source strings below are marked with :func:`N_` so ``pybabel extract`` finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from gateway.i18n import Translator

DEFAULT_TIME_ZONE = "Asia/Tokyo"
TZ_COOKIE = "tz"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


#: Code families and the English words for each code (translated through the catalog).
CODE_WORDS: dict[str, dict[str, str]] = {
    "role": {"requester": N_("requester"), "staff": N_("institution staff"), "admin": N_("administrator"),
             "system": N_("system")},
    "mta": {"none": N_("no MTA needed"), "simple": N_("simple MTA"), "ubmta": N_("UBMTA (uniform biological material transfer agreement)"),
            "institutional": N_("the institution's own MTA"), "academic_only": N_("MTA for academic use only"),
            "collaboration": N_("collaboration agreement")},
    "outcome": {"published": N_("published"), "updated": N_("updated"), "held": N_("held for review"),
                "failed": N_("failed"), "superseded": N_("superseded by a later run"),
                "retired": N_("source retired"), "running": N_("running")},
    "mode": {"full": N_("full"), "incremental": N_("incremental")},
    "reason": {"missing_id": N_("no identifier"), "invalid_id": N_("invalid identifier"),
               "missing_name": N_("no name"), "invalid_field": N_("invalid field"),
               "unknown_type": N_("unknown resource type"), "duplicate": N_("duplicate record"),
               "malformed": N_("malformed record")},
    "language": {"ja": N_("Japanese"), "en": N_("English")},
    "audit": {"account.invite": N_("account invited"), "account.reinvite": N_("invitation sent again"),
              "account.disable": N_("account disabled"), "account.enable": N_("account enabled"),
              "account.update": N_("account changed"), "institution.add": N_("institution added"),
              "institution.edit": N_("institution changed"), "webhook.add": N_("webhook added"),
              "webhook.pause": N_("webhook paused"), "webhook.resume": N_("webhook resumed"),
              "webhook.redeliver": N_("webhook delivery repeated"), "export": N_("personal data exported"),
              "erase": N_("personal data erased"), "retention": N_("erased after the retention period")},
    "availability_note": {
        "on_request": N_("Ask first: the institution decides case by case whether it can distribute this."),
        "limited": N_("Restricted: distributed only under conditions (e.g. academic use, a specific MTA); "
                      "the institution may decline."),
        "unavailable": N_("Not distributed at the moment: the institution will probably not be able to send it."),
        "withdrawn": N_("No longer distributed: it cannot be requested."),
    },
}


def time_zone(request: web.Request) -> tzinfo:
    """The reader's time zone: the ``tz`` cookie (set by the page script from the browser) if it
    names a real zone, else Japan."""
    name = unquote(request.cookies.get(TZ_COOKIE, ""))
    if name and len(name) <= 64:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_TIME_ZONE)


#: Why a harvest withdrew a record (the run record's English sentence → words, with its detail kept
#: as data). See indexer/writer.py and indexer/sources.py for the sentences.
WITHDRAWAL_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^absent from the full harvest$"), N_("not in the latest full harvest")),
    (re.compile(r"^deleted at the source$"), N_("deleted at the source")),
    (re.compile(r"^harvested but not indexed \((?P<detail>.*)\)$", re.S), N_("harvested but refused by the index")),
    (re.compile(r"^source (?P<detail>\S+) retired$"), N_("its source was retired")),
    (re.compile(r"^held under (?P<detail>\S+) only; the harvest of \S+ lacks it$"),
     N_("held only under the old source name; the renamed source lacks it")),
]


@dataclass(frozen=True)
class Display:
    """Formatting for one page: language and time zone fixed."""

    t: Translator
    tz: tzinfo

    def code(self, family: str, value: object) -> str:
        """The words for ``value`` in a code family (the value itself when unknown)."""
        raw = getattr(value, "value", value)
        text = str(raw) if raw is not None else ""
        words = CODE_WORDS.get(family, {}).get(text)
        return self.t(words) if words else text

    def withdrawal_reason(self, reason: str) -> Markup:
        """Why a record was withdrawn, in words; the technical detail (an error, a source name) stays
        as it was, marked as code. An unknown sentence is shown as data."""
        for pattern, words in WITHDRAWAL_REASONS:
            if match := pattern.match(reason or ""):
                detail = match.groupdict().get("detail")
                return Markup("{} <code>{}</code>").format(self.t(words), detail) if detail else Markup(escape(self.t(words)))
        return Markup("<code>{}</code>").format(reason)

    def num(self, value: int | float | None) -> str:
        """A number with the locale's grouping ("12,345")."""
        return "—" if value is None else format_decimal(value, locale=self.t.lang)

    def when(self, value: datetime | str | None, *, date_only: bool = False) -> Markup:
        """``<time datetime="ISO">human form in the reader's zone</time>`` ("—" when unknown)."""
        if value is None or value == "":
            return Markup("—")
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return Markup("{}").format(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(self.tz)
        text = format_date(local, format="medium", locale=self.t.lang)
        if not date_only:
            text += " " + format_time(local, format="short", locale=self.t.lang) + " " + (local.tzname() or "")
        return Markup('<time datetime="{}">{}</time>').format(escape(moment.isoformat()), text.strip())


    def cell(self, value: object) -> str | Markup:
        """A table cell: numbers grouped, ISO timestamps as :meth:`when`, anything else as is."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float):
            return self.num(value)
        if isinstance(value, str) and _ISO_TIME.match(value):
            return self.when(value)
        if isinstance(value, str) and _IDENTIFIER.match(value):  # run ids, slugs: never broken at a hyphen
            return Markup('<span class="id">{}</span>').format(value)
        return str(value)


_IDENTIFIER = re.compile(r"^[\w:.]+-[\w:.-]+$", re.ASCII)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def display_for(request: web.Request, t: Translator) -> Display:
    """The formatting helpers for ``request``."""
    return Display(t, time_zone(request))
