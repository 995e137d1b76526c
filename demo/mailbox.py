"""The demo's mail server and mailbox: a real SMTP server on loopback (aiosmtpd, on the demo's own
event loop) that keeps every mail the outbox worker delivers, and two demo-only pages that show
them, ``/demo/mailbox`` (bilingual HTML, newest first, links clickable) and ``/demo/mailbox.json``.

Only ``biocross demo`` mounts these routes (``add_mailbox_routes``); ``biocross serve`` never does.
Mail here is the demo's own: the simulated requesters and staff have ``.invalid`` addresses.
"""

from __future__ import annotations

import asyncio
import email
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+")
MAX_KEPT = 2000


@dataclass(frozen=True)
class DeliveredMail:
    """One mail the demo's SMTP server accepted."""

    number: int
    received_at: datetime
    sender: str
    to: list[str]
    subject: str
    language: str
    body: str

    def as_json(self) -> dict[str, Any]:
        """The mail as ``/demo/mailbox.json`` lists it."""
        return {"number": self.number, "received_at": self.received_at.isoformat(), "from": self.sender,
                "to": self.to, "subject": self.subject, "language": self.language, "body": self.body,
                "links": _URL.findall(self.body)}


class DemoMailbox:
    """aiosmtpd handler keeping the newest ``MAX_KEPT`` mails in memory."""

    def __init__(self) -> None:
        self.mails: list[DeliveredMail] = []
        self._server: asyncio.base_events.Server | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the mail (called by aiosmtpd for each accepted message)."""
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        body = ""
        if isinstance(message, EmailMessage):
            part = message.get_body(preferencelist=("plain", "html"))
            body = part.get_content() if part is not None else ""
        self.mails.append(DeliveredMail(
            number=len(self.mails) + 1, received_at=datetime.now(UTC), sender=str(message.get("From", "")),
            to=[str(a) for a in envelope.rcpt_tos], subject=str(message.get("Subject", "")),
            language=str(message.get("Content-Language", "")), body=body))
        del self.mails[:-MAX_KEPT]
        return "250 OK"

    async def start(self, host: str, port: int) -> None:
        """Listen for SMTP on ``host:port`` on the running loop."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self, hostname="biocross-demo", loop=loop), host, port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def newest_first(self) -> list[DeliveredMail]:
        """Every kept mail, newest first."""
        return list(reversed(self.mails))


def _linkify(text: str) -> Markup:
    """``text`` escaped, with each URL made a link."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        url = escape(match.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def render_mailbox(mails: list[DeliveredMail]) -> str:
    """The mailbox page (both languages on one page: it is a tool for whoever tries the demo)."""
    items = []
    for mail in mails:
        items.append(
            f'<article class="demo-mail" id="mail-{mail.number}">'
            f"<h2>{escape(mail.subject)}</h2>"
            f'<dl><dt>宛先 / To</dt><dd class="mail-to">{escape(", ".join(mail.to))}</dd>'
            f"<dt>差出人 / From</dt><dd>{escape(mail.sender)}</dd>"
            f'<dt>受信 / Received</dt><dd><time datetime="{mail.received_at.isoformat()}">'
            f'{mail.received_at.strftime("%Y-%m-%d %H:%M:%S")} UTC</time></dd></dl>'
            f'<pre class="mail-body">{_linkify(mail.body)}</pre></article>')
    listing = "\n".join(items) or '<p id="mailbox-empty">まだメールはありません。 / No mail yet.</p>'
    return (
        '<!doctype html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>デモ用メールボックス / Demo mailbox · biocross</title>'
        '<link rel="stylesheet" href="/static/style.css"></head><body><main id="main">'
        "<h1>デモ用メールボックス / Demo mailbox</h1>"
        '<p class="hint">このデモで送信されたすべてのメール（新しい順）。本番の <code>biocross serve</code> '
        "にはこのページはありません。 / Every mail this demo delivered, newest first. "
        "Production (<code>biocross serve</code>) has no such page.</p>"
        f'<p><a href="/">検索 / Search</a> · <a href="/portal/">ポータル / Portal</a> · '
        f'<a href="/demo/mailbox.json">JSON</a> · {len(mails)} 通 / mails</p>'
        f"{listing}</main></body></html>")


def add_mailbox_routes(app: web.Application, mailbox: DemoMailbox) -> None:
    """Mount ``/demo/mailbox`` and ``/demo/mailbox.json`` on the demo's gateway app."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=render_mailbox(mailbox.newest_first()), content_type="text/html",
                            headers={"Cache-Control": "no-store"})

    async def as_json(request: web.Request) -> web.Response:
        return web.json_response({"mails": [m.as_json() for m in mailbox.newest_first()]},
                                 headers={"Cache-Control": "no-store"})

    app.router.add_get("/demo/mailbox", page, name="demo-mailbox")
    app.router.add_get("/demo/mailbox.json", as_json, name="demo-mailbox-json")
