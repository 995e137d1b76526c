"""A researcher's cart of three resources from two institutions, through verification, two
institutions' decisions (one with an information request), a message thread, and every mail."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from biocross.mailer import Mailer
from gateway.keys import REQUESTS


def subjects(messages: list[Any]) -> list[str]:
    return [str(m["Subject"]) for m in messages]


async def test_cart_to_completion_across_two_institutions(app_client: Any, new_client: Any, staff: Any,
                                                          smtp: Any, mailer: Mailer, flow: Any) -> None:
    researcher = "hanako.e2e@lab.example"
    inbox = smtp.inbox

    # Cart: three resources from two institutions, kept across pages, with a visible count.
    await flow.fill_cart(app_client, flow.HELA_RIKEN, flow.HELA_JCRB, flow.B6_RIKEN)
    cart = await flow.page(app_client, "/cart?lang=en")
    assert 'id="cart-count" aria-label="3 items in cart">3<' in cart
    form = await flow.page(app_client, "/requests/new?lang=en")
    assert "RIKEN BioResource Research Center" in form and "NIBIOHN JCRB Cell Bank" in form
    assert form.count('type="checkbox" id="f-agree_') == 2  # one agreement per institution

    await flow.submit(app_client, researcher, "en")
    assert 'aria-label="0 items in cart">0<' in await flow.page(app_client, "/cart?lang=en")

    # Nobody at an institution sees an unverified request.
    listed = await app_client.get("/api/portal/requests", headers=flow.bearer(staff["riken"].token))
    assert researcher not in await listed.text()

    await mailer.deliver_pending()
    [verify_mail] = inbox.to(researcher)
    assert str(verify_mail["Subject"]) == "[biocross] Please confirm your email address"
    assert "RCB7" in verify_mail.get_content() or "RCB0007" in verify_mail.get_content()
    verify_path = flow.link_in(verify_mail, "verify")

    # Opening the link (as a mail scanner does) only shows the confirm button: nothing is verified.
    assert 'id="confirm-email"' in await flow.page(app_client, verify_path)
    assert {r.status.value for r in await app_client.server.app[REQUESTS].store.find_by_email(researcher)} == \
        {"submitted"}
    landed = await flow.confirm(app_client, verify_path)
    status_page = await flow.page(app_client, landed.headers["Location"] + "&lang=en")
    assert status_page.count('data-status="email_verified"') == 2
    # Confirming again changes nothing and queues nothing.
    await flow.confirm(app_client, verify_path)

    await mailer.deliver_pending()
    receipt = inbox.to(researcher)[1]
    assert "received" in str(receipt["Subject"])
    assert 'data-status="email_verified"' in await flow.page(app_client, flow.link_in(receipt, "track"))
    submission = re.search(r"BX\S+", str(receipt["Subject"])).group(0)  # type: ignore[union-attr]

    def staff_mail(who: str) -> list[Any]:
        return [m for m in inbox.to(staff[who].email) if submission in str(m["Subject"])]

    [riken_new], [jcrb_new] = staff_mail("riken"), staff_mail("jcrb")
    riken_id = re.search(r"portal/requests/(\S+)", riken_new.get_content()).group(1)  # type: ignore[union-attr]
    jcrb_id = re.search(r"portal/requests/(\S+)", jcrb_new.get_content()).group(1)  # type: ignore[union-attr]
    assert riken_id.endswith("-riken-brc") and jcrb_id.endswith("-jcrb")
    assert "新しい利用申請" in str(riken_new["Subject"]) and "New usage request" in str(riken_new["Subject"])
    assert staff["riken"].email in str(riken_new["To"]) and staff["jcrb"].email not in str(riken_new["To"])

    # RIKEN BRC staff: their own request only, in the page and through the API.
    riken = await new_client()
    if True:
        await flow.login(riken, staff["riken"].username)
        inbox_page = await flow.page(riken, "/portal/?lang=en")
        assert riken_id in inbox_page and jcrb_id not in inbox_page
        await flow.page(riken, f"/portal/requests/{jcrb_id}", status=404)
        await flow.staff_act(riken, riken_id, "start_review")
        token = flow.csrf_of(await flow.page(riken, f"/portal/requests/{riken_id}"))
        posted = await riken.post(f"/portal/requests/{riken_id}/messages", allow_redirects=False,
                                  data={"csrf_token": token, "body": "Please sign our MTA first."})
        assert posted.status == 303
        await flow.staff_act(riken, riken_id, "approve", "MTA received.")
        await flow.staff_act(riken, riken_id, "ship", "Sent on dry ice.")
        detail = await flow.page(riken, f"/portal/requests/{riken_id}?lang=en")
        assert 'id="status">Shipped<' in detail and "Sent on dry ice." in detail

    # JCRB through its own system's API token: asks for information.
    jcrb_headers = flow.bearer(staff["jcrb"].token)
    for action, comment in (("start_review", ""), ("ask_information", "Which passage number do you need?")):
        moved = await app_client.post(f"/api/portal/requests/{jcrb_id}/transition", headers=jcrb_headers,
                                      json={"action": action, "comment": comment})
        assert moved.status == 200, await moved.text()
    assert (await app_client.get(f"/api/portal/requests/{riken_id}", headers=jcrb_headers)).status == 404

    # The requester answers from the private page and replies to RIKEN's message.
    track = landed.headers["Location"].split("?")[0]
    page = await flow.page(app_client, track + "?lang=en")
    assert "Which passage number do you need?" in page and "Please sign our MTA first." in page
    answered = await app_client.post(f"{track}/{jcrb_id}/action", allow_redirects=False, data={
        "csrf_token": flow.csrf_of(page), "action": "answer", "comment": "Passage 10 or lower, please."})
    assert answered.status == 303
    replied = await app_client.post(f"{track}/{riken_id}/messages", allow_redirects=False, data={
        "csrf_token": flow.csrf_of(page), "body": "Signed MTA attached by post."})
    assert replied.status == 303

    approved = await app_client.post(f"/api/portal/requests/{jcrb_id}/transition", headers=jcrb_headers,
                                     json={"action": "approve", "comment": "Approved."})
    body = await approved.json()
    assert body["status"] == "approved" and "outbox" not in body
    assert [e["action"] for e in body["events"]] == ["submit", "verify", "start_review", "ask_information", "answer",
                                                     "approve"]
    assert body["events"][4]["role"] == "requester" and body["events"][4]["comment"] == "Passage 10 or lower, please."

    # Every mail exactly once, in the requester's language (English), staff mail bilingual.
    report = await mailer.deliver_pending()
    assert not report.failed
    assert not (await mailer.deliver_pending()).sent  # nothing left, nothing twice
    mine = subjects(inbox.to(researcher))
    assert mine[0] == "[biocross] Please confirm your email address" and mine[1].startswith("[biocross] Usage request")
    assert [s for s in mine if riken_id in s] == [
        f"[biocross] Request {riken_id}: Under review",
        f"[biocross] Message from RIKEN BioResource Research Center about request {riken_id}",
        f"[biocross] Request {riken_id}: Approved",
        f"[biocross] Request {riken_id}: Shipped",
    ]
    assert [s for s in mine if jcrb_id in s] == [
        f"[biocross] Request {jcrb_id}: Under review",
        f"[biocross] Request {jcrb_id}: Information requested",
        f"[biocross] Request {jcrb_id}: Under review",
        f"[biocross] Request {jcrb_id}: Approved",
    ]
    assert len(mine) == 10
    needs_info = next(m for m in inbox.to(researcher) if "Information requested" in str(m["Subject"])).get_content()
    assert "Which passage number do you need?" in needs_info and "/requests/track/" in needs_info
    assert all(str(m["Content-Language"]) == "en" for m in inbox.to(researcher))
    riken_mail = subjects(staff_mail("riken"))
    assert len(riken_mail) == 2 and "申請者からメッセージ" in riken_mail[1]
    jcrb_mail = subjects(staff_mail("jcrb"))
    assert len(jcrb_mail) == 2 and "回答して審査に戻す" not in jcrb_mail[1] and jcrb_id in jcrb_mail[1]
    assert "Passage 10 or lower" in staff_mail("jcrb")[1].get_content()
    ids = Counter(str(m["Message-ID"]) for m in inbox.messages)
    assert max(ids.values()) == 1
