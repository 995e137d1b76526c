"""Notification mails, in Japanese or English, composed when the change they announce is written.

Requesters get mail in the language they chose; staff mail is bilingual (Japanese first). The
links inside (verification, the requester's private status page, the portal) come from a
:class:`RequestLinks` the application provides, so this module never sees the secret key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from schemas.institution import InstitutionRegistry
from schemas.requests import STATUS_LABELS, OutboxMail, RequestStatus, UsageRequest


class RequestLinks(Protocol):
    """Absolute URLs put into mails."""

    def verify_url(self, submission_id: str) -> str:
        """Signed, expiring email-verification link of a submission."""
        ...

    def track_url(self, submission_id: str) -> str:
        """The requester's private status page of a submission."""
        ...

    def portal_url(self, request_id: str) -> str:
        """A request in the institution portal."""
        ...


SIGNATURE = {"ja": "\n--\nつくば生物医学資源横断検索システム (biocross)\n",
             "en": "\n--\nTsukuba Biomedical Resource Cross-Search (biocross)\n"}

#: kind → language → (subject, body); ``str.format`` fields are filled by :func:`compose`.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "verify": {
        "ja": ("【biocross】メールアドレスの確認をお願いします",
               "{name} 様\n\n利用申請を受け付けました。次のリンクを開いてメールアドレスを確認してください。"
               "確認後に各機関へ申請が届きます。\n\n{link}\n\nこのリンクは {hours} 時間有効です。\n\n申請先:\n{institutions}\n"),
        "en": ("[biocross] Please confirm your email address",
               "Dear {name},\n\nWe received your usage request. Please open this link to confirm your email "
               "address; the institutions see your request only after that.\n\n{link}\n\n"
               "The link is valid for {hours} hours.\n\nRequests:\n{institutions}\n"),
    },
    "receipt": {
        "ja": ("【biocross】利用申請 {submission} を受け付けました",
               "{name} 様\n\nメールアドレスが確認され、申請が各機関に送られました。\n\n{institutions}\n\n"
               "申請の状況は次の専用リンクからいつでも確認できます(他の人に知らせないでください):\n{track}\n"),
        "en": ("[biocross] Usage request {submission} received",
               "Dear {name},\n\nYour email address is confirmed and your requests were sent to the institutions.\n\n"
               "{institutions}\n\nFollow them at any time through your private link (do not share it):\n{track}\n"),
    },
    "status": {
        "ja": ("【biocross】申請 {request}: {status}",
               "{name} 様\n\n{institution} への申請 {request} の状況が「{status}」になりました。\n\n{comment}"
               "状況の確認・回答・取り下げ:\n{track}\n"),
        "en": ("[biocross] Request {request}: {status}",
               "Dear {name},\n\nYour request {request} to {institution} is now: {status}.\n\n{comment}"
               "See it, answer or withdraw:\n{track}\n"),
    },
    "message_to_requester": {
        "ja": ("【biocross】申請 {request} に {institution} からメッセージ",
               "{name} 様\n\n{institution} からメッセージが届きました。\n\n{body}\n\n返信はこちらから:\n{track}\n"),
        "en": ("[biocross] Message from {institution} about request {request}",
               "Dear {name},\n\n{institution} sent you a message.\n\n{body}\n\nReply here:\n{track}\n"),
    },
    "reminder_requester": {
        "ja": ("【biocross】申請 {request}: 追加情報をお待ちしています",
               "{name} 様\n\n{institution} が {days} 日前から申請 {request} の追加情報をお待ちしています。\n\n"
               "回答はこちらから:\n{track}\n"),
        "en": ("[biocross] Request {request}: information still needed",
               "Dear {name},\n\n{institution} has been waiting {days} days for information about request "
               "{request}.\n\nAnswer here:\n{track}\n"),
    },
    "new_request": {
        "ja": ("新しい利用申請 {request}", "{requester} ({affiliation}) から新しい利用申請 {request} が届きました。\n"
               "資源: {items}\n\n{portal}\n"),
        "en": ("New usage request {request}", "{requester} ({affiliation}) sent a new usage request {request}.\n"
               "Resources: {items}\n\n{portal}\n"),
    },
    "requester_action": {
        "ja": ("申請 {request}: {status}", "申請者 {requester} により申請 {request} が「{status}」になりました。\n\n"
               "{comment}{portal}\n"),
        "en": ("Request {request}: {status}", "The requester {requester} moved request {request} to: {status}.\n\n"
               "{comment}{portal}\n"),
    },
    "message_to_staff": {
        "ja": ("申請 {request} に申請者からメッセージ", "{requester} からメッセージが届きました。\n\n{body}\n\n{portal}\n"),
        "en": ("Message from the requester about request {request}", "{requester} sent a message.\n\n{body}\n\n{portal}\n"),
    },
    "reminder_staff": {
        "ja": ("【リマインダー】申請 {request} が {days} 日間対応待ちです",
               "申請 {request}({status})が {days} 日間、機関の対応を待っています。\n\n{portal}\n"),
        "en": ("[Reminder] Request {request} has waited {days} days",
               "Request {request} ({status}) has been waiting for your institution for {days} days.\n\n{portal}\n"),
    },
}


def status_label(status: RequestStatus, lang: str) -> str:
    """A state's label in ``lang``."""
    ja, en = STATUS_LABELS[status]
    return ja if lang == "ja" else en


def institution_name(institutions: InstitutionRegistry, slug: str, lang: str) -> str:
    """An institution's name in ``lang``."""
    return institutions.name(slug, lang)


def _mail(kind: str, to: list[str], lang: str, subject: str, body: str, now: datetime) -> OutboxMail:
    return OutboxMail(id=uuid.uuid4().hex, kind=kind, to=to, lang=lang, subject=subject, body=body, created_at=now)


def to_requester(kind: str, request: UsageRequest, names: InstitutionRegistry, now: datetime,
                 **values: object) -> OutboxMail:
    """A mail to the requester in their language; ``values`` fill the template."""
    lang = request.requester.language.value
    fields = {"name": request.requester.name, "request": request.id, "submission": request.submission_id,
              "institution": institution_name(names, request.institution, lang),
              "status": status_label(request.status, lang), **values}
    comment = str(fields.get("comment") or "")
    fields["comment"] = f"{comment}\n\n" if comment else ""
    subject, body = TEXTS[kind][lang]
    return _mail(kind, [request.requester.email], lang, subject.format(**fields),
                 body.format(**fields) + SIGNATURE[lang], now)


def to_staff(kind: str, request: UsageRequest, recipients: list[str], now: datetime, **values: object
             ) -> OutboxMail | None:
    """A bilingual mail to an institution's staff (None when the institution has no recipient)."""
    if not recipients:
        return None
    parts: dict[str, tuple[str, str]] = {}
    for lang in ("ja", "en"):
        fields = {"request": request.id, "requester": request.requester.name,
                  "affiliation": request.requester.affiliation, "status": status_label(request.status, lang),
                  "items": ", ".join(i.catalog_id for i in request.items), **values}
        comment = str(fields.get("comment") or "")
        fields["comment"] = f"{comment}\n\n" if comment else ""
        subject, body = TEXTS[kind][lang]
        parts[lang] = (subject.format(**fields), body.format(**fields))
    subject = f"[biocross] {parts['ja'][0]} / {parts['en'][0]}"
    body = parts["ja"][1] + SIGNATURE["ja"] + "\n" + "=" * 40 + "\n\n" + parts["en"][1] + SIGNATURE["en"]
    return _mail(kind, sorted(set(recipients)), "ja+en", subject, body, now)


def institution_lines(requests: list[UsageRequest], institutions: InstitutionRegistry, lang: str) -> str:
    """One line per request: id, institution and catalog ids."""
    return "\n".join(f"- {r.id}: {institution_name(institutions, r.institution, lang)} ({', '.join(i.catalog_id for i in r.items)})"
                     for r in requests)
