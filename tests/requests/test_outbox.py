"""The durable outbox: with the SMTP server down, state changes still succeed and their mail waits;
when it is back every mail is delivered exactly once. Reminders are queued once per threshold."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from desk.mailqueue import new_mail
from desk.reminders import queue_reminders
from desk.service import Actor
from gateway.keys import DESK, MAIL, REQUESTS, SAVED
from schemas.requests import Action, Role
from schemas.search import SearchQuery


async def test_smtp_outage_delays_mail_but_loses_and_doubles_none(app_client: Any, staff: Any, flow: Any,
                                                                  private_smtp: Any, mailer_to: Any) -> None:
    researcher = "outage@lab.example"
    mailer = mailer_to(private_smtp.port)
    ids = await flow.verified_request(app_client, researcher, flow.HELA_RIKEN, language="ja")
    rid = ids["riken-brc"]
    await mailer.deliver_pending()
    assert len(private_smtp.inbox.to(researcher)) == 2  # verification + receipt

    private_smtp.stop()
    riken = flow.bearer(staff["riken"].token)
    for action in ("start_review", "approve", "ship"):
        moved = await app_client.post(f"/api/portal/requests/{rid}/transition", headers=riken,
                                      json={"action": action, "comment": f"{action} done"})
        assert moved.status == 200  # the state change does not wait for mail
    down = await mailer.deliver_pending()
    assert len([m for m in down.failed]) >= 3 and not down.sent
    stored = (await app_client.server.app[REQUESTS].store.load(rid)).request
    pending = [m for m in stored.outbox if m.sent_at is None]
    assert len(pending) == 3 and all(m.attempts == 1 and m.last_error for m in pending)

    private_smtp.start()  # back on the same port
    up = await mailer.deliver_pending()
    assert not up.failed and set(up.sent) >= {m.id for m in pending}
    assert not (await mailer.deliver_pending()).sent
    mails = private_smtp.inbox.to(researcher)
    assert [str(m["Subject"]) for m in mails[2:]] == [f"【biocross】申請 {rid}: {label}" for label in ("審査中", "承認", "発送済み")]
    assert "発送済み" in mails[-1].get_content() and "ship done" in mails[-1].get_content()
    assert max(Counter(str(m["Message-ID"]) for m in private_smtp.inbox.messages).values()) == 1
    stored = (await app_client.server.app[REQUESTS].store.load(rid)).request
    assert not stored.has_pending_mail and all(m.sent_at for m in stored.outbox)
    assert {f"<{m.id}@biocross.example>" for m in stored.outbox} >= {str(m["Message-ID"]) for m in mails}


async def test_reminders_go_once_per_threshold_to_the_right_side(app_client: Any, staff: Any, flow: Any,
                                                                 mailer: Any, smtp: Any) -> None:
    researcher = "slow@lab.example"
    ids = await flow.verified_request(app_client, researcher, flow.HELA_JCRB)
    rid = ids["jcrb"]
    service = app_client.server.app[REQUESTS]
    await mailer.deliver_pending()
    staff_before = len(smtp.inbox.to(staff["jcrb"].email))
    now = datetime.now(UTC)

    assert await queue_reminders(service, now + timedelta(days=3)) == 0
    assert await queue_reminders(service, now + timedelta(days=8)) >= 1
    await queue_reminders(service, now + timedelta(days=9))  # nothing new for this request
    await queue_reminders(service, now + timedelta(days=15))  # the 14-day reminder
    await queue_reminders(service, now + timedelta(days=40))  # none left
    stored = (await service.store.load(rid)).request
    assert [k.rsplit(":", 1)[1] for k in stored.reminders_sent] == ["7d", "14d"]
    await mailer.deliver_pending()
    reminders = [m for m in smtp.inbox.to(staff["jcrb"].email)[staff_before:] if rid in str(m["Subject"])]
    assert len(reminders) == 2 and "7" in str(reminders[0]["Subject"]) and "14" in str(reminders[1]["Subject"])

    # Waiting for the requester: they are reminded, and a new waiting period starts afresh.
    staff_actor = Actor(staff["jcrb"].username, Role.STAFF, frozenset({"jcrb"}))
    await service.transition(staff_actor, rid, Action.START_REVIEW)
    await service.transition(staff_actor, rid, Action.ASK_INFORMATION, "Your biosafety officer's name?")
    await service.store.refresh()
    await queue_reminders(service, datetime.now(UTC) + timedelta(days=7, hours=1))
    await mailer.deliver_pending()
    mine = [str(m["Subject"]) for m in smtp.inbox.to(researcher)]
    assert mine[-1] == f"[biocross] Request {rid}: information still needed"
    assert mine.count(mine[-1]) == 1


async def test_sent_page_says_queued_until_the_mailer_has_sent_it(app_client: Any, flow: Any, mailer: Any,
                                                                  smtp: Any) -> None:
    researcher = "queued@lab.example"
    await flow.fill_cart(app_client, flow.HELA_JCRB)
    await flow.submit(app_client, researcher)
    queued = await flow.page(app_client, "/requests/sent?lang=en")
    assert 'data-mail-state="queued"' in queued and "is queued and will be sent shortly" in queued
    assert "We sent" not in queued and '<meta http-equiv="refresh"' in queued
    await mailer.deliver_pending()
    assert smtp.inbox.to(researcher)
    sent = await flow.page(app_client, "/requests/sent?lang=en")
    assert 'data-mail-state="sent"' in sent and f"We sent a confirmation link to {researcher}." in sent
    assert '<meta http-equiv="refresh"' not in sent


async def test_outbox_status_counts_every_kind_of_unsent_mail(app_client: Any, new_client: Any, flow: Any,
                                                              mailer: Any, staff: Any, es: Any) -> None:
    """A request's verification, a staff invitation in the mail queue and a saved search's confirmation
    all count on the dashboard and in /metrics until the mailer has sent them."""
    app = app_client.server.app
    await mailer.mailer_pass()  # start from a drained outbox
    assert (await app[DESK].outbox_status()).pending == 0
    await flow.fill_cart(app_client, flow.HELA_JCRB)
    await flow.submit(app_client, "counted@lab.example")
    await app[MAIL].enqueue(new_mail("invitation", ["new-staff@jcrb.example"], "en", "Invitation", "Join us"))
    await app[SAVED].save("saver@lab.example", "en", SearchQuery(q="mouse"))
    await es.indices.refresh(index=app[MAIL].index)  # the queue does not wait for a refresh on write
    status = await app[DESK].outbox_status()
    assert status.pending == 3 and status.failing == 0 and status.oldest_pending_at is not None

    admin = await new_client()
    await flow.login(admin, staff["admin"].username)
    assert '<dd id="outbox-pending">3</dd>' in await flow.page(admin, "/admin?lang=en")
    metrics = await (await admin.get("/metrics", headers=flow.bearer(staff["admin"].token))).text()
    assert "biocross_outbox_pending_mails 3.0" in metrics

    await mailer.mailer_pass()
    assert (await app[DESK].outbox_status()).pending == 0
