"""Fixtures for the ticket tests: tickets and requests made through the services."""

import pytest

from kb.auth.models import User
from kb.extensions import db
from kb.tickets import article_requests, service
from kb.tickets.schemas import RequestCreate, ResolveInput, TicketCreate


def actor(user) -> User:
    """The ORM user for a ``make_user`` result, in the current app context."""
    return db.session.get_one(User, user.id)


@pytest.fixture
def agent(make_user):
    return make_user("agent")


@pytest.fixture
def editor(make_user):
    return make_user("editor")


@pytest.fixture
def make_ticket(app, make_user):
    """Open a ticket through the service; returns its id."""
    counter = iter(range(1, 10_000))

    def make(ref: str | None = None, by=None, **fields) -> int:
        by = by or make_user("agent")
        data = {
            "external_ref": ref or f"PL-{next(counter):04d}",
            "subject": "Modem knippert oranje",
            "channel": "phone",
            "priority": "normal",
            **fields,
        }
        with app.app_context():
            return service.create_ticket(actor(by), TicketCreate.model_validate(data)).id

    return make


@pytest.fixture
def resolve(app):
    """Resolve ticket ``ticket_id`` as ``by`` with ``how`` (the ResolveInput's fields)."""

    def do(ticket_id: int, by, **how):
        with app.app_context():
            ticket = service.get_ticket(ticket_id)
            service.resolve(ticket, actor(by), ResolveInput.model_validate(how))
            return {
                "document_id": ticket.document_id,
                "revision": ticket.revision_number,
                "request_id": ticket.request_id,
            }

    return do


@pytest.fixture
def make_request(app, make_user):
    """File an article request through the service; returns its id."""

    def make(title: str = "Modem resetten na verhuizing", by=None, details: str = "") -> int:
        by = by or make_user("agent")
        with app.app_context():
            data = RequestCreate(title=title, details=details)
            return article_requests.create_request(actor(by), data).id

    return make
