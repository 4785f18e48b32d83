"""Helpers for the sign-in, session, account and token tests: a second 'worker', audit rows."""

import re

from kb import create_app
from kb.audit.models import AuditEvent
from kb.extensions import db
from tests.helpers import CSRFClient

ERROR = re.compile(r'<p class="error" role="alert">([^<]+)</p>')


def worker(app, **extra):
    """Another app instance on the same database, as a second gunicorn worker or host is."""
    overrides = {
        "TESTING": True,
        "SERVER_NAME": None,
        "KB_DATA_DIR": app.config["KB_DATA_DIR"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "KB_SEARCH_BACKEND": app.config["KB_SEARCH_BACKEND"],
        **extra,
    }
    other = create_app(overrides)
    other.test_client_class = CSRFClient
    return other


def dispose(*apps) -> None:
    for one in apps:
        with one.app_context():
            db.session.remove()
            db.engine.dispose()


def errors(response) -> list[str]:
    """The form error messages a person sees on the page."""
    return ERROR.findall(response.get_data(as_text=True))


def audit_events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows
