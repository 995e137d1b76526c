"""Usage requests: the submission form, the per-institution request document and its state machine.

One submission (one cart, one form) becomes one :class:`UsageRequest` per holding institution,
linked by ``submission_id``. Each request carries its current state, its full event history, its
message thread and its mail outbox in one Elasticsearch document, so a state change and the mail
announcing it are written together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from schemas.labels import vocabulary_labels

_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
OptionalParagraph = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class RequestStatus(StrEnum):
    """Where one institution's request stands."""

    SUBMITTED = "submitted"
    EMAIL_VERIFIED = "email_verified"
    UNDER_REVIEW = "under_review"
    NEEDS_INFORMATION = "needs_information"
    APPROVED = "approved"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: States in which the institution must act next (reminders go to its staff).
WAITING_FOR_INSTITUTION = (RequestStatus.EMAIL_VERIFIED, RequestStatus.UNDER_REVIEW)
#: States in which the requester must act next (reminders go to the requester).
WAITING_FOR_REQUESTER = (RequestStatus.NEEDS_INFORMATION,)


class Role(StrEnum):
    """Who acts on a request."""

    REQUESTER = "requester"
    STAFF = "staff"
    ADMIN = "admin"
    SYSTEM = "system"


class Action(StrEnum):
    """A transition of the state machine, named by what the actor does."""

    VERIFY = "verify"
    START_REVIEW = "start_review"
    ASK_INFORMATION = "ask_information"
    ANSWER = "answer"
    APPROVE = "approve"
    REJECT = "reject"
    SHIP = "ship"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"



@dataclass(frozen=True)
class Transition:
    """One allowed move: from which states, to which state, by which roles."""

    sources: tuple[RequestStatus, ...]
    target: RequestStatus
    roles: tuple[Role, ...]
    comment_required: bool = False


_S = RequestStatus
_STAFF = (Role.STAFF, Role.ADMIN)

#: The state machine. Anything not listed here is refused.
TRANSITIONS: dict[Action, Transition] = {
    Action.VERIFY: Transition((_S.SUBMITTED,), _S.EMAIL_VERIFIED, (Role.REQUESTER,)),
    Action.START_REVIEW: Transition((_S.EMAIL_VERIFIED,), _S.UNDER_REVIEW, _STAFF),
    Action.ASK_INFORMATION: Transition((_S.UNDER_REVIEW,), _S.NEEDS_INFORMATION, _STAFF, comment_required=True),
    Action.ANSWER: Transition((_S.NEEDS_INFORMATION,), _S.UNDER_REVIEW, (Role.REQUESTER,), comment_required=True),
    Action.APPROVE: Transition((_S.UNDER_REVIEW,), _S.APPROVED, _STAFF),
    Action.REJECT: Transition((_S.EMAIL_VERIFIED, _S.UNDER_REVIEW, _S.NEEDS_INFORMATION), _S.REJECTED, _STAFF,
                              comment_required=True),
    Action.SHIP: Transition((_S.APPROVED,), _S.SHIPPED, _STAFF),
    Action.COMPLETE: Transition((_S.SHIPPED,), _S.COMPLETED, (*_STAFF, Role.REQUESTER)),
    Action.WITHDRAW: Transition((_S.SUBMITTED, _S.EMAIL_VERIFIED, _S.UNDER_REVIEW, _S.NEEDS_INFORMATION,
                                 _S.APPROVED), _S.WITHDRAWN, (Role.REQUESTER,)),
}


def allowed_actions(status: RequestStatus, role: Role) -> list[Action]:
    """The actions ``role`` may take on a request in ``status`` (in table order)."""
    return [a for a, t in TRANSITIONS.items() if status in t.sources and role in t.roles]


class Language(StrEnum):
    """Languages the requester can be written to in."""

    JA = "ja"
    EN = "en"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubmissionForm(_Model):
    """What the requester types into the request form (one form for the whole cart)."""

    name: Line = Field(description="Requester's full name.")
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)] = Field(
        description="Requester's email; every notification goes there.")
    affiliation: Line = Field(description="Institution or company of the requester.")
    position: Line = Field(description="Position or title.")
    country: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="Country of the requester.")
    purpose: Paragraph = Field(description="Research purpose.")
    planned_use: Paragraph = Field(description="Planned use of the resources.")
    ethics_approval: OptionalLine = Field("", description="Ethics approval number (required for human specimens).")
    biosafety_ack: bool = Field(False, description="Biosafety acknowledgement (required from BSL 2).")
    shipping_address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="Where to ship the material.")
    agreements: list[str] = Field(default_factory=list, max_length=20,
                                  description="Institutions whose distribution conditions the requester accepts.")
    message: OptionalParagraph = Field("", description="Free-text message to the institutions.")
    language: Language = Field(Language.JA, description="Language of the emails the requester gets.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("invalid_email")
        return value


class RequestItem(_Model):
    """A snapshot of one requested resource, taken at submission time."""

    id: str = Field(description="Resource id.")
    catalog_id: str = Field(description="Institution's catalog id.")
    name: str = Field(description="Resource name.")
    resource_type: str = Field(description="Resource type.")
    biosafety_level: int | None = Field(None, description="Biosafety level, if known.")
    mta_type: str | None = Field(None, description="Required MTA type, if known.")


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one form field: a stable code the UI translates, and its parameters."""

    field: str
    code: str
    limit: int | None = None


def issues_from(exc: ValidationError) -> list[FieldIssue]:
    """Per-field issues from pydantic's errors, as codes (``required``, ``too_long``, ``invalid``...)."""
    issues: list[FieldIssue] = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        kind = error["type"]
        ctx: dict[str, Any] = error.get("ctx") or {}
        if kind in ("missing", "string_too_short"):
            issues.append(FieldIssue(field, "required"))
        elif kind in ("string_too_long", "too_long"):
            issues.append(FieldIssue(field, "too_long", ctx.get("max_length")))
        elif kind == "value_error" and "invalid_email" in str(error.get("msg")):
            issues.append(FieldIssue(field, "invalid_email"))
        elif kind == "extra_forbidden":
            issues.append(FieldIssue("form", "unexpected_field"))
        else:
            issues.append(FieldIssue(field, "invalid"))
    return issues


def conditional_issues(form: SubmissionForm, items: list[RequestItem], institutions: list[str]) -> list[FieldIssue]:
    """Requirements that depend on the cart: ethics approval for human specimens, the biosafety
    acknowledgement from BSL 2, and agreement to each institution's conditions."""
    issues: list[FieldIssue] = []
    if any(i.resource_type == "human_specimen" for i in items) and not form.ethics_approval:
        issues.append(FieldIssue("ethics_approval", "ethics_required"))
    if any((i.biosafety_level or 0) >= 2 for i in items) and not form.biosafety_ack:
        issues.append(FieldIssue("biosafety_ack", "biosafety_required"))
    for slug in institutions:
        if slug not in form.agreements:
            issues.append(FieldIssue(f"agree_{slug}", "agreement_required"))
    return issues


class Event(_Model):
    """One entry of a request's history: a transition (or the creation)."""

    at: datetime = Field(description="When it happened (UTC).")
    actor: str = Field(description="Who: a staff user name or the requester's email.")
    role: Role = Field(description="In which role.")
    action: str = Field(description="The action (or 'submit').")
    from_status: RequestStatus | None = Field(None, description="State before (None at creation).")
    to_status: RequestStatus = Field(description="State after.")
    comment: str = Field("", description="The actor's comment.")


class ThreadMessage(_Model):
    """One message of the thread between the requester and the institution's staff."""

    id: str = Field(description="Message id.")
    at: datetime = Field(description="When it was posted (UTC).")
    author: str = Field(description="Staff user name or the requester's email.")
    role: Role = Field(description="Author's role.")
    body: str = Field(description="Message text.")


class OutboxMail(_Model):
    """A notification waiting in (or sent from) the request's outbox. Written in the same update as
    the change it announces; delivered and marked sent by the mailer."""

    id: str = Field(description="Outbox id; the Message-ID derives from it.")
    kind: str = Field(description="What it announces (verify, receipt, status, message, reminder...).")
    to: list[str] = Field(description="Recipients.")
    lang: str = Field(description="Language of the mail (ja, en, or ja+en for staff).")
    subject: str = Field(description="Subject line.")
    body: str = Field(description="Plain-text body.")
    created_at: datetime = Field(description="When it was queued.")
    attempts: int = Field(0, description="Delivery attempts so far.")
    last_error: str | None = Field(None, description="Last delivery error.")
    next_attempt_at: datetime | None = Field(None, description="Not before this time (backoff).")
    claimed_by: str | None = Field(None, description="Mailer process holding the delivery lease.")
    claimed_until: datetime | None = Field(None, description="End of the delivery lease.")
    sent_at: datetime | None = Field(None, description="When the SMTP server accepted it.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra mail headers (List-Unsubscribe...).")


class UsageRequest(_Model):
    """One institution's part of a submission: the stored document."""

    id: str = Field(description="Request id.")
    submission_id: str = Field(description="Links the requests of one submission.")
    institution: str = Field(description="Holding institution slug.")
    status: RequestStatus = Field(description="Current state.")
    status_since: datetime = Field(description="When the current state was entered.")
    revision: int = Field(1, description="Bumped by every business change (not by mail bookkeeping).")
    created_at: datetime = Field(description="Submission time.")
    updated_at: datetime = Field(description="Last business change.")
    requester: SubmissionForm = Field(description="The form as submitted.")
    items: list[RequestItem] = Field(description="Requested resources of this institution.")
    lead: bool = Field(False, description="Carries the submission-level mails (verification, receipt).")
    events: list[Event] = Field(default_factory=list, description="Full history, oldest first.")
    messages: list[ThreadMessage] = Field(default_factory=list, description="Message thread, oldest first.")
    outbox: list[OutboxMail] = Field(default_factory=list, description="Notifications, pending and sent.")
    reminders_sent: list[str] = Field(default_factory=list, description="Keys of reminders already queued.")
    has_pending_mail: bool = Field(False, description="Whether any outbox mail is unsent (indexed for the mailer).")
    anonymised_at: datetime | None = Field(None, description=(
        "When the requester's personal data was erased (retention period over, or on request)."))

    def sync_pending(self) -> None:
        """Recompute :attr:`has_pending_mail` from the outbox."""
        self.has_pending_mail = any(m.sent_at is None for m in self.outbox)


class TransitionInput(_Model):
    """Body of ``POST /api/portal/requests/{id}/transition``."""

    action: Action = Field(description="The action to take.")
    comment: Comment = Field("", description="Comment recorded with the event (required for some actions).")
    revision: int | None = Field(None, ge=1, description="The revision the caller saw; 409 if it changed.")


#: Japanese and English labels (data in labels.toml).
STATUS_LABELS: dict[RequestStatus, tuple[str, str]] = vocabulary_labels(RequestStatus, "request_status")
ACTION_LABELS: dict[Action, tuple[str, str]] = vocabulary_labels(Action, "action")
