"""Two saves on the same base revision at the same moment: exactly one wins, none is lost."""

import threading

from kb.auth.models import SYSTEM
from kb.documents import service
from kb.documents.models import Document, Revision
from kb.documents.schemas import DocumentUpdate
from kb.errors import Conflict
from kb.extensions import db


def test_simultaneous_saves_on_one_base(app, make_document):
    slug = make_document("Gelijktijdig", "Start.")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(text: str) -> None:
        with app.test_request_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            barrier.wait()
            try:
                service.save_revision(doc, SYSTEM, 1, DocumentUpdate(body=text))
                outcomes.append("saved")
            except Conflict as exc:
                outcomes.append(f"conflict at {exc.current}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("Versie A.", "Versie B.")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict at 2", "saved"]
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        numbers = db.session.scalars(
            db.select(Revision.number)
            .where(Revision.document_id == doc.id)
            .order_by(Revision.number)
        ).all()
        assert numbers == [1, 2] and doc.current_number == 2
        assert doc.current.body in ("Versie A.", "Versie B.")
