"""`kb user create|set-role|token|list|unlock`."""

import click
from flask.cli import AppGroup

from kb.auth import service
from kb.auth.models import ROLES, SYSTEM
from kb.db import utcnow
from kb.errors import Invalid, NotFound

user_cli = AppGroup("user", help="Manage accounts and API tokens.")


def _fail(exc: Invalid | NotFound) -> click.ClickException:
    if isinstance(exc, Invalid):
        return click.ClickException("; ".join(exc.errors.values()))
    return click.ClickException(exc.detail)


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in ROLES]), required=True)
@click.option("--name", default="", help="Display name.")
@click.password_option("--password", help="Prompted (hidden) when omitted.")
def create(email: str, role: str, name: str, password: str) -> None:
    """Create an account with a role."""
    try:
        user = service.create_user(SYSTEM, email, role, password, name)
    except Invalid as exc:
        raise _fail(exc) from exc
    click.echo(f"Created {user.email} ({user.role}).")


@user_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in ROLES]))
def set_role(email: str, role: str) -> None:
    """Change an account's role."""
    try:
        user = service.set_role(SYSTEM, service.get_user(email), role)
    except (Invalid, NotFound) as exc:
        raise _fail(exc) from exc
    click.echo(f"{user.email} is now {user.role}.")


@user_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for (shown in the account page).")
def token(email: str, name: str) -> None:
    """Print a new API token once; only its hash is stored."""
    try:
        value = service.issue_token(SYSTEM, service.get_user(email), name)
    except NotFound as exc:
        raise _fail(exc) from exc
    click.echo(value)


@user_cli.command("list")
def list_users() -> None:
    """List accounts and roles."""
    for user in service.all_users():
        state = "" if user.is_active else " (inactive)"
        if user.locked_until is not None and user.is_locked(utcnow()):
            state += f" (locked until {user.locked_until:%Y-%m-%d %H:%M} UTC)"
        click.echo(f"{user.email}\t{user.role}{state}")


@user_cli.command("unlock")
@click.argument("email")
def unlock(email: str) -> None:
    """Lift a sign-in lock after repeated wrong passwords."""
    try:
        user = service.unlock(SYSTEM, service.get_user(email))
    except NotFound as exc:
        raise _fail(exc) from exc
    click.echo(f"{user.email} may sign in again.")
