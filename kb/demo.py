"""`kb demo`: demo accounts and the seed content, for a first look. Safe to run twice."""

import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from kb import ROOT
from kb.audit import service as audit
from kb.auth import service as accounts
from kb.auth.models import ROLES, SYSTEM, User
from kb.db import unit_of_work, utcnow
from kb.documents.cli import import_directory
from kb.documents.models import Document
from kb.documents.policy import default_min_edit_role
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
    _give_owners()
    if created:
        click.echo("\nDemo accounts (the passwords are shown only this once):")
        for email, role, password in created:
            click.echo(f"  {role:<11} {email:<36} {password}")
    else:
        click.echo("Demo accounts exist already; `kb user create` adds more.")


def _give_owners() -> None:
    """Imported documents have no owner: give them the demo editor (the supervisor for policy
    and escalation scripts), a verify-by date, and make two of them due, so "Mijn documenten"
    shows what an owner's week looks like."""
    owners = {
        role: db.session.scalar(db.select(User).where(User.email == f"{role}@{DEMO_DOMAIN}"))
        for role in ("editor", "supervisor")
    }
    if not all(owners.values()):
        return
    docs = list(
        db.session.scalars(
            db.select(Document).where(Document.owner_id.is_(None)).order_by(Document.slug)
        )
    )
    if not docs:
        return
    today = utcnow().date()
    with unit_of_work():
        for n, doc in enumerate(docs):
            role = default_min_edit_role(doc.category, doc.channel)
            doc.owner_id = owners["supervisor" if role == "supervisor" else "editor"].id
            doc.verify_by = (
                today - timedelta(days=3)
                if n in (0, 7)
                else today + timedelta(days=30 + 7 * (n % 20))
            )
        audit.record(SYSTEM, "demo.owners", "documents", len(docs))
