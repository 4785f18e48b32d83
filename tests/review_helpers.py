"""Shared set-up for the review tests: documents in a review place, reading back their state."""

import sqlalchemy as sa

from kb.auth.models import SYSTEM, User
from kb.documents import service
from kb.documents.models import Document, Review
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db

DUTCH_REFUSAL = "Dit document wordt eerst beoordeeld door een supervisor"


def policy_doc(make_document, title="Compensatie bij storing", **fields) -> str:
    """A published `beleid` document a supervisor opened to editors: review still applies."""
    return make_document(
        title,
        "Bij een storing van meer dan 24 uur krijgt de klant een dag abonnementsgeld terug.",
        category="beleid",
        audience="internal",
        min_edit_role="editor",
        **fields,
    )


def save(app, slug: str, user=None, body: str = "Nieuwe regel: twee dagen terug.") -> int:
    """Save a new revision as ``user`` (default: kb itself); returns its number."""
    with app.app_context():
        doc = _doc(slug)
        actor = db.session.get(User, user.id) if user else SYSTEM
        rev = service.save_revision(
            doc, actor, doc.current_number, DocumentUpdate(body=body, message="aangepast")
        )
        return rev.number


def _doc(slug: str) -> Document:
    return db.session.scalar(sa.select(Document).where(Document.slug == slug))


def state(app, slug: str) -> dict:
    with app.app_context():
        doc = _doc(slug)
        return {
            "status": doc.status,
            "current": doc.current_number,
            "published": doc.published_number,
            "ack": doc.ack_number,
        }


def reviews(app, slug: str) -> list[dict]:
    """The document's reviews, oldest first, as plain data."""
    with app.app_context():
        doc = _doc(slug)
        rows = db.session.scalars(
            sa.select(Review).where(Review.document_id == doc.id).order_by(Review.id)
        )
        return [
            {
                "id": r.id,
                "revision": r.revision_number,
                "status": r.status,
                "by": r.submitted_by.email if r.submitted_by else None,
                "decided_by": r.decided_by.email if r.decided_by else None,
                "comment": r.comment,
                "note": r.note,
                "acknowledge": r.acknowledge,
            }
            for r in rows
        ]


def events(app, prefix: str = "review.") -> list[tuple[str, str | None, dict]]:
    """Audit events whose action starts with ``prefix``: (action, actor email, detail)."""
    from kb.audit.models import AuditEvent

    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
        out = []
        for e in rows:
            actor = db.session.get(User, e.actor_id) if e.actor_id else None
            out.append((e.action, actor.email if actor else None, dict(e.detail)))
        return out
