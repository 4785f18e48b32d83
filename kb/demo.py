"""`kb demo`: demo accounts and the seed content, for a first look. Safe to run twice."""

import secrets
from pathlib import Path

import click
from flask.cli import with_appcontext

from kb import ROOT
from kb.auth import service as accounts
from kb.auth.models import ROLES, SYSTEM, User
from kb.documents.cli import import_directory
from kb.extensions import db

DEMO_DOMAIN = "demo.polderlink.example"


@click.command("demo")
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=None)
@with_appcontext
def demo_command(content_dir: Path | None) -> None:
    """Create one demo account per role (passwords printed once) and import content/."""
    created = []
    for role in ROLES:
        email = f"{role}@{DEMO_DOMAIN}"
        if db.session.scalar(db.select(User.id).where(User.email == email)):
            continue
        password = secrets.token_urlsafe(12)
        accounts.create_user(SYSTEM, email, role, password, name=f"Demo {role}")
        created.append((email, role, password))
    click.echo(import_directory(content_dir or ROOT / "content"))
    if created:
        click.echo("\nDemo accounts (the passwords are shown only this once):")
        for email, role, password in created:
            click.echo(f"  {role:<11} {email:<36} {password}")
    else:
        click.echo("Demo accounts exist already; `kb user create` adds more.")
