"""The usage-request service: submit, verify, act, talk, read, each as one business operation.

A state change, its history event and the notifications announcing it are one document write
(see :mod:`desk.store`), so a crash can never leave a change without its mail or a mail
without its change.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, TransportError

from desk.accounts import AccountStore
from desk.errors import (
    ActionNotPermittedError,
    CommentRequiredError,
    ConflictError,
    RequestNotFoundError,
    StaleRevisionError,
    SubmissionError,
)
from desk.notices import RequestLinks, institution_lines, to_requester, to_staff
from desk.store import RequestStore
from desk.webhooks import WebhookStore
from schemas.institution import InstitutionRegistry
from schemas.requests import (
    TRANSITIONS,
    Action,
    Event,
    OutboxMail,
    RequestItem,
    RequestStatus,
    Role,
    SubmissionForm,
    ThreadMessage,
    UsageRequest,
)
from schemas.settings import RequestsSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member (scoped to institutions), an admin, or the requester of one
    submission (proven by the private link)."""

    name: str
    role: Role
    institutions: frozenset[str] = frozenset()
    submission_id: str | None = None

    def can_access(self, request: UsageRequest) -> bool:
        """Whether this actor may see ``request`` at all."""
        if self.role is Role.SYSTEM:
            return True
        if self.role in (Role.ADMIN, Role.STAFF):  # nobody at an institution sees an unverified request
            unverified = request.status is RequestStatus.SUBMITTED
            return not unverified and (self.role is Role.ADMIN or request.institution in self.institutions)
        return self.submission_id is not None and request.submission_id == self.submission_id

    def scope_query(self) -> dict[str, Any]:
        """An Elasticsearch filter for the requests this actor may see."""
        if self.role in (Role.ADMIN, Role.SYSTEM):
            return {"match_all": {}}
        if self.role is Role.STAFF:
            return {"terms": {"institution": sorted(self.institutions)}}
        return {"term": {"submission_id": self.submission_id or "-"}}


def _now() -> datetime:
    return datetime.now(UTC)


def new_submission_id(now: datetime) -> str:
    """A readable, unguessable submission id, e.g. ``BX20260115-K3M9Q2TZ``."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"BX{now:%Y%m%d}-{''.join(secrets.choice(alphabet) for _ in range(8))}"


class RequestService:
    """Business API over usage requests. One per application."""

    def __init__(self, store: RequestStore, accounts: AccountStore, links: RequestLinks,
                 settings: RequestsSettings, institutions: InstitutionRegistry) -> None:
        self.store = store
        self.institutions = institutions
        self.accounts = accounts
        self.links = links
        self.settings = settings
        self.webhooks: WebhookStore | None = None

    async def _emit(self, event: str, request: UsageRequest, *, key: str, **extra: str) -> None:
        """Tell webhook endpoints (what an outside tracker needs, never the requester's personal data)."""
        if self.webhooks is None:
            return
        data = {"request_id": request.id, "submission_id": request.submission_id, "institution": request.institution,
                "status": request.status.value, "revision": request.revision,
                "items": [i.catalog_id for i in request.items], **extra}
        try:
            await self.webhooks.emit(event, data, key=key)
        except (ApiError, TransportError):  # the change is stored; its webhook is lost, say so once
            log.warning("webhook event %s of %s not queued", event, request.id, exc_info=True)

    async def staff_recipients(self, institution: str) -> list[str]:
        """Who is told about an institution's requests: its active staff; while it has none, its
        contact address; failing that the active administrators, so a request always reaches someone."""
        emails = await self.accounts.staff_emails(institution)
        if emails:
            return emails
        inst = self.institutions.get(institution)
        if inst is not None and inst.contact_email:
            return [inst.contact_email]
        return await self.accounts.admin_emails()

    async def submit(self, form: SubmissionForm, items_by_institution: dict[str, list[RequestItem]],
                     now: datetime | None = None) -> list[UsageRequest]:
        """Split one submission into one request per institution; queue the verification mail."""
        if not items_by_institution or not all(items_by_institution.values()):
            raise SubmissionError("the cart is empty")
        now = now or _now()
        submission_id = new_submission_id(now)
        requests: list[UsageRequest] = []
        for position, slug in enumerate(sorted(items_by_institution)):
            requests.append(UsageRequest(
                id=f"{submission_id}-{slug}", submission_id=submission_id, institution=slug,
                status=RequestStatus.SUBMITTED, status_since=now, created_at=now, updated_at=now,
                requester=form, items=items_by_institution[slug], lead=position == 0,
                events=[Event(at=now, actor=form.email, role=Role.REQUESTER, action="submit",
                              to_status=RequestStatus.SUBMITTED, comment=form.message)]))
        lead = requests[0]
        lead.outbox.append(to_requester(
            "verify", lead, self.institutions, now, link=self.links.verify_url(submission_id),
            hours=self.settings.verify_link_hours, institutions=institution_lines(requests, self.institutions, form.language.value)))
        for request in requests:
            await self.store.create(request)
        return requests

    async def submission(self, submission_id: str) -> list[UsageRequest]:
        """Every request of a submission, by institution."""
        found = await self.store.load_many([f"{submission_id}-{slug}" for slug in sorted(self.institutions)])
        if not found:
            raise RequestNotFoundError("no such submission")
        return found

    async def verify(self, submission_id: str, now: datetime | None = None) -> list[UsageRequest]:
        """The requester confirmed their email: every request of the submission goes to its
        institution (staff are told), and the requester gets the receipt with their private link.
        Idempotent: following the link again changes nothing."""
        now = now or _now()
        requests = await self.submission(submission_id)
        lang = requests[0].requester.language.value
        result: list[UsageRequest] = []
        for request in requests:
            recipients = await self.staff_recipients(request.institution)

            def change(r: UsageRequest, recipients: list[str] = recipients) -> bool:
                if r.status is not RequestStatus.SUBMITTED:
                    return False
                self._apply(r, Action.VERIFY, Actor(r.requester.email, Role.REQUESTER), "", now)
                staff_mail = to_staff("new_request", r, recipients, now, portal=self.links.portal_url(r.id))
                if staff_mail:
                    r.outbox.append(staff_mail)
                if r.lead:
                    r.outbox.append(to_requester("receipt", r, self.institutions, now,
                                                 track=self.links.track_url(r.submission_id), institutions=institution_lines(requests, self.institutions, lang)))
                return True

            result.append(await self.store.mutate(request.id, change, refresh="wait_for"))
        for r in result:
            await self._emit("request.verified", r, key=f"{r.id}@verified")
        return result

    def _apply(self, r: UsageRequest, action: Action, actor: Actor, comment: str, now: datetime) -> None:
        transition = TRANSITIONS[action]
        if actor.role not in transition.roles:
            raise ActionNotPermittedError(f"a {actor.role.value} may not {action.value.replace('_', ' ')}")
        if r.status not in transition.sources:
            raise ConflictError(f"request {r.id} is {r.status.value}; "
                                f"'{action.value}' is no longer possible (someone may have acted first)")
        r.events.append(Event(at=now, actor=actor.name, role=actor.role, action=action.value,
                              from_status=r.status, to_status=transition.target, comment=comment))
        r.status, r.status_since, r.updated_at = transition.target, now, now
        r.revision += 1

    async def get(self, actor: Actor, request_id: str) -> UsageRequest:
        """One request the actor may see (404 for anything else, existing or not)."""
        request = (await self.store.load(request_id)).request
        if not actor.can_access(request):
            raise RequestNotFoundError(f"no request {request_id!r}")
        return request

    async def transition(self, actor: Actor, request_id: str, action: Action, comment: str = "", *,
                         revision: int | None = None, now: datetime | None = None) -> UsageRequest:
        """Take ``action`` on a request. :class:`StaleRevisionError` if it changed since the actor
        saw ``revision``; :class:`ConflictError` if its state no longer allows the action."""
        now = now or _now()
        comment = comment.strip()
        transition = TRANSITIONS[action]
        current = await self.get(actor, request_id)  # scope first: others learn nothing, not even 403
        if action is Action.VERIFY:
            raise ActionNotPermittedError("email verification goes through the emailed link")
        if actor.role not in transition.roles:
            raise ActionNotPermittedError(f"a {actor.role.value} may not {action.value.replace('_', ' ')}")
        if transition.comment_required and not comment:
            raise CommentRequiredError(f"'{action.value}' needs a comment")
        recipients = await self.staff_recipients(current.institution) if actor.role is Role.REQUESTER else []

        def change(r: UsageRequest) -> bool:
            if revision is not None and r.revision != revision:
                raise StaleRevisionError(f"request {r.id} was changed by someone else since you opened it "
                                         f"(now {r.status.value}); reload it and decide again")
            self._apply(r, action, actor, comment, now)
            track = self.links.track_url(r.submission_id)
            r.outbox.append(to_requester("status", r, self.institutions, now, comment=comment, track=track))
            if actor.role is Role.REQUESTER:
                staff_mail = to_staff("requester_action", r, recipients, now, comment=comment,
                                      portal=self.links.portal_url(r.id))
                if staff_mail:
                    r.outbox.append(staff_mail)
            return True

        changed = await self.store.mutate(request_id, change)
        await self._emit("request.status_changed", changed, key=f"{changed.id}@{changed.revision}")
        return changed

    async def post_message(self, actor: Actor, request_id: str, body: str, now: datetime | None = None
                           ) -> UsageRequest:
        """Add a message to the thread and notify the other side."""
        now = now or _now()
        body = body.strip()
        if not body:
            raise CommentRequiredError("the message is empty")
        current = await self.get(actor, request_id)
        if current.status is RequestStatus.SUBMITTED:
            raise ConflictError("confirm your email address first; the institution cannot see the request yet")
        recipients = await self.staff_recipients(current.institution) if actor.role is Role.REQUESTER else []
        message_id = secrets.token_hex(8)

        def change(r: UsageRequest) -> bool:
            if any(m.id == message_id for m in r.messages):
                return False
            r.messages.append(ThreadMessage(id=message_id, at=now, author=actor.name, role=actor.role, body=body))
            r.revision += 1
            r.updated_at = now
            mail: OutboxMail | None
            if actor.role is Role.REQUESTER:
                mail = to_staff("message_to_staff", r, recipients, now, body=body, portal=self.links.portal_url(r.id))
            else:
                mail = to_requester("message_to_requester", r, self.institutions, now, body=body,
                                    track=self.links.track_url(r.submission_id))
            if mail:
                r.outbox.append(mail)
            return True

        posted = await self.store.mutate(request_id, change)
        await self._emit("request.message", posted, key=f"{posted.id}@{message_id}", role=actor.role.value)
        return posted

    async def list_for(self, actor: Actor, status: RequestStatus | None = None, size: int = 200
                       ) -> tuple[list[UsageRequest], dict[str, int]]:
        """The actor's requests (optionally of one state, newest first) and counts per state.
        Requests still awaiting email verification are not shown to staff."""
        scope = {"bool": {"filter": [actor.scope_query()],
                          "must_not": [{"term": {"status": RequestStatus.SUBMITTED.value}}]}}
        counts = await self.store.status_counts(scope)
        query = scope if status is None else {"bool": {"filter": [scope, {"term": {"status": status.value}}]}}
        return await self.store.find(query, size=size), counts

    async def export_for(self, actor: Actor) -> list[UsageRequest]:
        """Every request the actor may see (for CSV export), oldest first."""
        scope = {"bool": {"filter": [actor.scope_query()],
                          "must_not": [{"term": {"status": RequestStatus.SUBMITTED.value}}]}}
        return [r async for r in self.store.scan(scope)]
