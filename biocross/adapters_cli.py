"""``biocross adapters``: list adapter types and configured sources; check one against its endpoint.

``check NAME`` reaches the endpoint, harvests a sample, maps it and prints a data-quality report.
Exit codes (``biocross.exitcodes``): 0 usable, 1 configuration error, 2 unreachable, 3 protocol error
(truncated payloads included), 4 nothing mapped.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from adapters.config import AdapterConfig, load_adapters_file
from adapters.errors import AdapterConfigError, AdapterError, ProtocolError, SourceUnreachableError
from adapters.events import HarvestFinished, RecordRejected, ResourceMapped
from adapters.http import HttpClient
from adapters.registry import Registry, load_registry
from biocross import exitcodes
from biocross.clicontext import current_settings
from schemas.resource import Resource

app = typer.Typer(help="Harvest adapters: registered types, configured sources, endpoint checks.", no_args_is_help=True)
console = Console()

EXIT_CONFIG, EXIT_UNREACHABLE, EXIT_PROTOCOL, EXIT_NOTHING = (exitcodes.CONFIG, exitcodes.UNREACHABLE, exitcodes.PROTOCOL,
                                                              exitcodes.MAPPING)
#: Optional Resource fields whose absence the report counts.
OPTIONAL = ("synonyms", "description", "species", "strain", "genotype", "genes", "diseases", "tissues",
            "sample_types", "specimen_stats", "xrefs", "source_url", "created", "updated")
ConfigOption = typer.Option(None, "--config", "-c", help="adapters.toml (default: settings, then ./adapters.toml).")


def _config_path(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    if os.environ.get("BIOCROSS_CONFIG") or Path("biocross.toml").is_file() or "BIOCROSS_HARVEST_ADAPTERS_FILE" in os.environ:
        configured = current_settings().harvest.adapters_file
        if configured is not None:
            return configured
    local = Path("adapters.toml")
    return local if local.is_file() else None


def _load(path: Path | None) -> tuple[Registry, dict[str, AdapterConfig]]:
    try:
        registry = load_registry()
        return registry, (load_adapters_file(path, registry) if path else {})
    except AdapterConfigError as exc:
        # the message is printed as is: pydantic's text holds regexes and brackets rich would take for markup
        console.print("[red]configuration error[/red]", escape(str(exc)), highlight=False)
        raise typer.Exit(EXIT_CONFIG) from exc


@app.command("list")
def list_adapters(config: Path | None = ConfigOption) -> None:
    """Registered adapter types and the adapters configured in adapters.toml."""
    path = _config_path(config)
    registry, configs = _load(path)
    types = Table(title="Adapter types", title_justify="left")
    for column in ("type", "origin", "incremental", "description"):
        types.add_column(column)
    for cls in registry:
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        types.add_row(cls.name, registry.origin(cls.name), "yes" if cls.supports_incremental else "no", doc)
    console.print(types)
    sources = Table(title=f"Configured adapters ({path or 'no adapters.toml'})", title_justify="left")
    for column in ("name", "type", "institution", "endpoint", "schedule", "enabled"):
        sources.add_column(column)
    for name, cfg in configs.items():
        sources.add_row(name, cfg.type, cfg.institution, cfg.endpoint, str(cfg.schedule), "yes" if cfg.enabled else "no")
    console.print(sources)


def missing_fields(resources: list[Resource]) -> Counter[str]:
    """How many mapped records lack each optional field."""
    counts: Counter[str] = Counter()
    for resource in resources:
        for name in OPTIONAL:
            value = getattr(resource, name)
            if not value or (name == "description" and not (value.ja or value.en)):
                counts[name] += 1
    return counts


async def check_adapter(name: str, config: AdapterConfig, registry: Registry, sample: int) -> dict[str, Any]:
    """Probe the endpoint, harvest ``sample`` records, map them: the data-quality report."""
    report: dict[str, Any] = {"adapter": name, "type": config.type, "endpoint": config.endpoint, "probe": {}}
    resources: list[Resource] = []
    reasons: dict[str, list[str]] = {}
    samples: dict[str, list[str]] = {}
    finished: HarvestFinished | None = None
    async with HttpClient() as http:
        adapter = registry.build(name, config, http)
        try:
            report["probe"] = await adapter.probe()
        except AdapterError as exc:
            report["error"] = exc.attributed(name)
            return report
        async for event in adapter.run(limit=sample):
            if isinstance(event, ResourceMapped):
                resources.append(event.resource)
            elif isinstance(event, RecordRejected):
                reasons.setdefault(str(event.rejection.reason), []).append(event.rejection.detail)
                samples.setdefault(str(event.rejection.reason), []).append(event.rejection.source_record_id or "?")
            elif isinstance(event, HarvestFinished):
                finished = event
    assert finished is not None
    report.update(
        stats=finished.stats.as_dict(), error=finished.error, rejections=reasons, rejected_records=samples,
        missing=missing_fields(resources).most_common(),
        samples=[r.model_dump(mode="json", exclude_none=True) for r in resources[:3]],
    )
    return report


async def latest_withdrawals(name: str) -> dict[str, Any] | None:
    """The newest run of ``name`` that withdrew records (or would: held), from the harvest records in
    Elasticsearch; None when there is none or Elasticsearch cannot be reached (the check works offline)."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from indexer.client import make_client
    from indexer.store import HarvestStore

    settings = current_settings()
    es = make_client(settings.es).options(request_timeout=5, max_retries=0)
    try:
        runs = await HarvestStore(es, settings.es.index_prefix).recent_runs(name, size=20)
    except (TransportError, ApiError):
        return None
    finally:
        await es.close()
    return next((r for r in runs if r.get("withdrawals")), None)


def _print_history(run: dict[str, Any] | None, shown: int = 10) -> None:
    if run is None:
        return
    verb = "would withdraw" if run["outcome"] == "held" else "withdrew"
    console.print(f"latest harvest with withdrawals: run {run['run_id']} ({run['outcome']}, {run['started_at']}) "
                  f"{verb} {len(run['withdrawals'])}", highlight=False)
    table = Table(title="Withdrawn records (first lines)", title_justify="left")
    for column in ("id", "name", "reason"):
        table.add_column(column)
    for item in run["withdrawals"][:shown]:
        table.add_row(escape(str(item.get("id"))), escape(str(item.get("name") or "")), escape(item["reason"]))
    console.print(table)
    for item in run.get("protected") or []:
        console.print(f"[yellow]in use[/yellow] {escape(item['id'])}: {escape(item['reason'])}", highlight=False)


def _print(report: dict[str, Any], sample: int) -> None:
    console.rule(f"[bold]{report['adapter']}[/bold] ({report['type']}) {report['endpoint']}")
    for key, value in report["probe"].items():
        console.print(f"  {key}: {value}", highlight=False)
    stats = report.get("stats")
    if stats:
        console.print(f"seen {stats['seen']} (sample of up to {sample}), mapped {stats['mapped']}, "
                      f"rejected {stats['rejected']}, deleted {stats['deleted']}, warnings {sum(stats['warnings'].values())}")
        table = Table(title="Rejections by reason", title_justify="left")
        for column in ("reason", "count", "example"):
            table.add_column(column)
        for reason, details in sorted(report["rejections"].items(), key=lambda kv: -len(kv[1])):
            table.add_row(reason, str(len(details)), escape(details[0][:100]))
        console.print(table)
        _print_warnings(stats)
        missing = Table(title="Optional fields missing (mapped records)", title_justify="left")
        missing.add_column("field")
        missing.add_column("records without it")
        for field, count in report["missing"]:
            missing.add_row(field, f"{count}/{stats['mapped']}")
        console.print(missing)
        for sample_record in report["samples"]:
            console.print_json(json.dumps(sample_record, ensure_ascii=False))
    if report.get("error") is not None:
        console.print(f"[red]{report['error'].kind}[/red]:", escape(str(report["error"])), highlight=False)


def _print_warnings(stats: dict[str, Any]) -> None:
    """Tolerated problems by kind, with counts and sample records (line numbers where known)."""
    if not stats["warnings"]:
        return
    table = Table(title="Warnings by kind", title_justify="left")
    for column in ("kind", "count", "sample records"):
        table.add_column(column)
    for kind, count in sorted(stats["warnings"].items(), key=lambda kv: -kv[1]):
        notices = [n for n in stats.get("notices", []) if n["kind"] == kind][:3]
        sample = "; ".join(f"{n.get('record') or '?'} (line {n['line']})" if n.get("line") else str(n.get("record"))
                           for n in notices)
        table.add_row(escape(kind), str(count), escape(sample))
    console.print(table)


def why_nothing_mapped(report: dict[str, Any]) -> str:
    """The reason a check mapped nothing, for the maintainer."""
    stats = report.get("stats") or {}
    if not stats.get("seen"):
        skipped = {k: v for k, v in stats.get("warnings", {}).items() if k.startswith("skipped")}
        if skipped:
            return "the source answered, but every item was skipped: " + ", ".join(
                f"{k} ({v})" for k, v in skipped.items())
        return ("the source answered with no records at all (an empty export, a list path that matches nothing, "
                "or a set/filter that selects nothing)")
    top = max(report["rejections"].items(), key=lambda kv: len(kv[1]))
    return f"all {stats['seen']} records were rejected, most as {top[0]}: {top[1][0][:200]}"


@app.command("check")
def check(
    name: str = typer.Argument(..., help="Configured adapter name (a table in adapters.toml)."),
    config: Path | None = ConfigOption,
    sample: int = typer.Option(200, "--sample", "-n", min=1, help="Records to harvest."),
) -> None:
    """Reach the endpoint, harvest and map a sample, print a data-quality report."""
    registry, configs = _load(_config_path(config))
    if name not in configs:
        console.print(f"[red]no adapter {name!r} configured[/red] (configured: {', '.join(configs) or 'none'})")
        raise typer.Exit(EXIT_CONFIG)
    report = asyncio.run(check_adapter(name, configs[name], registry, sample))
    _print(report, sample)
    _print_history(asyncio.run(latest_withdrawals(name)))
    error = report.get("error")
    if isinstance(error, SourceUnreachableError):
        raise typer.Exit(EXIT_UNREACHABLE)
    if isinstance(error, ProtocolError):
        raise typer.Exit(EXIT_PROTOCOL)
    if not report.get("stats", {}).get("mapped"):
        console.print("[red]nothing mapped[/red]:", escape(why_nothing_mapped(report)), "- the adapter is not usable",
                      highlight=False)
        raise typer.Exit(EXIT_NOTHING)
    console.print("[green]usable[/green]")
