"""The mail worker: queues due reminders and delivers the request outboxes over SMTP (aiosmtplib).

Run it as ``biocross mailer`` (a loop) or call :func:`deliver_pending` / :func:`mailer_pass` once.
Mails are composed and stored with the change they announce; this worker only hands them to the
SMTP server and records the outcome (see :mod:`desk.outbox` for the guarantees).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiohttp
import aiosmtplib
from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from desk.errors import DeliveryError
from desk.factory import Desk, build_desk
from desk.harvest_alerts import HarvestAlerts
from desk.outbox import DeliveryReport
from desk.outbox import deliver_pending as deliver_outbox
from desk.privacy import PrivacyService
from desk.reminders import queue_reminders
from desk.service import RequestService
from gateway.signing import RequestLinks
from schemas.requests import OutboxMail
from schemas.settings import MailSettings, Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 15.0


def message_id(mail: OutboxMail, sender: str) -> str:
    """The Message-ID of an outbox mail: derived from its outbox id, so a re-send after a crash
    carries the same id and receiving systems can drop the duplicate."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "biocross.invalid"
    return f"<{mail.id}@{domain}>"


def to_email(mail: OutboxMail, sender: str) -> EmailMessage:
    """An outbox mail as a MIME message (UTF-8 plain text)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = message_id(mail, sender)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.body, charset="utf-8")
    message["Content-Language"] = mail.lang.replace("+", ", ")  # after set_content, which drops Content-*
    return message


class SmtpSender:
    """Sends one outbox mail per SMTP transaction; connection problems become :class:`DeliveryError`."""

    def __init__(self, mail: MailSettings) -> None:
        self.settings = mail

    async def __call__(self, mail: OutboxMail) -> None:
        """Hand ``mail`` to the SMTP server."""
        s = self.settings
        try:
            await aiosmtplib.send(
                to_email(mail, s.sender), hostname=s.host, port=s.port, username=s.username,
                password=s.password.get_secret_value() if s.password else None, start_tls=s.starttls or None,
                timeout=SMTP_TIMEOUT)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


@dataclass
class Mailer:
    """What the worker needs: the request service and an SMTP sender."""

    settings: Settings
    service: RequestService
    send: SmtpSender
    worker: str
    privacy: PrivacyService
    desk: Desk

    @classmethod
    def build(cls, settings: Settings, es: AsyncElasticsearch) -> Mailer:
        """Wire the services from settings (the caller owns ``es``)."""
        desk = build_desk(es, settings, RequestLinks(settings))
        return cls(settings, desk.requests, SmtpSender(settings.mail), f"{socket.gethostname()}:{os.getpid()}",
                   desk.privacy, desk)

    async def deliver_pending(self) -> DeliveryReport:
        """Send every due mail once (request outboxes, then the mail queue); failures stay queued with backoff."""
        r = self.settings.requests
        report = await deliver_outbox(self.service.store, self.send, worker=self.worker,
                                      claim_seconds=r.mail_claim_seconds, retry_seconds=r.mail_retry_seconds)
        queued = await self.desk.mail.deliver(self.send, worker=self.worker, claim_seconds=r.mail_claim_seconds,
                                              retry_seconds=r.mail_retry_seconds)
        report.add(queued)
        async with aiohttp.ClientSession() as session:
            hooks = await self.desk.webhooks.deliver(session)
        if hooks["delivered"] or hooks["failed"]:
            log.info("webhooks: %d delivered, %d failed", hooks["delivered"], hooks["failed"])
        return report

    async def mailer_pass(self) -> tuple[int, DeliveryReport]:
        """Queue due reminders, then deliver, then queue and deliver the saved-search digests, then
        delete saved searches never confirmed, anonymise requests past the retention period: one pass of the loop."""
        await self.desk.institutions.load()  # names and contact addresses as the administrators left them
        reminders = await queue_reminders(self.service)
        await HarvestAlerts(self.desk.accounts.es, self.settings.es.index_prefix, self.desk.accounts,
                            self.desk.institutions.registry, self.desk.mail,
                            self.settings.gateway.public_url).queue()
        await self.desk.webhooks.emit_harvest_outcomes()
        report = await self.deliver_pending()
        digests = await self.desk.saved.digest_pass()
        r = self.settings.requests
        report.add(await self.desk.saved.deliver(self.send, worker=self.worker, claim_seconds=r.mail_claim_seconds,
                                                 retry_seconds=r.mail_retry_seconds))
        if digests:
            log.info("saved searches: %d digest(s) queued", digests)
        dropped = await self.desk.saved.drop_unconfirmed()
        if dropped:
            log.info("saved searches: %d never confirmed, deleted", len(dropped))
        anonymised = await self.privacy.apply_retention(datetime.now(UTC))
        if anonymised:
            log.info("retention: personal data of %d closed request(s) erased", len(anonymised))
        return reminders, report

    async def run_forever(self) -> None:
        """Pass after pass until cancelled; an Elasticsearch hiccup only delays the next pass."""
        while True:
            try:
                reminders, report = await self.mailer_pass()
                if reminders or report.sent or report.failed:
                    log.info("mailer: %d reminder(s) queued, %d sent, %d failed", reminders, len(report.sent),
                             len(report.failed))
            except (ApiError, TransportError):
                log.exception("mailer pass failed; retrying after the interval")
            await asyncio.sleep(self.settings.requests.mailer_interval_seconds)


async def deliver_pending(settings: Settings, es: AsyncElasticsearch) -> DeliveryReport:
    """One delivery pass with a mailer built from ``settings``."""
    return await Mailer.build(settings, es).deliver_pending()


async def mailer_pass(settings: Settings, es: AsyncElasticsearch) -> tuple[int, DeliveryReport]:
    """One full pass (reminders, then delivery) with a mailer built from ``settings``."""
    return await Mailer.build(settings, es).mailer_pass()

