"""Harvest health in the portal: staff see their own institutions' sources only, held runs carry the
accept hint, rejections are grouped by reason and raw payloads are shown escaped."""

from __future__ import annotations

from typing import Any

from markupsafe import escape


async def test_staff_see_their_own_sources_with_held_run_hint(portal: Any) -> None:
    right = await portal.logged_in("right")
    text = await portal.page(right, "/portal/harvests?lang=en")
    assert 'data-source="riken_cells"' in text and 'data-source="riken_dna"' in text
    assert "jcrb_oai" not in text
    assert f"biocross harvest --accept {portal.HELD_RUN}" in text
    assert "This run was held by the safety valve" in text and "lost 80% of the live records" in text
    assert 'data-reason="missing_name">no name</a> <span class="count">2</span>' in text
    assert 'data-reason="invalid_id">invalid identifier</a> <span class="count">1</span>' in text
    assert 'data-outcome="held">held for review</strong>' in text
    japanese = await portal.page(right, "/portal/harvests?lang=ja")
    assert 'data-reason="missing_name">名称がない</a>' in japanese and 'data-outcome="held">確認待ちで保留<' in japanese
    assert "<time datetime=\"2026-03-01T02:00:00+00:00\">2026/03/01 11:00 JST</time>" in japanese
    right.session.cookie_jar.update_cookies({"tz": "Europe%2FBerlin"})  # as the page script sets it
    berlin = await portal.page(right, "/portal/harvests?lang=en")
    assert "<time datetime=\"2026-03-01T02:00:00+00:00\">Mar 1, 2026 3:00\u202fAM CET</time>" in berlin
    right.session.cookie_jar.update_cookies({"tz": "Not/AZone"})
    assert "11:00\u202fAM JST" in await portal.page(right, "/portal/harvests?lang=en")
    assert text.count('data-run="') == 3  # two RIKEN cell runs and one DNA run in the histories
    # the ids the held run would withdraw, with reasons, the one in use marked, names escaped
    assert "Would be withdrawn by the held run" in text
    assert '<li data-withdrawn="riken-brc:RCB0001"><code>RCB0001</code> HeLa — not in the latest full harvest' in text
    japanese = await portal.page(right, "/portal/harvests?lang=ja")
    assert "HeLa — 最新の全件取り込みに含まれない" in japanese and "absent from the full harvest" not in japanese
    assert 'data-withdrawn="riken-brc:RCB0002"' in text and "<script>alert" not in text
    assert '<strong class="in-use">in use</strong>' in text

    other = await portal.logged_in("other")
    text = await portal.page(other, "/portal/harvests")
    assert 'data-source="jcrb_oai"' in text and "riken_cells" not in text and "--accept" not in text

    admin = await portal.logged_in("admin")
    text = await portal.page(admin, "/portal/harvests")
    assert all(f'data-source="{s}"' in text for s in ("riken_cells", "riken_dna", "jcrb_oai"))


async def test_rejections_page_filters_by_reason_and_escapes_payloads(portal: Any) -> None:
    right = await portal.logged_in("right")
    text = await portal.page(right, "/portal/harvests/riken_cells/rejections?reason=missing_name&lang=en")
    assert "<code>R1</code>" in text and "<code>R2</code>" in text and "R 3" not in text
    assert "2 of 2 records" in text
    assert "<script>alert" not in text
    pretty = '"name": "<script>alert(\'pwned\')</script>"'
    assert str(escape(pretty)) in text  # indented JSON, every character escaped
    everything = await portal.page(right, "/portal/harvests/riken_cells/rejections?lang=en")
    assert "3 of 3 records" in everything and "<code>R 3</code>" in everything
    await portal.page(right, "/portal/harvests/riken_cells/rejections?reason=nonsense", status=400)
    await portal.page(right, "/portal/harvests/jcrb_oai/rejections", status=404)
    await portal.page(right, "/portal/harvests/no_such_source/rejections", status=404)


async def test_json_twins_scope_by_token(portal: Any, pt_staff: Any) -> None:
    client = await portal.make()
    mine = await client.get("/api/portal/harvests", headers=pt_staff["right"].bearer)
    body = await mine.json()
    assert mine.status == 200 and mine.headers["Cache-Control"] == "private, no-store"
    assert [s["source"] for s in body["sources"]] == ["riken_cells", "riken_dna"]
    held = body["sources"][0]
    assert held["latest"]["outcome"] == "held" and held["accept_hint"] == f"biocross harvest --accept {portal.HELD_RUN}"
    assert held["rejections"] == {"missing_name": 2, "invalid_id": 1}
    assert [w["id"] for w in held["latest"]["withdrawals"]] == ["riken-brc:RCB0001", "riken-brc:RCB0002"]
    assert held["latest"]["protected"][0]["open_requests"] == ["BX-1"]
    assert [r["run_id"] for r in held["history"]] == [portal.HELD_RUN, "riken_cells-20260201"]
    admin = await (await client.get("/api/portal/harvests", headers=pt_staff["admin"].bearer)).json()
    assert [s["source"] for s in admin["sources"]] == ["jcrb_oai", "riken_cells", "riken_dna"]

    one = await client.get("/api/portal/harvests/riken_dna", headers=pt_staff["right"].bearer)
    assert (await one.json())["latest"]["mode"] == "incremental" and (await one.json())["accept_hint"] is None
    records = await (await client.get("/api/portal/harvests/riken_cells/rejections?reason=missing_name",
                                      headers=pt_staff["right"].bearer)).json()
    assert records["total"] == 2 and {r["payload"].get("name") for r in records["records"]} == {portal.HOSTILE, None}
    hidden = await client.get("/api/portal/harvests/riken_cells/rejections", headers=pt_staff["other"].bearer)
    assert hidden.status == 404 and hidden.content_type == "application/problem+json"
    assert "riken" not in (await hidden.text()).replace("riken_cells", "")
    bad = await client.get("/api/portal/harvests/riken_cells/rejections?reason=x", headers=pt_staff["right"].bearer)
    assert bad.status == 400 and (await bad.json())["errors"][0]["name"] == "reason"
