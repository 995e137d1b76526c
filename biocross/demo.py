"""The demo: one command from a fresh clone to the whole mission on http://127.0.0.1:8080.

Starts the local Elasticsearch node, serves the simulated institution catalogs on loopback, harvests
every institution's adapter with visible progress, then serves the gateway with everything a usage
request needs: a real SMTP server on loopback whose mails are shown at ``/demo/mailbox``, the outbox
worker in this process, and one staff account per institution plus a consortium administrator, with
random passwords printed in the ready banner. Runs until interrupted.
"""

from __future__ import annotations

import asyncio
import secrets
import sys

from aiohttp import web
from pydantic import SecretStr

from adapters.config import parse_adapters_toml
from adapters.registry import load_registry
from biocross.harvest import ConsoleProgress, harvest_in_processes
from biocross.localnode import LocalNode
from biocross.mailer import Mailer
from demo.mailbox import DemoMailbox, add_mailbox_routes
from demo.server import create_sources_app
from desk.accounts import AccountStore
from desk.errors import AccountExistsError
from desk.institutions import InstitutionStore
from gateway.app import create_app
from indexer.client import make_client
from indexer.store import ensure_system_indices
from schemas.accounts import StaffRole
from schemas.harvest import HarvestMode
from schemas.institution import InstitutionRegistry
from schemas.settings import EsSettings, Settings

#: How often the demo's outbox worker looks for mail (seconds): mails arrive within a moment.
DEMO_MAILER_INTERVAL = 1.0
ADMIN_USER = "admin"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _demo(settings: Settings, total: int, sources_port: int) -> None:
    from demo.config import demo_config

    sources = web.AppRunner(create_sources_app(total, crawl_delay=0.0))
    await sources.setup()
    await web.TCPSite(sources, "127.0.0.1", sources_port).start()
    base = f"http://127.0.0.1:{sources_port}"
    _say(f"simulated institution sources ({total:,} records) at {base}/")

    toml = demo_config(base)
    names = list(parse_adapters_toml(toml, load_registry(), origin="demo adapters"))
    es = make_client(settings.es)
    try:
        await ensure_system_indices(es, settings.es.index_prefix)
    finally:
        await es.close()
    _say(f"harvesting {len(names)} adapters in {settings.harvest.workers} processes: {', '.join(names)}")
    with ConsoleProgress(names) as progress:
        runs = await harvest_in_processes(settings, toml, names, HarvestMode.FULL, workers=settings.harvest.workers,
                                          progress=progress, origin="demo adapters")
    for run in runs:
        _say(f"  {run['source']:<10} {run['outcome']:<10} indexed {run['indexed']:>7,}  rejected {run['rejected']:>5,} "
             f"(quarantined with reasons)")
    indexed = sum(r["indexed"] for r in runs)

    mailbox = DemoMailbox()
    await mailbox.start(settings.mail.host, settings.mail.port)
    es = make_client(settings.es)
    institutions = await InstitutionStore(es, settings.es.index_prefix).load()
    accounts = await seed_accounts(AccountStore(es, settings.es.index_prefix), institutions)
    mailer = Mailer.build(settings, es)
    mailer_task = asyncio.create_task(mailer.run_forever(), name="demo-mailer")

    app = create_app(settings)
    add_mailbox_routes(app, mailbox)
    gateway = web.AppRunner(app)
    await gateway.setup()
    host, port = settings.gateway.host, settings.gateway.port
    await web.TCPSite(gateway, host, port).start()
    url = f"http://{host}:{port}"
    account_lines = "\n".join(f"    {name:<22} {password}   ({what})" for name, password, what in accounts)
    _say(f"\nbiocross is ready: {indexed:,} resources from {len(runs)} institutions.\n"
         f"  search:   {url}/\n"
         f"  API:      {url}/api/search?q=HeLa   (docs: {url}/api/docs)\n"
         f"  mailbox:  {url}/demo/mailbox   (every mail the demo sent; SMTP on {settings.mail.host}:{settings.mail.port})\n"
         f"  portal:   {url}/portal/   (staff: their institution's requests)   admin: {url}/admin\n"
         f"  accounts (passwords are new on every run):\n{account_lines}\n"
         f"  sources:  {base}/\n"
         f"  re-harvest (in another terminal): .venv/bin/biocross harvest --config demo/adapters.toml --incremental\n"
         "(Ctrl-C to stop)")
    try:
        await asyncio.Event().wait()
    finally:
        mailer_task.cancel()
        await gateway.cleanup()
        await es.close()
        await mailbox.stop()
        await sources.cleanup()


async def seed_accounts(store: AccountStore, institutions: InstitutionRegistry) -> list[tuple[str, str, str]]:
    """One staff account per institution and one consortium administrator, each with a new random
    password (an account left by an earlier run gets the new password). Returns (user, password, role)."""
    wanted: list[tuple[str, StaffRole, list[str], str]] = [
        (f"staff-{slug}", StaffRole.STAFF, [slug], f"staff, {inst.name_en}") for slug, inst in institutions.items()]
    wanted.append((ADMIN_USER, StaffRole.ADMIN, [], "consortium administrator"))
    seeded = []
    for username, role, institutions, what in wanted:
        password = secrets.token_urlsafe(12)
        try:
            await store.add(username, f"{username}@staff.demo.invalid", role, password, institutions=institutions,
                            display_name=username, language="ja")
        except AccountExistsError:
            await store.set_password(username, password)
            await store.set_disabled(username, False)
        seeded.append((username, password, what))
    return seeded


def run_demo(settings: Settings, *, total: int = 60_000, sources_port: int = 8800) -> None:
    """Run the whole demo in the foreground: on the local node (started if needed), or on the cluster
    ``BIOCROSS_ES_URL`` names when it is set."""
    if "url" in settings.es.model_fields_set:
        es = settings.es
        _say(f"using the Elasticsearch cluster at {es.url} (BIOCROSS_ES_URL)")
    else:
        node = LocalNode(settings.local_node)
        status = node.start(log=_say)
        _say(f"Elasticsearch {status.es_version} ready at {node.url}")
        es = EsSettings.model_validate({**settings.es.model_dump(), "url": node.url})
    # The demo signs cookies and links with a key of its own run, never a known one.
    gateway = settings.gateway.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(32))})
    if "public_url" not in settings.gateway.model_fields_set:  # links in mails point at this demo's port
        gateway = gateway.model_copy(update={"public_url": f"http://{gateway.host}:{gateway.port}"})
    requests = settings.requests.model_copy(update={"mailer_interval_seconds": DEMO_MAILER_INTERVAL})
    settings = settings.model_copy(update={"es": es, "gateway": gateway, "requests": requests})
    try:
        asyncio.run(_demo(settings, total, sources_port))
    except KeyboardInterrupt:
        _say("stopped")
