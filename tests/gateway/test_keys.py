"""The signing key: nothing starts with a missing, short or published key; cookies, links and cursors
made with any key but the gateway's (the old published default, a random one) are refused; a key
can be rotated without breaking what was signed with the old one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet
from itsdangerous import URLSafeTimedSerializer
from pydantic import SecretStr
from typer.testing import CliRunner

from biocross.cli import app as cli
from gateway.app import create_app
from gateway.ratelimit import GatewayLimits
from gateway.sessions import COOKIE
from gateway.signing import RequestLinks
from schemas.settings import KNOWN_SECRET_KEYS, GatewaySettings, InsecureSecretKeyError, Settings

Client = TestClient[Any, Any]
LIMITS = GatewayLimits(rate=10_000.0, burst=100_000)
OLD_DEFAULT = "dev-only-change-me-dev-only-change-me"
HTML = {"Accept": "text/html"}


def with_keys(settings: Settings, key: str | None, *previous: str) -> Settings:
    gateway = settings.gateway.model_copy(update={
        "secret_key": SecretStr(key) if key is not None else None,
        "previous_secret_keys": [SecretStr(p) for p in previous]})
    return settings.model_copy(update={"gateway": gateway})


@pytest.mark.parametrize("key", [None, "", "short-key", "a" * 64, OLD_DEFAULT, *sorted(KNOWN_SECRET_KEYS)])
def test_gateway_refuses_a_missing_short_simple_or_published_key(gw_settings: Settings, key: str | None) -> None:
    with pytest.raises(InsecureSecretKeyError):
        create_app(with_keys(gw_settings, key))
    with pytest.raises(InsecureSecretKeyError):  # a bad key among the previous ones is refused too
        create_app(with_keys(gw_settings, secrets.token_urlsafe(32), key or "x"))


def test_settings_have_no_default_key() -> None:
    assert GatewaySettings().secret_key is None
    with pytest.raises(InsecureSecretKeyError, match="not set"):
        GatewaySettings().signing_keys()


@pytest.mark.parametrize("command", [["serve"], ["mailer", "--once"], ["scheduler", "--once"]])
@pytest.mark.parametrize("key", ["", OLD_DEFAULT, "too-short"])
def test_gateway_mailer_and_scheduler_commands_do_not_start_without_a_safe_key(
        monkeypatch: pytest.MonkeyPatch, command: list[str], key: str) -> None:
    monkeypatch.setenv("BIOCROSS_GATEWAY_SECRET_KEY", key)
    monkeypatch.setenv("BIOCROSS_ES_URL", "http://127.0.0.1:9")  # nothing must be contacted
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert "BIOCROSS_GATEWAY_SECRET_KEY" in result.output or "key" in result.output


def forged_cookies(key: str, data: dict[str, Any]) -> list[str]:
    """Session cookies made with ``key`` the way the gateway derives its cookie key, now and before."""
    derived = [hashlib.sha256(b"biocross-session\0" + key.encode()).digest(),
               hmac.new(key.encode(), b"biocross\0session", hashlib.sha256).digest()]
    return [Fernet(base64.urlsafe_b64encode(k)).encrypt(json.dumps(data).encode()).decode() for k in derived]


async def csrf_from(client: Client) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', await (await client.get("/portal/login")).text())
    assert match
    return match.group(1)


@pytest.mark.parametrize("forger_key", [OLD_DEFAULT, "random"])
async def test_cookies_links_and_cursors_signed_with_another_key_are_refused(
        gw_settings: Settings, forger_key: str) -> None:
    key = forger_key if forger_key != "random" else secrets.token_urlsafe(32)
    forger = RequestLinks(with_keys(gw_settings, secrets.token_urlsafe(32))) if forger_key == "random" else None
    async with TestClient(TestServer(create_app(gw_settings, limits=LIMITS))) as client:
        # A session cookie with a CSRF token of the attacker's choosing is not read.
        for cookie in forged_cookies(key, {"csrf": "chosen"}):
            client.session.cookie_jar.update_cookies({COOKIE: cookie})
            refused = await client.post("/cart/add", data={"csrf_token": "chosen", "resource_id": "riken-brc:RCB7"},
                                        headers=HTML, allow_redirects=False)
            assert refused.status == 403
        # Status and verification links for a submission id the attacker knows.
        serializer = URLSafeTimedSerializer(key)
        for path, salt in (("/requests/track/", "biocross-track"), ("/requests/verify/", "biocross-verify")):
            token = forger.track_token("S-1") if forger and salt == "biocross-track" else \
                forger.verify_token("S-1") if forger else serializer.dumps("S-1", salt=salt)
            response = await client.get(path + token, headers=HTML)
            assert response.status == 400, path
            assert "S-1" not in await response.text()
        # A cursor: the old unkeyed format, and one signed with another key.
        first = await (await client.get("/api/search", params={"q": "mouse", "page_size": "3"})).json()
        payload, _, _ = first["next_cursor"].partition(".")
        data = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        data["a"] = ["not-a-number", "x"]
        tampered = base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")
        unkeyed = base64.urlsafe_b64encode(orjson.dumps({**data, "v": 1})).decode().rstrip("=")
        for cursor in (tampered + "." + first["next_cursor"].partition(".")[2], unkeyed, tampered + ".AAAA"):
            response = await client.get("/api/search", params={"q": "mouse", "cursor": cursor})
            assert response.status == 400, await response.text()
            body = await response.json(content_type=None)
            assert body["errors"][0]["name"] == "cursor"
        metrics = await (await client.get("/metrics")).text()
        assert 'biocross_elasticsearch_errors_total{where="request"}' not in metrics


async def test_a_rotated_key_still_verifies_what_it_signed(gw_settings: Settings) -> None:
    old, new = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    before, after = with_keys(gw_settings, old), with_keys(gw_settings, new, old)
    async with TestClient(TestServer(create_app(before, limits=LIMITS))) as old_app:
        csrf = await csrf_from(old_app)
        cookie = old_app.session.cookie_jar.filter_cookies(old_app.make_url("/"))[COOKIE].value
        cursor = (await (await old_app.get("/api/search", params={"q": "mouse", "page_size": "3"})).json())[
            "next_cursor"]
    track = RequestLinks(before).track_token("S-ROTATED")
    async with TestClient(TestServer(create_app(after, limits=LIMITS))) as new_app:
        new_app.session.cookie_jar.update_cookies({COOKIE: cookie})
        added = await new_app.post("/cart/add", data={"csrf_token": csrf, "resource_id": "riken-brc:RCB7"},
                                   allow_redirects=False)
        assert added.status == 303
        page = await new_app.get("/api/search", params={"q": "mouse", "page_size": "3", "cursor": cursor})
        assert page.status == 200
        assert RequestLinks(after).read_track(track) == "S-ROTATED"
        assert RequestLinks(after).track_token("S-ROTATED") != track  # new links use the new key
    assert RequestLinks(with_keys(gw_settings, new)).read_track(RequestLinks(after).track_token("S")) == "S"
