"""The HTML pages: language choice, escaping of harvested text, JSON-LD, facets, paging, the cart
and its CSRF protection, error pages."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp.test_utils import TestClient
from babel.messages.extract import extract_from_dir

from gateway.i18n import LOCALE_DIR, compile_catalog, parse_accept_language

Client = TestClient[Any, Any]
HTML = {"Accept": "text/html"}


async def page(client: Client, url: str, status: int = 200, **headers: str) -> str:
    """GET an HTML page, checking its status and that it declares its language."""
    response = await client.get(url, headers={**HTML, **headers})
    text = await response.text()
    assert response.status == status, text[:500]
    assert response.content_type == "text/html"
    assert re.search(r'<html lang="(ja|en)">', text)
    return text


def titles(text: str) -> list[str]:
    """The result links of a search page."""
    return re.findall(r'<h3><a href="(/resources/[^"]+)"', text)


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_every_ui_string_has_a_japanese_translation() -> None:
    gateway = Path(__file__).resolve().parents[2] / "gateway"
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    messages = {m[2] for m in extract_from_dir(str(gateway), method_map) if isinstance(m[2], str)}
    assert len(messages) > 60
    ja = compile_catalog(LOCALE_DIR / "ja" / "LC_MESSAGES" / "messages.po")
    untranslated = sorted(m for m in messages if ja.gettext(m) == m and m not in ("MTA",))
    assert not untranslated


def test_accept_language_parsing() -> None:
    assert parse_accept_language("en-US,en;q=0.9,ja;q=0.8") == ["en", "en", "ja"]
    assert parse_accept_language("fr;q=0.2, ja") == ["ja", "fr"]
    assert parse_accept_language("") == []


async def test_language_from_param_cookie_and_accept_language(fresh_client: Client) -> None:
    assert "検索" in await page(fresh_client, "/institutions")  # default: Japanese
    english = await page(fresh_client, "/institutions", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english and "Member institutions" in english
    switched = await fresh_client.get("/institutions?lang=en", headers=HTML)
    assert switched.cookies["lang"].value == "en"
    sticky = await page(fresh_client, "/institutions", **{"Accept-Language": "ja"})
    assert '<html lang="en">' in sticky  # the cookie beats Accept-Language
    back = await page(fresh_client, "/institutions?lang=ja")
    assert '<html lang="ja">' in back and 'hreflang="en"' in back


async def test_search_page_groups_highlights_and_links_facets(client: Client) -> None:
    text = await page(client, "/?q=HeLa&lang=en")
    assert "<mark>HeLa</mark>" in text
    assert "RCB0007" in text and "JCRB9004" in text  # one entity, both holdings
    assert "RIKEN BioResource Research Center" in text and "NIBIOHN JCRB Cell Bank" in text
    assert 'href="/?q=HeLa&amp;lang=en&amp;institution=jcrb"' in text
    filtered = await page(client, "/?q=HeLa&institution=jcrb&lang=en")
    assert 'aria-current="true" href="/?q=HeLa&amp;lang=en"' in filtered
    assert 'name="institution" value="jcrb"' in filtered  # the form keeps the filter


async def test_search_page_says_which_words_it_left_out(client: Client) -> None:
    text = await page(client, "/?q=HeLa+cynomolgos&lang=en")
    assert 'class="relaxed"' in text and "<del>cynomolgos</del>" in text and "RCB0007" in text
    assert re.search(r'<a href="/\?[^"]*q=cynomolgus[^"]*">cynomolgus', text), text[text.find("relaxed"):][:600]
    japanese = await page(client, "/?q=HeLa+cynomolgos&lang=ja")
    assert "次の語を除いた結果" in japanese
    nothing = await page(client, "/?q=cynomolgos&lang=ja")
    assert 'class="results zero-results"' in nothing and "もしかして" in nothing and ">cynomolgus</a>" in nothing


async def test_disease_facet_by_concept_in_the_ui_language(client: Client) -> None:
    english = await page(client, "/?q=HeLa&lang=en")
    japanese = await page(client, "/?q=HeLa&lang=ja")
    assert "cervical adenocarcinoma" in english and "子宮頸部腺癌" in japanese
    assert english.count("disease=BX%3Adisease%3Acervical-adenocarcinoma") == 1  # one value per concept


async def test_search_page_pages_with_the_cursor(client: Client) -> None:
    first = await page(client, "/?q=mouse&page_size=5")
    next_href = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))  # type: ignore[union-attr]
    assert "cursor=" in next_href
    second = await page(client, next_href)
    assert titles(first) and titles(second) and not set(titles(first)) & set(titles(second))
    assert 'rel="first"' in second


async def test_search_pager_numbers_pages_and_goes_back(client: Client) -> None:
    first = await page(client, "/?q=mouse&page_size=2&lang=en")
    assert '<span aria-current="page" aria-label="Page 1">1</span>' in first and 'rel="prev"' not in first
    total_pages = re.search(r"of (\d+) pages", first)
    assert total_pages and int(total_pages.group(1)) >= 3
    href = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))  # type: ignore[union-attr]
    second = await page(client, href)
    href = html.unescape(re.search(r'href="([^"]+)" rel="next"', second).group(1))  # type: ignore[union-attr]
    third = await page(client, href)
    assert '<span aria-current="page" aria-label="Page 3">3</span>' in third
    back = html.unescape(re.search(r'href="([^"]+)" rel="prev"', third).group(1))  # type: ignore[union-attr]
    assert titles(await page(client, back)) == titles(second)
    page_one = html.unescape(re.search(r'href="([^"]+)" rel="first"', third).group(1))  # type: ignore[union-attr]
    assert titles(await page(client, page_one)) == titles(first)


async def test_zero_results_offer_spellings_and_hide_what_cannot_help(client: Client) -> None:
    text = await page(client, "/?q=mouze&resource_type=cell_line&lang=en")
    assert "No resources match your search." in text
    assert "/api/export" not in text and "Refine" not in text
    assert re.search(r'class="alternative">[^<]*mouse', text, re.IGNORECASE)
    assert "Remove a filter" in text


async def test_search_page_keeps_input_when_parameters_are_bad(client: Client) -> None:
    text = await page(client, "/?q=HeLa+cells&page_size=0", status=400)
    assert 'value="HeLa cells"' in text and "page_size" in text and 'role="alert"' in text


async def test_harvested_markup_is_shown_literally_never_run(client: Client) -> None:
    text = await page(client, "/?q=RBRC09001&lang=en")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    template = await page(client, "/?q=RBRC09002&lang=en")
    assert "{{7*7}} mouse" in template and "49 mouse" not in template
    detail = await page(client, "/resources/riken-brc:RBRC9002")
    assert "{{7*7}}" in detail and "${7*7}" in detail and ">49<" not in detail


async def test_detail_page_json_ld_cannot_break_out(client: Client) -> None:
    text = await page(client, "/resources/riken-brc:RBRC9001?lang=en")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; strain" in text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; test record" in text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.DOTALL)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0] and "&" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["name"] == "<script>alert(1)</script> strain" and data["@type"] == "BioSample"
    assert text.count("<script") == 2  # app.js and the JSON-LD block, nothing harvested


async def test_detail_page_shows_fields_xrefs_and_other_holdings(client: Client) -> None:
    text = await page(client, "/resources/riken-brc:RCB7?lang=en")
    assert 'href="https://www.cellosaurus.org/CVCL_0030"' in text
    assert "JCRB9004" in text and "Other holdings of this material" in text
    assert "cervical adenocarcinoma" in text and "Homo sapiens" in text
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', text, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert "https://www.cellosaurus.org/CVCL_0030" in data["sameAs"]
    assert data["taxonomicRange"]["identifier"] == "NCBITaxon:9606"


async def test_withdrawn_resource_has_a_notice_and_no_cart_button(client: Client) -> None:
    text = await page(client, "/resources/riken-brc:RBRC9999?lang=en")
    assert "no longer distributes this resource" in text and 'id="add-to-cart"' not in text


async def test_missing_pages_are_404_pages(client: Client) -> None:
    assert "Page not found" in await page(client, "/resources/riken-brc:NOPE?lang=en", status=404)
    assert "ページが見つかりません" in await page(client, "/institutions/atlantis?lang=ja", status=404)
    assert "ページが見つかりません" in await page(client, "/no/such/page", status=404)


async def test_institution_pages(client: Client) -> None:
    listing = await page(client, "/institutions?lang=en")
    assert 'href="/institutions/jcrb"' in listing
    text = await page(client, "/institutions/jcrb?lang=en")
    assert "NIBIOHN JCRB Cell Bank" in text and "JCRB Cell Bank&#39;s distribution agreement applies." in text
    assert 'href="/?institution=jcrb&amp;resource_type=cell_line"' in text


async def test_cart_add_remove_with_csrf(fresh_client: Client) -> None:
    detail = await page(fresh_client, "/resources/riken-brc:RCB7")
    token = csrf_of(detail)
    refused = await fresh_client.post("/cart/add", data={"resource_id": "riken-brc:RCB7"}, headers=HTML)
    assert refused.status == 403
    forged = await fresh_client.post("/cart/add", data={"resource_id": "riken-brc:RCB7", "csrf_token": "x" * 43})
    assert forged.status == 403 and forged.content_type == "application/problem+json"
    for rid in ("riken-brc:RCB7", "jcrb:JCRB9004", "jcrb:JCRB9004"):
        added = await fresh_client.post("/cart/add", allow_redirects=False, data={
            "resource_id": rid, "csrf_token": token, "next": f"/resources/{rid}"})
        assert added.status == 303
        assert added.headers["Location"] == f"/resources/{rid}?added={quote(rid, safe='')}#cart-status"
        back = await page(fresh_client, added.headers["Location"].split("#")[0] + "&lang=en")
        assert 'id="cart-notice">Added to your cart.' in back and 'id="add-to-cart"' not in back
    cart = await page(fresh_client, "/cart?lang=en")
    assert '<span class="badge" id="cart-count" aria-label="2 items in cart">2</span>' in cart
    assert "RIKEN BioResource Research Center" in cart and "NIBIOHN JCRB Cell Bank" in cart
    missing = await fresh_client.post("/cart/add", data={"resource_id": "jcrb:NOPE", "csrf_token": token})
    assert missing.status == 404
    away = await fresh_client.post("/cart/remove", allow_redirects=False, data={
        "resource_id": "riken-brc:RCB7", "csrf_token": csrf_of(cart), "next": "//evil.example/"})
    assert away.status == 303 and away.headers["Location"] == "/cart"
    assert 'id="cart-count" aria-label="1 items in cart">1<' in await page(fresh_client, "/cart?lang=en")


async def test_session_cookie_is_encrypted_and_tamper_proof(fresh_client: Client) -> None:
    await page(fresh_client, "/resources/riken-brc:RCB7")
    cookie = next(c for c in fresh_client.session.cookie_jar if c.key == "biocross_session")
    assert "csrf" not in cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    fresh_client.session.cookie_jar.update_cookies({"biocross_session": cookie.value[:-4] + "AAAA"})
    assert "0</span>" in await page(fresh_client, "/cart")  # a forged cookie is a fresh session


async def test_pages_carry_security_headers_and_no_inline_script(client: Client) -> None:
    response = await client.get("/?q=HeLa", headers=HTML)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["Vary"] == "Accept-Language, Cookie"
    text = await response.text()
    assert not re.search(r"<script(?![^>]*(src=|application/ld\+json))", text)
    assert " on" not in re.sub(r">[^<]*<", "><", text).replace(" onerror=alert", "")  # no inline handlers
