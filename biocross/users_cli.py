"""``biocross users``: staff accounts (add, list, disable, enable) and their API tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from biocross.clicontext import current_settings
from biocross.institutions_cli import known_institutions
from desk.accounts import AccountStore
from desk.errors import AccountError
from indexer.client import make_client
from schemas.accounts import StaffRole

app = typer.Typer(help="Manage staff accounts of the institution portal.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[AccountStore], Awaitable[T]]) -> T:
    settings = current_settings()

    async def main() -> T:
        es = make_client(settings.es)
        try:
            return await work(AccountStore(es, settings.es.index_prefix))
        finally:
            await es.close()

    try:
        return asyncio.run(main())
    except AccountError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from exc


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name (lower case, digits, . _ -)."),
    email: str = typer.Option(..., "--email", help="Where notifications and reminders go."),
    role: StaffRole = typer.Option(StaffRole.STAFF, "--role", help="staff or admin."),
    institution: list[str] = typer.Option([], "--institution", "-i", help="Institution slug (repeat for several)."),
    name: str = typer.Option("", "--name", help="Display name."),
    language: str = typer.Option("ja", "--language", help="ja or en."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="Password (prompted when omitted)."),
) -> None:
    """Create a staff account."""
    known = known_institutions(current_settings())
    unknown = [i for i in institution if i not in known]
    if unknown or (role is StaffRole.STAFF and not institution):
        typer.secho(f"error: staff need known institutions (--institution, one of {', '.join(known)})",
                    fg="red", err=True)
        raise typer.Exit(2)
    if len(password) < 12:
        typer.secho("error: the password needs at least 12 characters", fg="red", err=True)
        raise typer.Exit(2)
    account = _run(lambda store: store.add(username, email, role, password, institutions=institution,
                                           display_name=name, language=language))
    typer.echo(f"added {account.username} ({account.role.value}) {' '.join(account.institutions)}")


@app.command("list")
def list_accounts() -> None:
    """List every account."""
    for a in _run(lambda store: store.list_accounts()):
        state = "disabled" if a.disabled else "active"
        typer.echo(f"{a.username:<20} {a.role.value:<6} {state:<9} {a.email:<30} {','.join(a.institutions)}")


@app.command("disable")
def disable(username: str = typer.Argument(..., help="Account to disable.")) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _run(lambda store: store.set_disabled(username, True))
    typer.echo(f"disabled {username}")


@app.command("enable")
def enable(username: str = typer.Argument(..., help="Account to enable again.")) -> None:
    """Enable a disabled account."""
    _run(lambda store: store.set_disabled(username, False))
    typer.echo(f"enabled {username}")


@app.command("token")
def token(username: str = typer.Argument(..., help="Owner of the token."),
          name: str = typer.Option(..., "--name", help="What the token is for.")) -> None:
    """Create an API token acting as USERNAME; it is printed once and stored only as a hash."""
    typer.echo(_run(lambda store: store.create_token(username, name)))
