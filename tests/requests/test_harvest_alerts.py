"""Harvest alerts through the real path: a source that fails (and fails again on the retry) is
harvested into the real Elasticsearch, the mailer's pass reads the recorded runs and the staff of
the institution and the administrators get one digest, with the reason and the link to the run."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import SourceSpec, harvest_all
from biocross.mailer import Mailer
from desk.accounts import AccountStore
from indexer.store import ensure_system_indices
from schemas.accounts import StaffRole
from schemas.harvest import HarvestMode
from schemas.settings import Settings

TOML = """
[adapters.nies-broken]
type = "csv"
institution = "nies"
endpoint = "http://127.0.0.1:9/export.csv"
retries = 0
[adapters.nies-broken.mapping]
catalog_id = "id"
name = "name"
resource_type = { const = "algae" }
"""


async def test_a_failing_source_mails_one_digest_to_its_staff_and_the_administrators(
        es: AsyncElasticsearch, rq_settings: Settings, smtp: Any) -> None:
    prefix = f"{rq_settings.es.index_prefix}-alerts"
    settings = rq_settings.model_copy(update={"es": rq_settings.es.model_copy(update={"index_prefix": prefix})})
    accounts = AccountStore(es, prefix)
    await accounts.add("nies-keeper", "keeper@nies.example", StaffRole.STAFF, "x" * 16, institutions=["nies"])
    await accounts.add("alert-admin", "alerts-admin@consortium.example", StaffRole.ADMIN, "x" * 16)
    await accounts.add("other-keeper", "keeper@jcrb.example", StaffRole.STAFF, "x" * 16, institutions=["jcrb"])
    await ensure_system_indices(es, prefix)
    registry = load_registry()
    specs = [SourceSpec(n, c) for n, c in parse_adapters_toml(TOML, registry).items()]
    mailer = Mailer.build(settings, es)

    first = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL)
    retry = await harvest_all(es, prefix, registry, specs, HarvestMode.FULL)  # the retry fails the same way
    assert [r["outcome"] for r in first + retry] == ["failed", "failed"]
    await mailer.mailer_pass()
    [digest] = smtp.inbox.to("keeper@nies.example")
    assert "alerts-admin@consortium.example" in str(digest["To"])
    body = digest.get_content()
    assert "NIES Microbial Culture Collection" in str(digest["Subject"]) and "nies-broken" in body
    assert first[0]["run_id"] in body and retry[0]["run_id"] in body  # both runs, one mail
    assert "/portal/harvests" in body and ("Connect" in body or "unreachable" in body.lower() or "refused" in body)
    assert smtp.inbox.to("keeper@jcrb.example") == []

    # The next pass, and a further retry of the same failure, mail nobody again.
    await harvest_all(es, prefix, registry, specs, HarvestMode.FULL)
    await mailer.mailer_pass()
    await mailer.mailer_pass()
    assert len(smtp.inbox.to("keeper@nies.example")) == 1, [(str(m["Message-ID"]), str(m["Date"])) for m in smtp.inbox.to("keeper@nies.example")]
