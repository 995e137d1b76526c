"""``biocross es``: the local development/test Elasticsearch node."""

from __future__ import annotations

import typer

from biocross.clicontext import current_settings
from biocross.errors import LocalNodeError
from biocross.localnode import ES_VERSION, LocalNode

app = typer.Typer(help="Manage the local development/test Elasticsearch node.", no_args_is_help=True)


def _node() -> LocalNode:
    return LocalNode(current_settings().local_node)


@app.command("start")
def es_start() -> None:
    """Fetch (once), configure and start the local node; waits until it is healthy."""
    try:
        status = _node().start()
    except LocalNodeError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Elasticsearch {status.es_version} {status.message}")


@app.command("stop")
def es_stop() -> None:
    """Stop the local node."""
    typer.echo(f"Elasticsearch: {_node().stop()}")


@app.command("status")
def es_status() -> None:
    """Show whether the node runs, and the Elasticsearch, client and JDK versions."""
    from elasticsearch import __versionstr__ as client_version

    from biocross.localnode import find_jdk

    node = _node()
    status = node.status()
    try:
        jdk_home, jdk_major = find_jdk()
        jdk_line = f"{status.jdk or 'JDK ' + str(jdk_major)} ({jdk_home})"
    except LocalNodeError as exc:
        jdk_line = f"none usable: {exc}"
    typer.echo(f"node:            {status.message}")
    typer.echo(f"url:             {status.url}")
    typer.echo(f"elasticsearch:   {status.es_version or ES_VERSION + ' (pinned; not running)'}")
    typer.echo(f"python client:   elasticsearch-py {client_version}")
    typer.echo(f"jdk:             {jdk_line}")
    typer.echo(f"cache:           {node.cache}")
    if not status.running:
        raise typer.Exit(1 if status.stale_pid else 3)


@app.command("logs")
def es_logs(lines: int = typer.Option(50, help="How many lines from the end.")) -> None:
    """Print the end of the local node's log."""
    path = _node().log_file()
    if not path.exists():
        typer.echo(f"no log yet at {path}")
        raise typer.Exit(1)
    typer.echo("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
