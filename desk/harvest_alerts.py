"""Harvest alerts: a failed, held or shrinking harvest is mailed to the institution's staff and the
administrators, one digest per institution per mailer pass, with the reason and a link to the run.

The harvest records its runs (``indexer``); this module only reads those records. Each run reported
gets a document in ``{prefix}-harvest-alerts`` written with ``create``, so two mailers never report
the same run. A source that keeps failing the same way (a retry, the next scheduled attempt) is
recorded but not mailed again until it has succeeded or a day has passed: one mail per problem,
not one per retry.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConflictError as EsConflictError

from desk.accounts import AccountStore
from desk.mailqueue import MailQueue, new_mail
from desk.notices import SIGNATURE
from indexer.indices import ensure_index
from indexer.names import harvest_alerts_index, harvest_runs_index
from schemas.institution import InstitutionRegistry
from schemas.requests import OutboxMail

log = logging.getLogger(__name__)
_KW = {"type": "keyword"}
ALERTS_MAPPING: dict[str, Any] = {"dynamic": False, "properties": {
    "run_id": _KW, "source": _KW, "problem": _KW, "at": {"type": "date"}, "mailed": {"type": "boolean"}}}
#: Only runs this recent are considered (older ones predate the alerts or were reported already).
LOOKBACK = timedelta(days=2)
#: The same problem of the same source is mailed again after this long.
QUIET = timedelta(hours=24)
GOOD = ("published", "updated")


def problem_of(run: dict[str, Any]) -> str | None:
    """``failed``, ``held`` or ``shrank`` for a run that needs attention; None for a good one."""
    outcome = run.get("outcome")
    if outcome in ("failed", "held"):
        return str(outcome)
    before, after = run.get("live_before"), run.get("live_after")
    if outcome in GOOD and isinstance(before, int) and isinstance(after, int) and after < before:
        return "shrank"
    return None


def _reason(run: dict[str, Any], problem: str) -> str:
    errors = (run.get("errors") or "").strip()
    if problem == "shrank":
        return f"live records {run.get('live_before')} → {run.get('live_after')}"
    if problem == "held":
        return f"held by the safety valve (live {run.get('live_before')}, new {run.get('live_after')}) {errors}".strip()
    return errors[:500] or "failed"


class HarvestAlerts:
    """Finds runs to report and queues one digest per institution."""

    def __init__(self, es: AsyncElasticsearch, prefix: str, accounts: AccountStore, institutions: InstitutionRegistry,
                 mail: MailQueue, public_url: str) -> None:
        self.es = es
        self.runs = harvest_runs_index(prefix)
        self.index = harvest_alerts_index(prefix)
        self.accounts = accounts
        self.institutions = institutions
        self.mail = mail
        self.public = public_url.rstrip("/")

    async def _claim(self, run: dict[str, Any], problem: str, mailed: bool, now: datetime) -> bool:
        try:
            await self.es.create(index=self.index, id=run["run_id"], refresh="wait_for", document={
                "run_id": run["run_id"], "source": run["source"], "problem": problem, "at": now.isoformat(),
                "mailed": mailed})
        except EsConflictError:
            return False
        return True

    async def _repeat(self, run: dict[str, Any], problem: str, now: datetime) -> bool:
        """Whether the source's last mailed problem is the same one, recent, with no good run since."""
        resp = await self.es.search(index=self.index, size=1, sort=[{"at": "desc"}], query={"bool": {"filter": [
            {"term": {"source": run["source"]}}, {"term": {"mailed": True}}]}})
        hits = resp["hits"]["hits"]
        if not hits or hits[0]["_source"]["problem"] != problem:
            return False
        last = datetime.fromisoformat(hits[0]["_source"]["at"])
        if now - last > QUIET:
            return False
        good = await self.es.count(index=self.runs, query={"bool": {"filter": [
            {"term": {"source": run["source"]}}, {"terms": {"outcome": list(GOOD)}},
            {"range": {"started_at": {"gt": last.isoformat()}}}]}})
        return bool(good["count"] == 0)

    async def queue(self, now: datetime | None = None) -> int:
        """Queue the digests due now; returns how many mails were queued."""
        now = now or datetime.now(UTC)
        await ensure_index(self.es, self.index, ALERTS_MAPPING)
        if not await self.es.indices.exists(index=self.runs):
            return 0
        await self.es.indices.refresh(index=self.runs)
        resp = await self.es.search(index=self.runs, size=500, sort=[{"started_at": "asc"}], query={"bool": {
            "filter": [{"range": {"started_at": {"gte": (now - LOOKBACK).isoformat()}}}],
            "must_not": [{"term": {"outcome": "running"}}]}})
        runs = [h["_source"] for h in resp["hits"]["hits"]]
        if not runs:
            return 0
        seen = await self.es.mget(index=self.index, ids=[r["run_id"] for r in runs])
        reported = {d["_id"] for d in seen["docs"] if d.get("found")}
        by_institution: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
        for run in runs:
            problem = problem_of(run)
            if problem is None or run["run_id"] in reported:
                continue
            in_digest = any(r["source"] == run["source"] for r, _p in by_institution.get(run["institution"], []))
            if not in_digest and await self._repeat(run, problem, now):
                await self._claim(run, problem, False, now)  # same problem again: recorded, not mailed
                continue
            if await self._claim(run, problem, True, now):
                by_institution[run["institution"]].append((run, problem))
        for institution, found in by_institution.items():
            await self.mail.enqueue(await self._digest(institution, found, now))
        return len(by_institution)

    async def _digest(self, institution: str, found: list[tuple[dict[str, Any], str]], now: datetime) -> OutboxMail:
        recipients = await self.accounts.staff_emails(institution)
        inst = self.institutions.get(institution)
        if not recipients and inst is not None and inst.contact_email:
            recipients = [inst.contact_email]
        recipients += await self.accounts.admin_emails()
        labels = {"failed": ("失敗", "failed"), "held": ("保留", "held"), "shrank": ("件数減少", "shrank")}
        lines_ja, lines_en = [], []
        for run, problem in found:
            link = f"{self.public}/portal/harvests?source={quote(run['source'])}#run-{quote(run['run_id'])}"
            reason = _reason(run, problem)
            lines_ja.append(f"- {run['source']}: {labels[problem][0]} ({reason})\n  実行 {run['run_id']}: {link}")
            lines_en.append(f"- {run['source']}: {labels[problem][1]} ({reason})\n  run {run['run_id']}: {link}")
        name_ja, name_en = self.institutions.name(institution, "ja"), self.institutions.name(institution, "en")
        subject = f"[biocross] 収集の問題 {len(found)} 件: {name_ja} / Harvest problems ({len(found)}): {name_en}"
        body = (f"{name_ja} のデータ収集で対応が必要な問題があります。\n\n" + "\n".join(lines_ja) + "\n" + SIGNATURE["ja"]
                + "\n" + "=" * 40 + "\n\n" + f"Harvests of {name_en} need attention.\n\n" + "\n".join(lines_en)
                + "\n" + SIGNATURE["en"])
        return new_mail("harvest_alert", recipients, "ja+en", subject, body, now)
