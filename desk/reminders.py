"""Reminders for requests that wait too long: to the institution's staff while the request waits
for them, to the requester while it waits for their information.

Each reminder is queued once: its key (state, time the state was entered, threshold in days) goes
into ``reminders_sent`` in the same write as the mail. A request that comes back to a waiting state
later waits afresh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.notices import to_requester, to_staff
from desk.service import RequestService
from schemas.requests import WAITING_FOR_INSTITUTION, WAITING_FOR_REQUESTER, UsageRequest


def reminder_key(request: UsageRequest, days: int) -> str:
    """Identifies one reminder of one waiting period."""
    return f"{request.status.value}@{request.status_since.isoformat()}:{days}d"


async def queue_reminders(service: RequestService, now: datetime | None = None) -> int:
    """Queue every reminder that is due and not yet queued; returns how many were queued."""
    now = now or datetime.now(UTC)
    thresholds = sorted(set(service.settings.reminder_days))
    if not thresholds:
        return 0
    waiting = [s.value for s in (*WAITING_FOR_INSTITUTION, *WAITING_FOR_REQUESTER)]
    query = {"bool": {"filter": [{"terms": {"status": waiting}},
                                 {"range": {"status_since": {"lte": (now - timedelta(days=thresholds[0])).isoformat()}}}]}}
    queued = 0
    candidates = [r async for r in service.store.scan(query)]
    for candidate in candidates:
        for_staff = candidate.status in WAITING_FOR_INSTITUTION
        recipients = await service.staff_recipients(candidate.institution) if for_staff else []

        def change(r: UsageRequest, for_staff: bool = for_staff, recipients: list[str] = recipients) -> bool:
            if r.status not in (*WAITING_FOR_INSTITUTION, *WAITING_FOR_REQUESTER):
                return False
            waited = now - r.status_since
            due = [d for d in thresholds if waited >= timedelta(days=d) and reminder_key(r, d) not in r.reminders_sent]
            if not due:
                return False
            days = max(due)  # one mail even when several thresholds passed unnoticed
            if for_staff:
                mail = to_staff("reminder_staff", r, recipients, now, days=days, portal=service.links.portal_url(r.id))
            else:
                mail = to_requester("reminder_requester", r, service.institutions, now, days=days,
                                    track=service.links.track_url(r.submission_id))
            if mail:
                r.outbox.append(mail)
            r.reminders_sent.extend(reminder_key(r, d) for d in due)
            return True

        before = len(candidate.reminders_sent)
        updated = await service.store.mutate(candidate.id, change)
        queued += 1 if len(updated.reminders_sent) > before else 0
    return queued
