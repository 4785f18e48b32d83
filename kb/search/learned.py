"""Learning the customer's words: subjects of tickets resolved with a document, masked, become
that document's lowest-weight search terms once seen MIN_SEEN times; editors remove them.

Tickets call learn() inside their own unit of work; the index picks a phrase up after the
commit (kb.search.service.enqueue), and a rebuild reads them from the table like everything else.
"""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document
from kb.documents.policy import Action, allowed, require
from kb.errors import NotFound
from kb.extensions import db
from kb.search.analysis import fold
from kb.search.models import MIN_SEEN, LearnedTerm
from kb.search.privacy import PLACEHOLDER, mask
from kb.search.service import enqueue

MAX_PHRASE = 200


def phrase_of(subject: str) -> str:
    """A ticket subject as it is stored: masked like the search log, folded, spaces collapsed,
    at most MAX_PHRASE characters; empty when nothing but personal data is left."""
    phrase = " ".join(fold(mask(subject)).split())[:MAX_PHRASE].strip()
    return phrase if PLACEHOLDER.sub(" ", phrase).strip() else ""


def learn(doc: Document, subject: str) -> None:
    """Count ``subject`` once more for ``doc``, inside the caller's unit of work; the phrase's
    words go into the index when it reaches MIN_SEEN. Raises what the database raises."""
    phrase = phrase_of(subject)
    if not phrase:
        return
    now = utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # One statement, so two agents resolving with the same words at once both count.
    upsert = dialect.insert(LearnedTerm).values(
        document_id=doc.id, phrase=phrase, count=1, is_removed=False, created_at=now, seen_at=now
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=[LearnedTerm.document_id, LearnedTerm.phrase],
        set_={"count": LearnedTerm.count + 1, "seen_at": now},
    ).returning(LearnedTerm.count, LearnedTerm.is_removed)
    count, removed = db.session.execute(upsert).one()
    if count == MIN_SEEN and not removed:
        enqueue(doc)


def may_manage(user: Any) -> bool:
    """Editors (drafts or the request queue) see and remove a document's learned phrases."""
    return allowed(user, Action.READ_DRAFTS) or allowed(user, Action.MANAGE_REQUESTS)


def shown(doc: Document) -> list[LearnedTerm]:
    """The phrases ``doc`` is searched by (seen often enough, not removed), most seen first."""
    return list(
        db.session.scalars(
            select(LearnedTerm)
            .where(
                LearnedTerm.document_id == doc.id,
                LearnedTerm.count >= MIN_SEEN,
                LearnedTerm.is_removed.is_(False),
            )
            .order_by(LearnedTerm.count.desc(), LearnedTerm.phrase)
        )
    )


def remove(doc: Document, actor: Any, term_id: int) -> LearnedTerm:
    """Stop searching ``doc`` by one learned phrase, for good; audited and re-indexed.

    Raises NotFound (no such phrase on this document, or already removed), Unauthorized,
    Forbidden.
    """
    if not may_manage(actor):
        require(actor, Action.READ_DRAFTS)
    term = db.session.get(LearnedTerm, term_id)
    if term is None or term.document_id != doc.id or term.is_removed:
        raise NotFound(_("Deze klantwoorden horen niet (meer) bij dit document."))
    with unit_of_work():
        term.is_removed = True
        audit.record(actor, "document.learned_remove", "document", doc.id, phrase=term.phrase)
        enqueue(doc)
    return term
